"""The review's workaround's probes: django-socketio's (the same app and protocol, other pins)."""

from __future__ import annotations

from dtws.solutions.django_socketio import PROBES

__all__ = ["PROBES"]
