"""Keyset paging for lists of night records, newest night first: page 5,000 costs what
page 1 does, and a record added while someone reads never shifts what the next page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import Row, Select, literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from partnership.core.forms import record_id
from partnership.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just after the record with this night and id."""

    night: date
    id: int

    def encode(self) -> str:
        return f"{self.night.isoformat()}_{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """The cursor in ``raw``, or None (the first page) if it is missing or malformed."""
        if not raw or "_" not in raw:
            return None
        night, _sep, raw_id = raw.partition("_")
        ident = record_id(raw_id)
        try:
            return cls(date.fromisoformat(night), ident) if ident else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    next: Cursor | None  # None: this is the last page


def newest_first(
    query: Select[tuple[T]],
    night: InstrumentedAttribute[date],
    ident: InstrumentedAttribute[int],
    after: Cursor | None,
    size: int,
) -> Page[T]:
    """One page of ``query`` ordered by night then id, newest first, starting after ``after``.

    ``query`` must already be scoped to what the user may see; this only orders and cuts it.
    """
    rows = list(db.session.scalars(_cut(query, night, ident, after, size)))
    return _page(rows, night, ident, size)


def newest_rows(
    query: Select[Any],
    night: InstrumentedAttribute[date],
    ident: InstrumentedAttribute[int],
    after: Cursor | None,
    size: int,
) -> Page[Row[Any]]:
    """:func:`newest_first` for a query of columns (``night`` and ``ident`` among them)
    rather than of records: a list that reads only what it shows."""
    rows = list(db.session.execute(_cut(query, night, ident, after, size)))
    return _page(rows, night, ident, size)


def _cut(
    query: Select[Any],
    night: InstrumentedAttribute[date],
    ident: InstrumentedAttribute[int],
    after: Cursor | None,
    size: int,
) -> Select[Any]:
    if after is not None:
        # A row-value comparison: one range scan of the (night, id) index.
        query = query.where(tuple_(night, ident) < tuple_(literal(after.night), literal(after.id)))
    return query.order_by(night.desc(), ident.desc()).limit(size + 1)


def _page(
    rows: list[T], night: InstrumentedAttribute[date], ident: InstrumentedAttribute[int], size: int
) -> Page[T]:
    page = rows[:size]
    last: Any = page[-1] if page else None
    more = len(rows) > size
    return Page(page, Cursor(getattr(last, night.key), getattr(last, ident.key)) if more else None)
