"""Long reports as background runs, so no one waits on a page that might time out.

A report over more than :data:`LONG_RANGE_NIGHTS` nights (longer than the quarter preset)
is not worked out while the browser waits. The report page starts a :class:`ReportRun`,
gives it :data:`PATIENCE_SECONDS` to finish (a year of a small partnership's nights opens
straight away) and then sends the reader to its address: the report when it is done, else a
status page saying how far it has got (without JavaScript, a "Check again" button; with it,
``reports.js`` asks ``reports.run_progress`` every two seconds and opens the report when it
is done). The figures are worked out in a thread of the app
process that took the request (:func:`launch`), through the same
:func:`~partnership.reports.figures.build_report` as a short report, and kept as JSON in
the run. Any app process can then show them: the run is in the database.

What a run keeps is the unsuppressed :class:`~partnership.reports.figures.Report` (counts and
subject ids, never names or free text); it is suppressed and pseudonymised for its reader
each time it is shown, like a short report. Only the person who asked may open it (404 for
anyone else). The same person asking the same question again within :data:`REUSE_FOR` gets
the same run, so the page, each export and the pack of one long report count once. A run
still unfinished after :data:`GIVE_UP_AFTER` (its process stopped, say) is shown as failed,
with a button to start again. Runs older than :data:`KEEP_FOR` are deleted when the next run
starts.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import secrets
import time
import types
import typing
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from flask import Flask, current_app
from sqlalchemy import delete, select

from partnership.core.models import utcnow
from partnership.extensions import db
from partnership.reports.figures import BUILD_STEPS, Report, build_report
from partnership.reports.models import ReportRun
from partnership.reports.service import ReportChoice

if TYPE_CHECKING:
    from partnership.auth.models import User

log = logging.getLogger(__name__)

# Reports over more nights than this run in the background: the quarter (91 nights) and
# anything shorter open at once.
LONG_RANGE_NIGHTS: Final = 92
REUSE_FOR: Final = timedelta(hours=1)
GIVE_UP_AFTER: Final = timedelta(minutes=15)
KEEP_FOR: Final = timedelta(days=1)
# How long the report page waits for a run before answering with its status page.
PATIENCE_SECONDS: Final = 1.0
# Runs at a time in one app process: long reports queue rather than crowd the database.
WORKERS: Final = 2

WAITING, RUNNING, DONE, FAILED = "waiting", "running", "done", "failed"
# What a run's id can look like (secrets.token_urlsafe, in a 32-character column).
RUN_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,32}")
_executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="report-run")


def is_long(choice: ReportChoice) -> bool:
    return choice.period.nights > LONG_RANGE_NIGHTS


def state_of(run: ReportRun, now: datetime) -> str:
    """The run's state, a run unfinished after :data:`GIVE_UP_AFTER` counting as failed."""
    if run.state in (WAITING, RUNNING) and now - run.created_at > GIVE_UP_AFTER:
        return FAILED
    return run.state


def find_run(user: User, run_id: str) -> ReportRun | None:
    """The run ``run_id`` if ``user`` asked for it; None for anyone else's or none (and for
    an address that cannot be a run's, which the database might not even take)."""
    if not RUN_ID.fullmatch(run_id):
        return None
    return db.session.scalar(
        select(ReportRun).where(ReportRun.id == run_id, ReportRun.user_id == user.id)
    )


