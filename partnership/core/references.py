"""References people quote: <prefix>-<year>-<4 digits>, numbered afresh each year."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from partnership.extensions import db


def next_reference(model: Any, prefix: str, year: int) -> str:
    """The next free reference of ``year`` for ``model`` (a model with a unique
    ``reference`` column): <prefix>-<year>-<4 digits>, one more than the highest so far
    (past 9999 the number has five digits: the longest reference is the highest, as text
    "RF-2026-9999" would sort after "RF-2026-10000"). Two saves at once may pick the same
    one; the unique column refuses the second."""
    start = f"{prefix}-{year}-"
    last = db.session.scalar(
        select(model.reference)
        .where(model.reference.like(f"{start}%"))
        .order_by(func.length(model.reference).desc(), model.reference.desc())
        .limit(1)
    )
    number = int(last.removeprefix(start)) + 1 if last else 1
    return f"{start}{number:04d}"
