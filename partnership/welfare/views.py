"""Recording, listing and reading Safe Space uses and welfare notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute
from wtforms.fields.choices import SelectChoice

from partnership.auth.models import User
from partnership.core import audit, submissions
from partnership.core.access import POLICE_ROLES, actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.fields import add_error, read_moment
from partnership.core.forms import record_id
from partnership.core.keyset import Cursor, newest_first
from partnership.core.models import utcnow
from partnership.core.saving import save_or_keep
from partnership.core.submissions import Submission
from partnership.core.when import local_parts
from partnership.extensions import db
from partnership.subjects import links
from partnership.welfare import bp, service
from partnership.welfare.forms import (
    STILL_HERE,
    NightsFilterForm,
    SafeSpaceUseForm,
    WelfareNoteForm,
)
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from partnership.welfare.visibility import (
    SAFE_SPACE_RECORDERS,
    WELFARE_NOTE_WRITERS,
    WELFARE_READERS,
    find_visible_safe_space_use,
    find_visible_welfare_note,
    visible_safe_space_uses,
    visible_welfare_notes,
)

PAGE_SIZE = 25

# Which form fields hold each part of the departure, as core/when.py names them.
LEFT_FIELDS = {"when": "left", "day": "left_day", "clock": "left_clock", "fold": "left_fold"}

Record = TypeVar("Record", SafeSpaceUse, WelfareNote)


def _handover_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Choose an organisation"))] + [
        SelectChoice(str(o.id), f"{o.name} ({o.kind_enum.label})")
        for o in service.handover_organisations()
    ]


def _start(form: Any, now: datetime) -> None:
    """A new form: its key, and today's date and time ready for an "Earlier" answer."""
    form.submission_key.data = submissions.new_key()
    form.day.data, form.clock.data = local_parts(now)


def _person_helped(form: Any) -> dict[str, Any]:
    """What the form's :class:`~partnership.welfare.forms.PersonHelpedFields` and its
    support say, as :class:`~partnership.welfare.service.PersonHelpedData` takes it."""
    return {
        "age_band": form.age_band.data or "",
        "gender": form.gender.data or "",
        "support": list(form.support.data or []),
        "handed_to": form.handed_to.data or "",
        "handed_to_organisation_id": record_id(form.handed_to_organisation_id.data),
        "notes": form.notes.data or "",
    }


def _sent_before(
    form: Any, sent: Submission | None, valid: bool, find: Callable[[str], Record | None]
) -> tuple[bool, Record | None]:
    """Whether the form may still be saved, and the record already made from this very
    form (sent twice) if there is one; a key sent again with other answers is refused."""
    if valid and sent is not None:
        existing = find(sent.key)
        if existing is not None:
            if submissions.same_answers(existing, sent):  # the same form sent twice
                return valid, existing
            submissions.refuse(form)
            return False, None
    return valid, None


def _save_once(
    form: Any,
    sent: Submission,
    record: Callable[[], Record],
    find: Callable[[str], Record | None],
    saved: str,
) -> Record | None:
    """The record made (saying ``saved``), or the one the same form made meanwhile; None
    when the form is shown again with the problem."""
    made = save_or_keep(form, record, raced=lambda: submissions.earlier(find(sent.key), sent))
    if made is not None:
        flash(saved, "success")
        return made
    raced = find(sent.key)
    if raced is not None and submissions.same_answers(raced, sent):
        return raced
    return None


def _safe_space_data(
    form: SafeSpaceUseForm, arrived_at: datetime, left_at: datetime | None
) -> service.SafeSpaceUseData:
    return service.SafeSpaceUseData(
        venue_id=record_id(form.venue_id.data),
        arrived_at=arrived_at,
        left_at=left_at,
        reasons=list(form.reasons.data or []),
        **_person_helped(form),
    )


@bp.route("/safe-space/new", methods=["GET", "POST"])
@roles_required(*SAFE_SPACE_RECORDERS)
def safe_space_use_create() -> Any:
    user = actor()
    now = utcnow()
    venues = service.safe_space_venues(user)
    form = SafeSpaceUseForm()
    form.venue_id.choices = [SelectChoice("", _("Choose a venue"))] + [
        SelectChoice(str(v.id), v.name) for v in venues
    ]
    form.handed_to_organisation_id.choices = _handover_choices()
    if request.method == "GET":
        if not venues:
            return render_template(
                "welfare/no_safe_space.html", police=user.role_enum in POLICE_ROLES
            )
        _start(form, now)
        form.left_day.data, form.left_clock.data = form.day.data, form.clock.data
        if len(venues) == 1:
            form.venue_id.data = str(venues[0].id)
        return render_template("welfare/safe_space_form.html", form=form)

    sent = submissions.received(form)
    find = partial(service.find_safe_space_use_by_key, user)
    valid, existing = _sent_before(form, sent, form.validate_on_submit(), find)
    if existing is not None:
        return redirect(url_for("welfare.safe_space_use_detail", use_id=existing.id))
    arrived_at = read_moment(form, now)
    still_here = form.left.data == STILL_HERE
    left_at = None if still_here else read_moment(form, now, LEFT_FIELDS)
    arrived, left = arrived_at is not None, still_here or left_at is not None
    # Every rule is checked even when other answers are wrong, so all problems show at
    # once; the departure can only be compared with an arrival that was understood.
    data = _safe_space_data(form, arrived_at or now, left_at if arrived else None)
    problems = service.safe_space_use_problems(user, data)
    for problem in problems:
        add_error(getattr(form, problem.field), problem.message)
    if valid and sent is not None and arrived and left and not problems:
        use = _save_once(
            form,
            sent,
            lambda: service.record_safe_space_use(user, data, sent.key, sent.digest),
            find,
            _("Safe Space use saved. Thank you."),
        )
        if use is not None:
            return redirect(url_for("welfare.safe_space_use_detail", use_id=use.id))
    return render_template("welfare/safe_space_form.html", form=form), 400


