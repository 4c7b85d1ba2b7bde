"""Partnership exclusion notices: the list, issuing, reading one, appeals, variation,
lifting, "seen at my venue", the notice's photo, tonight's exclusions, and the letters
as PDFs."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.enums import POLICE_ROLES, DocumentLanguage
from partnership.core.fields import read_moment
from partnership.core.forms import record_id, whole_number
from partnership.core.locking import VersionedForm
from partnership.core.models import utcnow
from partnership.core.pagination import page_number
from partnership.core.saving import save_or_keep
from partnership.core.uploads import image_response
from partnership.extensions import db
from partnership.orders import bp
from partnership.orders.authorisations.visibility import AREA_VIEWERS
from partnership.orders.changes import change_page
from partnership.orders.downloads import asked_language, pdf_download
from partnership.orders.notices import appeals, documents, service
from partnership.orders.notices import tonight as tonight_page
from partnership.orders.notices.forms import (
    CUSTOM_END,
    AppealForm,
    DecideAppealForm,
    LiftNoticeForm,
    NoticeForm,
    VaryNoticeForm,
    VenueBreachForm,
)
from partnership.orders.notices.models import ExclusionNotice
from partnership.orders.notices.visibility import (
    NOTICE_MANAGERS,
    NOTICE_READERS,
    PHOTO_VIEWERS,
    VENUE_BREACH_RECORDERS,
    find_visible_notice,
    is_door_staff,
    manages_notices,
    notice_day,
    reads_notices,
)
from partnership.subjects import links
from partnership.subjects.models import Subject
from partnership.subjects.visibility import find_visible_subject, personal_fields, photos_shown
from partnership.venues.models import Venue


def _record_viewed(user: User, notice: ExclusionNotice, page: str) -> None:
    """One ``notice.viewed`` event for a page showing ``notice`` and its person's red-flag
    card (``page`` says which)."""
    audit.record(
        "notice.viewed",
        actor=user,
        object_type="notice",
        object_id=notice.id,
        reference=notice.reference,
        subject=notice.subject_id,
        page=page,
    )


def _back(notice: ExclusionNotice) -> Any:
    return redirect(url_for("orders.notice_detail", notice_id=notice.id))


@bp.route("/notices/")
@roles_required(*NOTICE_READERS)
def notices() -> str:
    user = actor()
    now = utcnow()
    return render_template(
        "orders/notices/list.html",
        lists=service.notice_lists(user, now, page_number()),
        day=notice_day(now),
        status=service.status,
        status_label=service.status_label,
        ended_shown=service.ENDED_SHOWN,
        can_issue=manages_notices(user),
    )


def _incident_choices(form: NoticeForm, subject: Subject | None) -> list[Any]:
    incidents = service.incident_choices(subject) if subject is not None else []
    form.incidents.choices = [SelectChoice(str(sighting.id), "") for sighting in incidents]
    return incidents


def _notice_data(form: NoticeForm) -> service.NoticeData:
    duration = form.duration.data or ""
    return service.NoticeData(
        subject_reference=form.subject_reference.data or "",
        reasons=form.reasons.data or "",
        starts_on=form.starts_on.data,
        duration_months=whole_number(duration, largest=120, smallest=1),
        ends_on=form.ends_on.data if duration == CUSTOM_END else None,
        review_on=form.review_on.data,
        incident_ids=[i for raw in form.incidents.data or [] if (i := record_id(raw))],
        warned_on=form.warned_on.data,
        warning_note=form.warning_note.data or "",
        include_photo=bool(form.include_photo.data),
        appeal_how=form.appeal_how.data or "",
        appeal_by=form.appeal_by.data,
    )


@bp.route("/notices/new", methods=["GET", "POST"])
@roles_required(*NOTICE_MANAGERS)
def notice_create() -> Any:
    user = actor()
    now = utcnow()
    today = service.local_today(now)
    form = NoticeForm()
    subject: Subject | None = None
    if request.method == "GET":
        raw = request.args.get("subject_id", "")
        if raw:
            chosen = record_id(raw)
            subject = links.find_subject(user, chosen, today) if chosen else None
            if subject is None:
                abort(404)
            form.subject_reference.data = subject.reference
        form.starts_on.data = notice_day(now)
        form.appeal_how.data = service.default_appeal_how()
    else:
        subject = links.find_by_reference(user, form.subject_reference.data or "", today)
    incidents = _incident_choices(form, subject)
    status = 200
    if request.method == "POST":
        status = 400
        if "find" in request.form:
            # "Find its incidents": show the red flag's incidents, save nothing.
            status = 200 if subject is not None else 400
            if subject is None:
                form.subject_reference.errors = [_("No red flag you can see has that reference")]
        elif form.validate_on_submit():
            data = _notice_data(form)
            notice = save_or_keep(form, lambda: service.issue_notice(user, data, now))
            if notice is not None:
                flash(
                    _("Exclusion notice %(reference)s issued.", reference=notice.reference),
                    "success",
                )
                return _back(notice)
    return render_template(
        "orders/notices/form.html",
        form=form,
        subject=subject,
        incidents=incidents,
        photo_allowed=photos_shown(user),
        default_appeal_by=service.default_appeal_by(today),
    ), status


@bp.route("/notices/<int:notice_id>")
@roles_required(*NOTICE_READERS)
def notice_detail(notice_id: int) -> str:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    now = utcnow()
    _record_viewed(user, notice, "detail")
    db.session.commit()
    day = notice_day(now)
    shown = service.person(notice)
    return render_template(
        "orders/notices/detail.html",
        notice=notice,
        person=shown,
        status=service.status(notice, day),
        status_label=service.status_label(notice, day),
        personal=personal_fields(user),
        photo=service.notice_photo(user, notice),
        subject_visible=find_visible_subject(user, shown.id, day) is not None,
        can_manage=manages_notices(user),
        appeal_pending=any(not appeal.outcome for appeal in notice.appeals),
        languages=list(DocumentLanguage),
    )


@bp.route("/notices/<int:notice_id>/photo")
@roles_required(*PHOTO_VIEWERS)
def notice_photo(notice_id: int) -> Any:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    photo = get_or_404(service.notice_photo(user, notice))
    audit.record(
        "notice.photo_viewed",
        actor=user,
        object_type="notice",
        object_id=notice.id,
        photo=photo.id,
    )
    db.session.commit()
    return image_response(photo, f"{notice.reference}.jpg")


def _change_page(form: VersionedForm, notice: ExclusionNotice, template: str, **kwargs: Any) -> Any:
    """A page that changes ``notice``: back to the notice once saved (see
    :func:`~partnership.orders.changes.change_page`)."""
    return change_page(
        form,
        notice,
        template=template,
        back=url_for("orders.notice_detail", notice_id=notice.id),
        notice=notice,
        **kwargs,
    )


@bp.route("/notices/<int:notice_id>/vary", methods=["GET", "POST"])
@roles_required(*NOTICE_MANAGERS)
def notice_vary(notice_id: int) -> Any:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    form = VaryNoticeForm(obj=notice if request.method == "GET" else None)
    return _change_page(
        form,
        notice,
        "orders/notices/vary.html",
        read=lambda: service.VariationData(
            ends_on=form.ends_on.data,
            review_on=form.review_on.data,
            reasons=form.reasons.data or "",
        ),
        work=lambda data: service.vary_notice(user, notice, data, utcnow()),
        done=lambda changed: _("Changes saved.") if changed else _("Nothing was changed."),
    )


@bp.route("/notices/<int:notice_id>/lift", methods=["GET", "POST"])
@roles_required(*NOTICE_MANAGERS)
def notice_lift(notice_id: int) -> Any:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    form = LiftNoticeForm()
    return _change_page(
        form,
        notice,
        "orders/notices/lift.html",
        read=lambda: form.reason.data or "",
        work=lambda reason: service.lift_notice(user, notice, reason, utcnow()),
        done=lambda lifted: _("Notice %(reference)s lifted.", reference=notice.reference),
    )


@bp.route("/notices/<int:notice_id>/appeals/new", methods=["GET", "POST"])
@roles_required(*NOTICE_MANAGERS)
def notice_appeal(notice_id: int) -> Any:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    form = AppealForm()

    def received_today() -> None:
        form.received_on.data = service.local_today(utcnow())

    return _change_page(
        form,
        notice,
        "orders/notices/appeal.html",
        opening=received_today,
        read=lambda: appeals.AppealData(
            received_on=form.received_on.data, grounds=form.grounds.data or ""
        ),
        work=lambda data: appeals.record_appeal(user, notice, data, utcnow()),
        done=lambda appeal: _("Appeal recorded."),
    )


@bp.route("/notices/<int:notice_id>/appeals/<int:appeal_id>/decide", methods=["GET", "POST"])
@roles_required(*NOTICE_MANAGERS)
def appeal_decide(notice_id: int, appeal_id: int) -> Any:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    appeal = get_or_404(appeals.find_appeal(notice, appeal_id))
    form = DecideAppealForm()
    return _change_page(
        form,
        notice,
        "orders/notices/decide.html",
        read=lambda: form,
        work=lambda sent: appeals.decide_appeal(
            user,
            appeal,
            sent.outcome.data or "",
            sent.reason.data or "",
            utcnow(),
            ends_on=sent.ends_on.data,
            review_on=sent.review_on.data,
        ),
        done=lambda decided: _("Appeal decision recorded."),
        appeal=appeal,
    )


def _breach_venues(form: VenueBreachForm, venues: list[Venue]) -> None:
    form.venue_id.choices = [SelectChoice(str(venue.id), venue.name) for venue in venues]
    if form.venue_id.data is None and venues:
        form.venue_id.data = str(venues[0].id)


@bp.route("/notices/<int:notice_id>/seen", methods=["GET", "POST"])
@roles_required(*VENUE_BREACH_RECORDERS)
def venue_breach(notice_id: int) -> Any:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    venues = service.breach_venues(user, notice)
    if not venues:  # visible_notices already requires one; kept for a venue made inactive
        abort(404)
    form = VenueBreachForm()
    _breach_venues(form, venues)
    if form.validate_on_submit():
        now = utcnow()
        chosen = {str(venue.id): venue for venue in venues}.get(form.venue_id.data or "")
        occurred_at = read_moment(form, now)
        if occurred_at is not None:
            if chosen is None:
                form.venue_id.errors = [_("Choose one of your venues")]
            else:
                data = service.VenueBreachData(
                    occurred_at=occurred_at,
                    action=form.action.data or "",
                    notes=form.notes.data or "",
                )
                breach = save_or_keep(
                    form,
                    lambda: service.record_venue_breach(user, notice, chosen, data, now),
                )
                if breach is not None:
                    flash(_("Recorded. Thank you."), "success")
                    return redirect(url_for("orders.tonight"))
    status = 400 if request.method == "POST" else 200
    # The page shows the excluded person's card, each time it is shown.
    _record_viewed(user, notice, "seen_at_my_venue")
    db.session.commit()
    return render_template(
        "orders/notices/seen.html",
        form=form,
        notice=notice,
        person=service.person(notice),
        personal=personal_fields(user),
    ), status


@bp.route("/tonight")
@roles_required(*AREA_VIEWERS)
def tonight() -> str:
    user = actor()
    now = utcnow()
    shown = tonight_page.tonight(user, now, page_number())
    notices = shown.shown_notices()
    directions = shown.shown_directions()
    if notices or directions:
        people = {n.subject_id for n in notices}
        people |= {d.subject_id for d in directions if d.subject_id is not None}
        audit.record(
            "notice.tonight_viewed",
            actor=user,
            notices=sorted({n.id for n in notices}),
            directions=[d.id for d in directions],
            subjects=sorted(people),
        )
    db.session.commit()
    return render_template(
        "orders/tonight.html",
        shown=shown,
        now=now,
        is_police=user.role_enum in POLICE_ROLES,
        is_door=is_door_staff(user),
        sees_notices=reads_notices(user),
        personal=personal_fields(user),
        person=service.person,
        photo_of=lambda notice: service.notice_photo(user, notice),
        ends_at=service.ends_at,
    )


@bp.route("/notices/<int:notice_id>/letter.pdf")
@roles_required(*NOTICE_READERS)
def notice_pdf(notice_id: int) -> Response:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    language = asked_language()
    pdf = documents.notice_letter_pdf(user, notice, language, utcnow())
    db.session.commit()
    return pdf_download(pdf, notice.reference, language)


@bp.route("/notices/<int:notice_id>/appeals/<int:appeal_id>/outcome.pdf")
@roles_required(*NOTICE_READERS)
def appeal_pdf(notice_id: int, appeal_id: int) -> Response:
    user = actor()
    notice = get_or_404(find_visible_notice(user, notice_id, utcnow()))
    appeal = get_or_404(documents.decided_appeal(notice, appeal_id))
    language = asked_language()
    pdf = documents.appeal_outcome_pdf(user, notice, appeal, language, utcnow())
    db.session.commit()
    return pdf_download(pdf, f"{notice.reference}-appeal-{appeal.id}", language)
