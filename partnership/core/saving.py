"""Saving a form's record: all of it or none of it, and the form back if it fails."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from partnership.core import outage
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


def save_or_keep(
    form: Any, work: Callable[[], T], raced: Callable[[], T | None] | None = None
) -> T | None:
    """Run ``work`` (a service call that adds and flushes) and commit, as one transaction.

    ``raced`` finds the record an earlier send of the same form made (by its submission
    key): when two taps arrive together the database's unique key refuses the second, and
    that one answers with the first one's record rather than an error.

    If ``work`` raises :class:`Refused`, or the database fails (unavailable, locked, a
    constraint), everything is rolled back, ``form`` (which still holds what the user
    typed) gets the message in the user's language, and None is returned. A database that
    is down makes the response a 503 (see :mod:`partnership.core.outage`).
    """
    try:
        result = work()
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        show_refusals(form, [refused])
        return None
    except SQLAlchemyError as error:
        if outage.is_outage(error):
            outage.mark()  # a 503, drawn without asking the database anything more
        db.session.rollback()
        if raced is not None and not outage.happened():
            earlier = raced()
            if earlier is not None:
                return earlier
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
