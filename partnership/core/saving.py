"""Saving a form's record: all of it or none of it, and the form back if it fails."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from partnership.core import locking, outage
from partnership.core.catalogue import gettext as _
from partnership.core.forms import record_id
from partnership.extensions import db

T = TypeVar("T")


class Refused(ValueError):
    """A service's refusal of what it was asked, with the message for the person and the
    form field it is about (None: the form as a whole)."""

    field: str | None = None

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if field is not None:
            self.field = field


class StaleEdit(Refused):
    """The form was opened on an older version of its record than the one saved now."""

    def __init__(self, since: int | None) -> None:
        # save_or_keep words the message (locking.explain): who changed what, and when.
        super().__init__("the record changed after the form was opened")
        self.since = since


def check_version(record: locking.Versioned, submitted: Any) -> None:
    """Refuse a change made to an older version of ``record`` than the one saved now (the
    form carries the version it was opened on). Raises :class:`StaleEdit`."""
    version = record_id(submitted)  # a positive whole number, as ids are
    if version is None:
        raise StaleEdit(None)
    if version != record.version:
        raise StaleEdit(version)


def show_refusals(
    form: Any, refusals: Sequence[Refused], groups: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Put each refusal on its field, unless that field (or one of the fields ``groups``
    puts with it, such as a date and its time) already says what is wrong; refusals about
    the whole form go above it."""
    for refusal in refusals:
        if refusal.field is None or not hasattr(form, refusal.field):
            form.form_errors.append(refusal.message)
            continue
        group = (groups or {}).get(refusal.field, (refusal.field,))
        if any(getattr(form, name).errors for name in group):
            continue
        target = getattr(form, refusal.field)
        target.errors = [*target.errors, refusal.message]


def _changed_meanwhile(record: locking.Versioned | None, loaded: int | None) -> bool:
    """Whether someone else saved ``record`` after this request read it (version
    ``loaded``); asked after a rollback, so the version is read afresh."""
    if record is None or loaded is None:
        return False
    try:
        return record.version != loaded
    except SQLAlchemyError:  # the database itself is failing: say so, not this
        db.session.rollback()
        return False


def save_or_keep(
    form: Any,
    work: Callable[[], T],
    raced: Callable[[], T | None] | None = None,
    *,
    record: locking.Versioned | None = None,
) -> T | None:
    """Run ``work`` (a service call that adds and flushes) and commit, as one transaction.

    If ``work`` raises :class:`Refused`, or the database fails (unavailable, locked, a
    constraint), everything is rolled back, ``form`` (which still holds what the user
    typed) gets the message in the user's language, and None is returned. A database that
    is down makes the response a 503 (see :mod:`partnership.core.outage`).

    ``raced`` finds the record an earlier send of the same form made (by its submission
    key): when two taps arrive together the database's unique key refuses the second, and
    that one answers with the first one's record rather than an error.

    ``record`` is the versioned record the form changes: the form must carry the version
    it was opened on (``form.version``). A save based on an older version is refused
    before ``work`` runs. One that passed that check but lost a race (someone else's save
    landed before it reached the database) is refused the same way, whether the database
    found it (``StaleDataError``), the service refused what it then read, or the database
    failed. Either way the form says who changed what and when, shows those fields as
    saved now, and moves on to the current version
    (:func:`partnership.core.locking.explain`).
    """
    loaded = record.version if record is not None else None
    try:
        if record is not None:
            check_version(record, form.version.data)
        result = work()
        db.session.commit()
    except StaleEdit as stale:
        db.session.rollback()
        locking.explain(form, record, stale.since)
        return None
    except Refused as refused:
        db.session.rollback()
        if _changed_meanwhile(record, loaded):
            locking.explain(form, record, loaded)
        else:
            show_refusals(form, [refused])
        return None
    except StaleDataError:
        db.session.rollback()
        current_app.logger.info("a save lost a race with another; the form is shown again")
        locking.explain(form, record, loaded)
        return None
    except SQLAlchemyError as error:
        if outage.is_outage(error):
            outage.mark()  # a 503, drawn without asking the database anything more
        db.session.rollback()
        if not outage.happened():
            if raced is not None:
                earlier = raced()
                if earlier is not None:
                    return earlier
            if _changed_meanwhile(record, loaded):
                current_app.logger.info("a save failed as another landed; the form is shown again")
                locking.explain(form, record, loaded)
                return None
        current_app.logger.exception("saving failed; the form is shown again")
        form.form_errors.append(
            _(
                "Sorry, we could not save this just now, so nothing was saved. "
                "Your answers are still here: send the form again. "
                "Photos need attaching again."
            )
        )
        return None
    return result
