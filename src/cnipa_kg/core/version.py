"""The version: its single source (pyproject reads it; nothing imports ``importlib.metadata``)."""

__version__ = "0.1.0"