def _welfare_note_data(form: WelfareNoteForm, occurred_at: datetime) -> service.WelfareNoteData:
    return service.WelfareNoteData(
        occurred_at=occurred_at,
        venue_id=record_id(form.venue_id.data),
        place=form.place.data or "",
        **_person_helped(form),
    )


@bp.route("/notes/new", methods=["GET", "POST"])
@roles_required(*WELFARE_NOTE_WRITERS)
def welfare_note_create() -> Any:
    user = actor()
    now = utcnow()
    form = WelfareNoteForm()
    form.venue_id.choices = [SelectChoice("", _("Not at a venue: I'll describe the place"))] + [
        SelectChoice(str(v.id), v.name) for v in service.venues()
    ]
    form.handed_to_organisation_id.choices = _handover_choices()
    if request.method == "GET":
        _start(form, now)
        return render_template("welfare/note_form.html", form=form)

    sent = submissions.received(form)
    find = partial(service.find_welfare_note_by_key, user)
    valid, existing = _sent_before(form, sent, form.validate_on_submit(), find)
    if existing is not None:
        return redirect(url_for("welfare.welfare_note_detail", note_id=existing.id))
    occurred_at = read_moment(form, now)
    understood = occurred_at is not None
    data = _welfare_note_data(form, occurred_at or now)
    problems = service.welfare_note_problems(data)
    for problem in problems:
        add_error(getattr(form, problem.field), problem.message)
    if valid and sent is not None and understood and not problems:
        note = _save_once(
            form,
            sent,
            lambda: service.record_welfare_note(user, data, sent.key, sent.digest),
            find,
            _("Welfare note saved. Thank you."),
        )
        if note is not None:
            return redirect(url_for("welfare.welfare_note_detail", note_id=note.id))
    return render_template("welfare/note_form.html", form=form), 400


def _listing(
    endpoint: str,
    query: Select[tuple[Record]],
    night: InstrumentedAttribute[date],
    ident: InstrumentedAttribute[int],
    action: str,
    user: User,
) -> dict[str, Any]:
    """A page of a visibility-scoped list, newest first, within the nights asked for;
    what the template needs, and the view's audit event left."""
    form = NightsFilterForm(request.args)
    if form.validate() and (form.night_from.data or form.night_to.data):
        first = form.night_from.data or form.night_to.data
        last = form.night_to.data or form.night_from.data
        assert first is not None and last is not None  # noqa: S101 (one is set, so both are)
        query = query.where(night >= min(first, last), night <= max(first, last))
    cursor = Cursor.decode(request.args.get("after"))
    page = newest_first(query, night, ident, cursor, PAGE_SIZE)
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    next_url = url_for(endpoint, **args, after=page.next.encode()) if page.next else None
    audit.record(action, actor=user, filters=args, shown=len(page.rows))
    return {
        "form": form,
        "records": page.rows,
        "next_url": next_url,
        "newest_url": url_for(endpoint, **args),
        "first_page": cursor is None,
    }


@bp.route("/safe-space/")
@roles_required(*WELFARE_READERS)
def safe_space_uses() -> str:
    user = actor()
    listing = _listing(
        "welfare.safe_space_uses",
        visible_safe_space_uses(user),
        SafeSpaceUse.night,
        SafeSpaceUse.id,
        "safe_space_use.list_viewed",
        user,
    )
    db.session.commit()
    return render_template(
        "welfare/safe_space_list.html",
        can_create=user.role_enum in SAFE_SPACE_RECORDERS,
        **listing,
    )


@bp.route("/notes/")
@roles_required(*WELFARE_READERS)
def welfare_notes() -> str:
    user = actor()
    listing = _listing(
        "welfare.welfare_notes",
        visible_welfare_notes(user),
        WelfareNote.night,
        WelfareNote.id,
        "welfare_note.list_viewed",
        user,
    )
    db.session.commit()
    return render_template(
        "welfare/note_list.html", can_create=user.role_enum in WELFARE_NOTE_WRITERS, **listing
    )


@bp.route("/safe-space/<int:use_id>")
@roles_required(*WELFARE_READERS)
def safe_space_use_detail(use_id: int) -> str:
    user = actor()
    use = get_or_404(find_visible_safe_space_use(user, use_id))
    audit.record(
        "safe_space_use.viewed", actor=user, object_type="safe_space_use", object_id=use.id
    )
    db.session.commit()
    return render_template(
        "welfare/safe_space_detail.html",
        use=use,
        red_flags=links.record_links(user, use, utcnow().date()),
    )


@bp.route("/notes/<int:note_id>")
@roles_required(*WELFARE_READERS)
def welfare_note_detail(note_id: int) -> str:
    user = actor()
    note = get_or_404(find_visible_welfare_note(user, note_id))
    audit.record("welfare_note.viewed", actor=user, object_type="welfare_note", object_id=note.id)
    db.session.commit()
    return render_template(
        "welfare/note_detail.html",
        note=note,
        red_flags=links.record_links(user, note, utcnow().date()),
    )
