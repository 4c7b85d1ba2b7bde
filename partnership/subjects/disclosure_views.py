"""Red flags: subject access (PDF and JSON) and erasure."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from partnership.auth.models import User
from partnership.core.access import actor, roles_required
from partnership.core.enums import POLICE_ROLES, Role
from partnership.core.models import utcnow
from partnership.core.saving import save_or_keep
from partnership.subjects import bp, disclosure
from partnership.subjects.forms import AccessRequestForm, EraseForm
from partnership.subjects.models import Subject

REQUESTERS = (Role.OFFICER, Role.INSPECTOR, Role.ADMIN)


def _home(user: User) -> str:
    """Where police and administrators go back to from these pages."""
    if user.role_enum in POLICE_ROLES:
        return url_for("subjects.search")
    return url_for("home.dashboard")


def _find(user: User, form: AccessRequestForm | EraseForm) -> Subject | None:
    """The subject the form's reference names, or None with the message on the field."""
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


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/access-request", methods=["GET", "POST"])
@roles_required(*REQUESTERS)
def access_request() -> Any:
    user = actor()
    form = AccessRequestForm(reference=request.args.get("reference", ""))
    if form.validate_on_submit() and (subject := _find(user, form)) is not None:
        reason = form.reason.data or ""
        if form.file_format.data == "json":
            data = save_or_keep(
                form, lambda: disclosure.subject_access(user, subject, reason, utcnow())
            )
            if data is not None:
                body = json.dumps(data, ensure_ascii=False, indent=2).encode()
                return _download(body, f"{subject.reference}.json", "application/json")
        else:
            pdf = save_or_keep(
                form, lambda: disclosure.subject_access_pdf(user, subject, reason, utcnow())
            )
            if pdf is not None:
                return _download(pdf, f"{subject.reference}.pdf", "application/pdf")
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
