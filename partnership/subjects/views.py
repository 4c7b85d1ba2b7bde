"""Red flags: searching, recording and reading subjects, their notes, renewals and expiry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.access import POLICE_ROLES, actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.i18n import local_date
from partnership.core.models import utcnow
from partnership.core.saving import save_or_keep
from partnership.core.uploads import UploadRejected, clean_upload, image_response
from partnership.extensions import db
from partnership.orders.subject_orders import subject_orders
from partnership.subjects import bp, links, service
from partnership.subjects.forms import (
    JustifyForm,
    MergeForm,
    NoteForm,
    PhotoForm,
    RenewForm,
    SearchForm,
    SubjectForm,
)
from partnership.subjects.models import Subject
from partnership.subjects.visibility import (
    MERGERS,
    READERS,
    find_visible_subject,
    personal_fields,
    photos_shown,
    visible_notes,
)

SEARCH_LIMIT = 50
JUSTIFICATIONS = "subject_justifications"


def _justification(subject: Subject, now: datetime) -> dict[str, str] | None:
    """The reason given in this session for viewing ``subject``, while it is current."""
    given = session.get(JUSTIFICATIONS, {}).get(str(subject.id))
    if not given or datetime.fromisoformat(given["until"]) <= now:
        return None
    return dict(given)


def _said(given: dict[str, str]) -> str:
    return service.reason_said(given["reason"], given["detail"])


def _record_viewed(user: User, subject: Subject, given: dict[str, str], **details: Any) -> None:
    """One ``subject.viewed`` event, with the reason given, for a page showing ``subject``'s
    details: its profile, the form changing it, or the merge page showing its card."""
    audit.record(
        "subject.viewed",
        actor=user,
        object_type="subject",
        object_id=subject.id,
        justification=_said(given),
        reason=given["reason"],
        **details,
    )


@bp.route("/")
@roles_required(*READERS)
def search() -> str:
    user = actor()
    form = SearchForm(request.args)
    words = (form.q.data or "").strip() if form.validate() else ""
    subjects = service.search(user, words, utcnow().date(), SEARCH_LIMIT)
    audit.record(
        "subject.searched",
        actor=user,
        query=words,
        shown=len(subjects),
        subjects=[subject.id for subject in subjects],
    )
    db.session.commit()
    return render_template(
        "subjects/search.html",
        form=form,
        subjects=subjects,
        limit=SEARCH_LIMIT,
        can_create=user.role_enum in POLICE_ROLES,
        personal=personal_fields(user),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def create() -> Any:
    user = actor()
    form = SubjectForm()
    if form.validate_on_submit():
        data = service.subject_data(form)
        subject = save_or_keep(form, lambda: service.create_subject(user, data, utcnow()))
        if subject is not None:
            flash(_("Red flag %(reference)s saved.", reference=subject.reference), "success")
            return redirect(url_for("subjects.profile", subject_id=subject.id))
    status = 400 if request.method == "POST" else 200
    return render_template("subjects/subject_form.html", form=form, subject=None), status


@bp.route("/<int:subject_id>/edit", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def edit(subject_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    given = _justification(subject, utcnow())
    if given is None:  # reading the details needs a reason too
        return redirect(url_for("subjects.profile", subject_id=subject.id))
    form = SubjectForm(obj=subject if request.method == "GET" else None)
    if request.method == "GET":
        form.opened_on(subject)
    if form.validate_on_submit():
        data = service.subject_data(form)
        changed = save_or_keep(
            form, lambda: service.update_subject(user, subject, data, utcnow()), record=subject
        )
        if not form.form_errors:
            flash(_("Changes saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("subjects.profile", subject_id=subject.id))
    status = 400 if request.method == "POST" else 200
    _record_viewed(user, subject, given, page="edit")
    db.session.commit()
    return render_template("subjects/subject_form.html", form=form, subject=subject), status


@bp.route("/<int:subject_id>")
@roles_required(*READERS)
def profile(subject_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    if subject.merged_into is not None:
        flash(
            _(
                "%(reference)s was merged into %(other)s.",
                reference=subject.reference,
                other=subject.merged_into.reference,
            ),
            "info",
        )
        return redirect(url_for("subjects.profile", subject_id=subject.merged_into.id))
    now = utcnow()
    given = _justification(subject, now)
    if given is None:
        return render_template("subjects/justify.html", form=JustifyForm(), subject=subject)
    notes = list(db.session.scalars(visible_notes(user, subject, now.date())))
    _record_viewed(user, subject, given, page="profile", notes_shown=len(notes))
    db.session.commit()
    return render_template(
        "subjects/profile.html",
        subject=subject,
        notes=notes,
        today=now.date(),
        personal=personal_fields(user),
        is_police=user.role_enum in POLICE_ROLES,
        can_merge=user.role_enum in MERGERS,
        photos=subject.photos if photos_shown(user) else [],
        seen=links.links_for_subject(user, subject),
        orders=subject_orders(user, subject, now),
    )


@bp.route("/<int:subject_id>/justify", methods=["POST"])
@roles_required(*READERS)
def justify(subject_id: int) -> Any:
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    form = JustifyForm()
    if form.validate_on_submit():
        given = dict(session.get(JUSTIFICATIONS, {}))
        given[str(subject.id)] = {
            "reason": form.reason.data or "",
            "detail": (form.detail.data or "").strip(),
            "until": (utcnow() + service.JUSTIFICATION_LIFETIME).isoformat(),
        }
        session[JUSTIFICATIONS] = given
        return redirect(url_for("subjects.profile", subject_id=subject.id))
    return render_template("subjects/justify.html", form=form, subject=subject), 400


def _note_data(form: NoteForm) -> service.NoteData:
    police = form.sharing.data == "police"
    return service.NoteData(
        text=form.text.data or "",
        sharing=form.sharing.data or "",
        behaviours=list(form.behaviours.data or []),
        source_evaluation=(form.source_evaluation.data or "") if police else "",
        intelligence_assessment=(form.intelligence_assessment.data or "") if police else "",
        handling_code=(form.handling_code.data or "") if police else "",
    )


@bp.route("/<int:subject_id>/notes/new", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def note_create(subject_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    form = NoteForm()
    if form.validate_on_submit():
        data = _note_data(form)
        note = save_or_keep(form, lambda: service.add_note(user, subject, data, utcnow()))
        if note is not None:
            flash(_("Note saved."), "success")
            return redirect(url_for("subjects.profile", subject_id=subject.id))
    status = 400 if request.method == "POST" else 200
    return render_template("subjects/note_form.html", form=form, subject=subject), status


@bp.route("/<int:subject_id>/notes/<int:note_id>/renew", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def note_renew(subject_id: int, note_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    note = get_or_404(service.find_note(subject, note_id))
    form = RenewForm()
    if request.method == "GET":
        form.opened_on(note)
    if form.validate_on_submit():
        reason = form.reason.data or ""
        renewal = save_or_keep(
            form, lambda: service.renew_note(user, note, reason, utcnow()), record=note
        )
        if renewal is not None:
            flash(
                _("Note kept until %(day)s.", day=local_date(renewal.new_review_on)),
                "success",
            )
            return redirect(url_for("subjects.profile", subject_id=subject.id))
    status = 400 if request.method == "POST" else 200
    return (
        render_template("subjects/renew.html", form=form, subject=subject, note=note),
        status,
    )


def _reasoned(subject: Subject) -> dict[str, str] | None:
    """The current reason given for ``subject``; pages beyond the profile need one too."""
    return _justification(subject, utcnow())


@bp.route("/<int:subject_id>/merge", methods=["GET", "POST"])
@roles_required(*MERGERS)
def merge(subject_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    given = _reasoned(subject)
    if subject.merged_into_id is not None or given is None:
        return redirect(url_for("subjects.profile", subject_id=subject.id))
    form = MergeForm()
    if request.method == "GET":
        form.opened_on(subject)
    if form.validate_on_submit():
        now = utcnow()
        other = service.find_by_reference(user, form.other.data or "", now.date())
        if other is None:
            form.other.errors = [_("No red flag you can see has that reference")]
        else:
            reason = form.reason.data or ""
            kept = save_or_keep(
                form,
                lambda: service.merge_subjects(user, subject, other, reason, now),
                record=subject,
            )
            if kept is not None:
                flash(
                    _(
                        "%(other)s merged into %(reference)s.",
                        other=other.reference,
                        reference=subject.reference,
                    ),
                    "success",
                )
                return redirect(url_for("subjects.profile", subject_id=subject.id))
    status = 400 if request.method == "POST" else 200
    _record_viewed(user, subject, given, page="merge")
    db.session.commit()
    return render_template(
        "subjects/merge.html",
        form=form,
        subject=subject,
        personal=personal_fields(user),
    ), status


@bp.route("/<int:subject_id>/photos/new", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def photo_add(subject_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    if _reasoned(subject) is None:
        return redirect(url_for("subjects.profile", subject_id=subject.id))
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            image = clean_upload(form.photo.data)
        except UploadRejected as rejected:
            form.photo.errors = [rejected.message]
        else:
            added = save_or_keep(form, lambda: service.add_photo(user, subject, image, utcnow()))
            if added is not None:
                flash(_("Photo added."), "success")
                return redirect(url_for("subjects.profile", subject_id=subject.id))
    status = 400 if request.method == "POST" else 200
    return render_template("subjects/photo_form.html", form=form, subject=subject), status


@bp.route("/<int:subject_id>/photos/<int:photo_id>")
@roles_required(*READERS)
def photo(subject_id: int, photo_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    if not photos_shown(user):
        abort(404)
    shown = get_or_404(service.find_photo(subject, photo_id))
    given = _reasoned(subject)
    if given is None:
        return redirect(url_for("subjects.profile", subject_id=subject.id))
    audit.record(
        "subject.photo_viewed",
        actor=user,
        object_type="subject",
        object_id=subject.id,
        justification=_said(given),
        photo=shown.id,
    )
    db.session.commit()
    return image_response(shown, f"{subject.reference}-{shown.id}.jpg")


@bp.route("/<int:subject_id>/photos/<int:photo_id>/remove", methods=["POST"])
@roles_required(*POLICE_ROLES)
def photo_remove(subject_id: int, photo_id: int) -> Any:
    user = actor()
    subject = get_or_404(find_visible_subject(actor(), subject_id, utcnow().date()))
    shown = get_or_404(service.find_photo(subject, photo_id))
    service.remove_photo(user, shown, utcnow())
    db.session.commit()
    flash(_("Photo removed."), "success")
    return redirect(url_for("subjects.profile", subject_id=subject.id))


@bp.cli.command("expire")
def expire_command() -> None:
    """Mark notes past their review date as expired (one audit event per note)."""
    expired = service.expire_overdue(utcnow())
    db.session.commit()
    click.echo(f"Expired {len(expired)} note(s).")
