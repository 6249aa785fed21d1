"""Confide: all behaviour lives here; nothing in this package imports PySide6."""

__version__ = "0.1.0"
