"""Metallic Rouge: Code Eve, and the scene engine that plays it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("metallic-rouge-adventure")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
