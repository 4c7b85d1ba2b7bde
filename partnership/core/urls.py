from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from partnership.core.forms import MAX_ID, has_controls


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits naming at most :data:`MAX_ID`. Anything
    larger (beyond 64 bits, or just beyond what an INTEGER column holds), negative or in
    other digits matches no route, so it answers 404 like an id that names nothing,
    instead of overflowing the database's integer."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install(app: Flask) -> None:
    """Make :class:`RecordIdConverter` the ``int`` of ``app``'s routes (before any route is
    added: a rule picks its converter when it is added)."""
    app.url_map.converters["int"] = RecordIdConverter


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects).

    Browsers read a backslash as a slash and drop tabs and line breaks from a URL, so
    ``/\\evil.example`` and ``/<tab>/evil.example`` would leave the site; a control
    character could also split the Location header.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or has_controls(target) or any(c in target for c in "\t\r\n"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
