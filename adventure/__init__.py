"""Metallic Rouge: Code Eve, and the scene engine that plays it."""

__all__ = ["Game", "Observation", "__version__"]


def __getattr__(name: str) -> object:
    """Loaded on first use, so that `adventure play` starts without them: `from adventure import
    Game` loads the API, and `__version__` asks the installed package's metadata (18 ms)."""
    if name in ("Game", "Observation"):
        from adventure.play import api

        return getattr(api, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("metallic-rouge-adventure")
        except PackageNotFoundError:  # run from a checkout that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'adventure' has no attribute {name!r}")
