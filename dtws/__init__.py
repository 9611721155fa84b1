"""dtws: Django Tests for WebSockets, a compatibility lab."""

__version__ = "0.1.0"
