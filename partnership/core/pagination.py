from __future__ import annotations

from flask import request

from partnership.core.forms import MAX_ID, whole_number

MAX_PAGE = 100_000


def page_number() -> int:
    """The ``?page=`` asked for, or 1 when it is missing or not a sensible number."""
    number = whole_number(request.args.get("page"), largest=MAX_ID) or 1
    return min(max(number, 1), MAX_PAGE)