def start_run(user: User, choice: ReportChoice, now: datetime) -> tuple[ReportRun, bool]:
    """The run answering ``choice`` for ``user``: the one already under way or done within
    :data:`REUSE_FOR`, else a new one waiting to be launched (True). Flushes, never commits;
    deletes the runs older than :data:`KEEP_FOR`."""
    arguments = choice.query_args()
    recent = db.session.scalars(
        select(ReportRun)
        .where(ReportRun.user_id == user.id, ReportRun.created_at > now - REUSE_FOR)
        .order_by(ReportRun.created_at.desc())
    )
    for run in recent:
        if run.arguments == arguments and state_of(run, now) != FAILED:
            return run, False
    db.session.execute(delete(ReportRun).where(ReportRun.created_at < now - KEEP_FOR))
    run = ReportRun(
        id=secrets.token_urlsafe(16),
        user_id=user.id,
        arguments=arguments,
        first_night=choice.period.first_night,
        last_night=choice.period.last_night,
        state=WAITING,
        step=0,
        steps=BUILD_STEPS,
        created_at=now,
    )
    db.session.add(run)
    db.session.flush()
    return run, True


def wait_for(run_id: str, seconds: float) -> None:
    """Wait up to ``seconds`` for the run to finish, so a long range with little data in it
    opens at once rather than through the status page."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = db.session.scalar(select(ReportRun.state).where(ReportRun.id == run_id))
        db.session.rollback()  # the next look must see what the run has committed since
        if state in (DONE, FAILED):
            return
        time.sleep(0.05)


def launch(run_id: str, choice: ReportChoice, now: datetime) -> None:
    """Work the run out in the background, after the request has committed it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _executor.submit(_work, app, run_id, choice, now)


def _work(app: Flask, run_id: str, choice: ReportChoice, now: datetime) -> None:
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        if run is None:
            return
        run.state = RUNNING
        db.session.commit()

        def progress(done: int) -> None:
            run.step = done
            db.session.commit()

        try:
            report = build_report(choice.period, choice.filters, now=now, progress=progress)
            run.result = to_json(report)
            run.state = DONE
        except Exception as error:  # any failure is shown as one
            db.session.rollback()
            log.exception("report run %s failed", run_id)
            run.state = FAILED
            run.failure = type(error).__name__
        run.finished_at = utcnow()
        db.session.commit()
        db.session.remove()


def finished_report(user: User, choice: ReportChoice, now: datetime) -> Report | None:
    """The figures of a finished run of ``user``'s for ``choice`` within :data:`REUSE_FOR`,
    for the exports and the pack of a report already worked out; None if there is none."""
    arguments = choice.query_args()
    runs = db.session.scalars(
        select(ReportRun).where(
            ReportRun.user_id == user.id,
            ReportRun.state == DONE,
            ReportRun.created_at > now - REUSE_FOR,
        )
    )
    for run in runs:
        if run.arguments == arguments and run.result is not None:
            report: Report = from_json(Report, run.result)
            return report
    return None


# -- The figures as JSON ----------------------------------------------------------------------


def report_for(user: User, choice: ReportChoice, now: datetime) -> Report:
    """The figures an export or the pack of ``choice`` prints for ``user``: those of their
    finished run for it if there is one (a long report already worked out), else worked
    out now."""
    if is_long(choice):
        finished = finished_report(user, choice, now)
        if finished is not None:
            return finished
    return build_report(choice.period, choice.filters, now=now)


def to_json(value: Any) -> Any:
    """A report (or any part of it) as plain JSON values: dataclasses as objects, tuples as
    lists, dates as ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in _fields(value)}
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json(kind: Any, value: Any) -> Any:
    """The inverse of :func:`to_json`, led by the type annotations of ``kind``."""
    origin = typing.get_origin(kind)
    arguments = typing.get_args(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                field.name: from_json(hints[field.name], value[field.name])
                for field in _fields(kind)
                if field.name in value
            }
        )
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (kind,) = [argument for argument in arguments if argument is not type(None)]
        return from_json(kind, value)
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(from_json(arguments[0], item) for item in value)
        return tuple(from_json(a, item) for a, item in zip(arguments, value, strict=True))
    if origin in (Mapping, dict) or kind is Mapping:
        return {key: from_json(arguments[1], item) for key, item in value.items()}
    if kind is date:
        return date.fromisoformat(value)
    return value


def _fields(value: Any) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(field for field in dataclasses.fields(value) if field.init)
