"""Saving a form's record: all of it or none of it, and the form back if it fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from partnership.extensions import db

T = TypeVar("T")


def save_or_keep(form: Any, work: Callable[[], T]) -> T | None:
    """Run ``work`` (a service call that adds and flushes) and commit, as one transaction.

    On a database failure (unavailable, locked, a constraint) everything is
    rolled back, ``form`` (which still holds what the user typed) gets a message
    in the user's language, and None is returned.
    """
    try:
        result = work()
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
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
