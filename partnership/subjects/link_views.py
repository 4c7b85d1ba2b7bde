"""Red flags: linking sightings, Safe Space uses and welfare notes to subjects."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.access import POLICE_ROLES, actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.description import DESCRIPTION_FIELDS
from partnership.core.forms import record_id
from partnership.core.models import utcnow
from partnership.core.saving import save_or_keep
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.sightings.visibility import find_visible_sighting
from partnership.subjects import bp, links, service, suggestions
from partnership.subjects.forms import DetailsObtainedForm, LinkForm, LinkReasonForm
from partnership.subjects.models import Subject
from partnership.subjects.visibility import (
    LINKERS,
    may_link,
    may_unlink,
    personal_fields,
)

# The detail page of each kind of record, and its URL argument.
DETAIL_PAGES = {
    "sighting": ("sightings.detail", "sighting_id"),
    "safe_space_use": ("welfare.safe_space_use_detail", "use_id"),
    "welfare_note": ("welfare.welfare_note_detail", "note_id"),
}


def record_url(record: links.LinkedRecord) -> str:
    endpoint, argument = DETAIL_PAGES[links.kind_of(record)]
    values: dict[str, Any] = {argument: record.id}
    return url_for(endpoint, **values)


def _justification(form: LinkReasonForm) -> str:
    return service.reason_said(form.reason.data or "", form.detail.data or "")


def _load_linkable(kind: str, record_id: int) -> links.LinkedRecord:
    user = actor()
    record = links.find_record(user, kind, record_id)
    if record is None or not may_link(user, record):
        abort(404)
    return record


def _chosen_subject(form: LinkForm, user: User, today: date) -> Subject | None:
    """The subject a suggestion's button or the typed reference names, or None with the
    problem put on the form."""
    chosen = request.form.get("subject_id", "")
    typed = (form.reference.data or "").strip()
    if chosen:
        found = record_id(chosen)
        subject = links.find_subject(user, found, today) if found else None
        if subject is None:
            form.form_errors.append(
                _("That red flag can no longer be linked. Choose another or enter a reference.")
            )
        return subject
    if not typed:
        form.reference.errors = [
            *form.reference.errors,
            _("Enter a red flag reference or choose a suggested red flag"),
        ]
        return None
    subject = links.find_by_reference(user, typed, today)
    if subject is None:
        form.reference.errors = [
            *form.reference.errors,
            _(
                "There is no red flag with the reference %(reference)s."
                " Check the reference and try again.",
                reference=typed,
            ),
        ]
    return subject


@bp.route("/link/<kind>/<int:record_id>", methods=["GET", "POST"])
@roles_required(*LINKERS)
def link(kind: str, record_id: int) -> Any:
    user = actor()
    record = _load_linkable(kind, record_id)
    now = utcnow()
    form = LinkForm()
    if request.method == "POST":
        valid = form.validate_on_submit()
        subject = _chosen_subject(form, user, now.date())
        if valid and subject is not None:
            reason = _justification(form)
            made = save_or_keep(form, lambda: links.link_record(user, subject, record, reason, now))
            if made is not None:
                flash(
                    _("Linked to red flag %(reference)s.", reference=subject.reference),
                    "success",
                )
                return redirect(record_url(record))
    suggested = suggestions.suggestions(user, record, now.date())
    # The page shows subject cards: leave a trace of which.
    audit.record(
        "subject.suggestions_shown",
        actor=user,
        object_type=kind,
        object_id=record.id,
        subjects=[suggestion.subject.id for suggestion in suggested],
    )
    db.session.commit()
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "subjects/link.html",
            form=form,
            record=record,
            kind=kind,
            record_url=record_url(record),
            suggestions=suggested,
            personal=personal_fields(user),
        ),
        status,
    )


@bp.route("/links/<int:link_id>/remove", methods=["POST"])
@roles_required(*LINKERS)
def unlink(link_id: int) -> Any:
    user = actor()
    now = utcnow()
    found = links.find_link(user, link_id, now.date())
    if found is None or not may_unlink(user, found):
        abort(404)
    back = record_url(found.record)
    reference = found.subject.reference
    links.unlink(user, found, now)
    db.session.commit()
    flash(_("Link to red flag %(reference)s removed.", reference=reference), "success")
    return redirect(back)


def _prefill(sighting: Sighting) -> dict[str, Any]:
    """The description fields of the sighting, to start the new red flag from."""
    data = {name: getattr(sighting, name) for name in DESCRIPTION_FIELDS}
    data["description"] = sighting.description
    return data


@bp.route("/details/<int:sighting_id>", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def details_obtained(sighting_id: int) -> Any:
    user = actor()
    sighting = get_or_404(find_visible_sighting(user, sighting_id))
    form = DetailsObtainedForm(data=_prefill(sighting) if request.method == "GET" else None)
    if request.method == "POST":
        valid = form.validate_on_submit()
        typed = (form.reference.data or "").strip()
        existing = links.find_by_reference(user, typed, utcnow().date()) if typed else None
        if typed and existing is None:
            form.reference.errors = [
                *form.reference.errors,
                _(
                    "There is no red flag with the reference %(reference)s."
                    " Check the reference, or leave it blank to add a new red flag.",
                    reference=typed,
                ),
            ]
        elif valid:
            reason = _justification(form)
            data = None if existing is not None else service.subject_data(form)
            made = save_or_keep(
                form,
                lambda: links.record_details_obtained(
                    user, sighting, utcnow(), subject=existing, data=data, reason=reason
                ),
            )
            if made is not None:
                flash(
                    _(
                        "Details obtained recorded on red flag %(reference)s.",
                        reference=made.subject.reference,
                    ),
                    "success",
                )
                return redirect(url_for("subjects.profile", subject_id=made.subject_id))
    status = 400 if request.method == "POST" else 200
    return (
        render_template("subjects/details_obtained.html", form=form, sighting=sighting),
        status,
    )
