"""Red flags: subject access (PDF and JSON) and erasure."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from partnership.auth.models import User
from partnership.core.access import POLICE_ROLES, actor, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.exports import download
from partnership.core.models import utcnow
from partnership.core.saving import save_or_keep
from partnership.subjects import bp, disclosure
from partnership.subjects.forms import AccessRequestForm, EraseForm
from partnership.subjects.models import Subject
from partnership.subjects.visibility import REQUESTERS


def _home(user: User) -> str:
    """Where police and administrators go back to from these pages."""
    if user.role_enum in POLICE_ROLES:
        return url_for("subjects.search")
    return url_for("home.dashboard")


def _find(user: User, form: AccessRequestForm | EraseForm) -> Subject | None:
    """The subject the form's reference names, or None with the message on the field."""
    assert form.reference is not None  # noqa: S101 (only forms that have one come here)
    subject = disclosure.find_for_request(user, form.reference.data or "", utcnow().date())
    if subject is None:
        form.reference.errors = [
            *form.reference.errors,
            _(
                "There is no red flag with the reference %(reference)s. Check the reference.",
                reference=(form.reference.data or "").strip(),
            ),
        ]
    return subject


def _requested(user: User, form: AccessRequestForm) -> tuple[list[Subject], str]:
    """The red flags the request covers, and how they were found ("reference" for a police
    officer who gave one, else "details"); a reference that names none is explained on the
    form."""
    if form.by_reference:
        subject = _find(user, form)
        return ([subject] if subject is not None else []), "reference"
    person = _person(form)
    return disclosure.find_for_details(user, person, utcnow().date()), "details"


def _person(form: AccessRequestForm) -> disclosure.Person:
    born = form.birth_date
    assert born is not None  # noqa: S101 (the form was validated)
    return disclosure.Person(
        name=form.full_name.data or "", date_of_birth=born, address=form.address.data or ""
    )


def _file_name(subjects: list[Subject], extension: str) -> str:
    return f"{'-'.join(subject.reference for subject in subjects)}.{extension}"


@bp.route("/access-request", methods=["GET", "POST"])
@roles_required(*REQUESTERS)
def access_request() -> Any:
    user = actor()
    police = user.role_enum in POLICE_ROLES
    # Police may start from a red flag's page, with its reference filled in.
    form = AccessRequestForm(
        police=police, reference=request.args.get("reference", "") if police else ""
    )
    unmatched: disclosure.Person | None = None
    if form.validate_on_submit():
        subjects, found_by = _requested(user, form)
        reason = form.reason.data or ""
        if not subjects and found_by == "details":
            unmatched = _person(form)
            save_or_keep(form, lambda: disclosure.record_no_match(user, reason, unmatched))
            if not form.form_errors:
                return render_template(
                    "subjects/access_request.html",
                    form=form,
                    back=_home(user),
                    unmatched=unmatched,
                )
        elif form.file_format.data == "json" and subjects:
            data = save_or_keep(
                form,
                lambda: disclosure.subject_access(user, subjects, reason, utcnow(), found_by),
            )
            if data is not None:
                body = json.dumps(data, ensure_ascii=False, indent=2).encode()
                return download(body, _file_name(subjects, "json"), "application/json")
        elif subjects:
            pdf = save_or_keep(
                form,
                lambda: disclosure.subject_access_pdf(user, subjects, reason, utcnow(), found_by),
            )
            if pdf is not None:
                return download(pdf, _file_name(subjects, "pdf"), "application/pdf")
    status = 400 if request.method == "POST" else 200
    return render_template("subjects/access_request.html", form=form, back=_home(user)), status


@bp.route("/erase", methods=["GET", "POST"])
@roles_required(*REQUESTERS)
def erase() -> Any:
    user = actor()
    form = EraseForm(reference=request.args.get("reference", ""))
    if form.validate_on_submit() and (subject := _find(user, form)) is not None:
        reason = form.reason.data or ""
        reference = subject.reference
        merged = [profile.reference for profile in disclosure.merged_profiles(subject)]
        save_or_keep(form, lambda: disclosure.erase_subject(user, subject, reason, utcnow()))
        if not form.form_errors:
            if merged:
                message = _(
                    "Red flag %(reference)s erased, with %(merged)s merged into it.",
                    reference=reference,
                    merged=", ".join(merged),
                )
            else:
                message = _("Red flag %(reference)s erased.", reference=reference)
            flash(message, "success")
            return redirect(_home(user))
    status = 400 if request.method == "POST" else 200
    return render_template("subjects/erase.html", form=form, back=_home(user)), status
