"""Metallic Rouge: Code Eve, and the scene engine that plays it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("metallic-rouge-adventure")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"


__all__ = ["Game", "Observation", "__version__"]


def __getattr__(name: str) -> object:
    """`from adventure import Game` loads the API on first use, so `adventure play` starts without it."""
    if name in ("Game", "Observation"):
        from adventure.play import api

        return getattr(api, name)
    raise AttributeError(f"module 'adventure' has no attribute {name!r}")
