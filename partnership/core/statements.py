"""Statements built once per reader, for the queries every page runs.

Building a query through a feature's visibility rule, and keying it for SQLAlchemy's cache
of compiled statements, costs more than running it: for the header's count of unread
alerts, 0.3 ms to build and key against 0.1 ms to run on SQLite, on every page. For the few
statements every page runs, :class:`PerReader` keeps the statement built for each reader
(and day), so the feature's rule is still the one place that decides, asked once per
reader and day in each process rather than on every page.

A statement is kept under everything about the user that a visibility rule may read,
:data:`READER_ATTRIBUTES` (``tests/core/test_statements.py`` holds the rules to it), the
database it is for (a short list's total is counted differently on each) and the other
arguments: a user whose role or organisation changes gets a statement built for the new one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from partnership.extensions import db

if TYPE_CHECKING:
    from partnership.auth.models import User

S = TypeVar("S")

# The user's columns a visibility rule may read (role_enum and rank_enum read role and rank).
READER_ATTRIBUTES: Final = ("id", "role", "rank", "organisation_id", "designated_pcso")
KEPT: Final = 1024  # statements per kind, per process; the least recently used goes first


def reader_key(user: User) -> tuple[Any, ...]:
    return tuple(getattr(user, name) for name in READER_ATTRIBUTES)


class PerReader(Generic[S]):
    """``build(user, *args)``, remembered per reader and arguments."""

    def __init__(self, build: Callable[..., S], kept: int = KEPT) -> None:
        self._build = build
        self._kept = kept
        self._built: OrderedDict[Hashable, S] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, user: User, *args: Hashable) -> S:
        key = (reader_key(user), db.session.get_bind().dialect.name, args)
        with self._lock:
            built = self._built.get(key)
            if built is not None:
                self._built.move_to_end(key)
                return built
        built = self._build(user, *args)
        with self._lock:
            self._built[key] = built
            while len(self._built) > self._kept:
                self._built.popitem(last=False)
        return built
