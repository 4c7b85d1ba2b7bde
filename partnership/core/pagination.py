from __future__ import annotations

from flask import request

MAX_PAGE = 100_000


def page_number() -> int:
    """The ``?page=`` asked for, or 1 when it is missing or not a sensible number."""
    raw = request.args.get("page", "1")
    if not raw.isdigit():
        return 1
    return min(max(int(raw), 1), MAX_PAGE)
