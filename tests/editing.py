"""Two people editing one record at once: the machinery every record type's tests share.

A record type is one :class:`Editable`: how to make the record and its two editors, the
page whose form they both open, the field they both change, and what the record then
holds. :func:`both_open` opens the form for both; :func:`send` sends a form back as a
browser would (every field as the page had it, with what the person typed);
:func:`first_lands_between_check_and_flush` forces the race: the first person's save
lands after the second's passed its version check and before it reaches the database.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from partnership.core import saving
from partnership.extensions import db
from tests.triage.test_triage import form_values

STALE = "Someone else changed this while you were editing it"
GENERIC = "could not save this just now"
# "(7 December 2026, 14:05)": when the other person's change was saved, in London time.
WHEN = r"\(\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}\)"


@dataclass
class Case:
    """One record, ready to be edited by two people at once."""

    record_id: int
    page: str  # the page with the form
    first: FlaskClient
    second: FlaskClient
    first_name: str  # the first person's name, as the refusal gives it
    action: str | None = None  # the form's action, if not the page itself
    # Answers the form needs that it does not start with (a reason, a required choice).
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return self.action or self.page


@dataclass(frozen=True)
class Editable:
    """A kind of record two people may edit at once, and how."""

    name: str
    model: type
    make: Callable[[Any], Case]  # given the test's makers (see test_editing_safely)
    field: str  # the form field both change
    label: str  # how the refusal names what the first person changed
    saved: Callable[[Any], Any]  # what the record holds now, from the record
    first: str = "FIRST-ANSWER"
    second: str = "SECOND-ANSWER"
    # What ``saved`` gives after one person's save of what they typed...
    after_one: Callable[[str], Any] = lambda typed: typed
    # ...and after the second person, having seen the first's change, sends theirs again.
    after_both: Callable[[str, str], Any] = lambda first, second: second
    # A save that can happen only once (ending, an appeal while one waits): sending again,
    # having seen it, is refused with this message instead.
    again_refused: str | None = None
    # Whether the refusal can show the changed field's value as saved now (not when the
    # change is a link to another record: the message names it, the record's page shows it).
    shows_now: bool = True

    def held(self, app: Flask, record_id: int) -> Any:
        with app.app_context():
            record = db.session.get(self.model, record_id)
            assert record is not None
            return self.saved(record)

    def version(self, app: Flask, record_id: int) -> int:
        with app.app_context():
            record = db.session.get(self.model, record_id)
            assert record is not None
            return int(record.version)


def text(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def opened(client: FlaskClient, case: Case) -> MultiDict[str, str]:
    """The form as the page shows it: what a browser would send untouched."""
    response = client.get(case.page)
    assert response.status_code == 200, text(response)
    values = form_values(response.get_data(as_text=True), case.action)
    assert values, f"no form on {case.page}"
    return MultiDict(values)


def both_open(case: Case) -> tuple[MultiDict[str, str], MultiDict[str, str]]:
    first, second = opened(case.first, case), opened(case.second, case)
    assert first["version"] == second["version"] != ""
    return first, second


def answered(form: MultiDict[str, str], case: Case, **typed: str) -> MultiDict[str, str]:
    """``form`` with the case's extra answers and what the person ``typed``."""
    answers = MultiDict(form)
    for name, value in {**case.extra, **typed}.items():
        answers.setlist(name, [value])
    return answers


def send(client: FlaskClient, case: Case, answers: MultiDict[str, str]) -> Any:
    return client.post(case.target, data=answers)


def refused_page_form(response: Any, case: Case) -> MultiDict[str, str]:
    """The form on a refused page, as the browser would send it again."""
    return MultiDict(form_values(response.get_data(as_text=True), case.action))


def assert_told_who_what_and_when(response: Any, case: Case, editable: Editable) -> None:
    """Refused, naming the first person, the changed field and when; never the generic
    failure; the field as saved now shown to see before sending again."""
    page = text(response)
    assert response.status_code == 400, page
    assert GENERIC not in page
    told = re.search(re.escape(f"{STALE}: {case.first_name} changed ") + r"(.*?) " + WHEN, page)
    assert told is not None, page
    assert editable.label in told.group(1).split(", ")
    assert ("What is saved now" in page) is editable.shows_now


@contextmanager
def first_lands_between_check_and_flush(
    monkeypatch: pytest.MonkeyPatch, first_save: Callable[[], Any]
) -> Iterator[dict[str, Any]]:
    """While inside, the next save to pass its version check is held there until
    ``first_save`` (a request of someone else's, run in a thread of its own, with its own
    database session) has saved and committed; then it goes on to the database with the
    version it checked. ``landed["response"]`` is the first save's response."""
    real = saving.check_version
    landed: dict[str, Any] = {}

    def run_first() -> None:
        try:
            landed["response"] = first_save()
        except BaseException as error:
            landed["error"] = error

    def check_then_let_the_first_land(record: Any, submitted: Any) -> None:
        real(record, submitted)
        if "started" in landed:  # the first save's own check
            return
        landed["started"] = True
        thread = threading.Thread(target=run_first)
        thread.start()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the first save did not finish"

    with monkeypatch.context() as patched:
        patched.setattr(saving, "check_version", check_then_let_the_first_land)
        yield landed
    if "error" in landed:
        raise landed["error"]
    assert "response" in landed, "no save reached its version check"


@contextmanager
def released_together(monkeypatch: pytest.MonkeyPatch, saves: int = 2) -> Iterator[None]:
    """While inside, each save waits after its version check until ``saves`` of them have
    passed theirs, then all go on to the database at once."""
    real = saving.check_version
    barrier = threading.Barrier(saves, timeout=30)

    def check_then_wait(record: Any, submitted: Any) -> None:
        real(record, submitted)
        barrier.wait()

    with monkeypatch.context() as patched:
        patched.setattr(saving, "check_version", check_then_wait)
        yield


def in_threads(*sends: Callable[[], Any]) -> list[Any]:
    """Run each of ``sends`` in a thread of its own; their responses, in order."""
    results: list[Any] = [None] * len(sends)

    def run(index: int) -> None:
        try:
            results[index] = sends[index]()
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a save did not finish"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
