"""The pages that change an order already made (vary or withdraw a direction; vary, lift
or appeal a notice; end an authorisation early): one form opened on the order's version,
saved all or nothing, then back to the order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request

from partnership.core.locking import Versioned, VersionedForm
from partnership.core.saving import save_or_keep

D = TypeVar("D")
T = TypeVar("T")


def _no_objection() -> None:
    return None


def change_page(
    form: VersionedForm,
    record: Versioned,
    *,
    template: str,
    back: str,
    read: Callable[[], D | None],
    work: Callable[[D], T],
    done: Callable[[T], str],
    opening: Callable[[], Any] = _no_objection,
    **context: Any,
) -> Any:
    """Opened (GET): ``opening`` fills the form's defaults, or gives the response to send
    instead (such as a redirect: the order can no longer be changed), and the form carries
    ``record``'s version. Sent and valid: ``read`` takes what the form says (None if it finds
    something wrong, put on the form: nothing is saved), ``work`` (the service call) makes
    the change from it through :func:`~partnership.core.saving.save_or_keep`, then
    ``done(result)`` is flashed and the browser goes to ``back``. Otherwise ``template`` is
    drawn with the form and ``context`` (400 after a send)."""
    if request.method == "GET":
        instead = opening()
        if instead is not None:
            return instead
        form.opened_on(record)
    elif form.validate_on_submit():
        data = read()
        if data is not None:
            result = save_or_keep(form, lambda: work(data), record=record)
            if result is not None:
                flash(done(result), "success")
                return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status
