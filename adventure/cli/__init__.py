"""The adventure command line."""

from adventure.cli.main import main

__all__ = ["main"]
