"""Metallic Rouge: Code Eve, and the scene engine that plays it."""

__version__ = "0.1.0"
