"""Section 35 directions: the list, giving one at the roadside, reading its Section 38
record, varying or withdrawing it, recording a breach, and the notice as a PDF. Police
only."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from partnership.auth.models import User
from partnership.core import audit, geo
from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.enums import POLICE_ROLES
from partnership.core.forms import record_id, whole_number
from partnership.core.i18n import local_datetime
from partnership.core.models import utcnow
from partnership.core.nights import NonexistentTimeError, is_ambiguous, to_local
from partnership.core.pagination import page_number
from partnership.core.saving import save_or_keep, show_refusals
from partnership.core.when import local_parts, read_clock
from partnership.extensions import db
from partnership.orders import bp
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.authorisations.visibility import find_visible_authorisation
from partnership.orders.changes import change_page
from partnership.orders.directions import documents, rules, service
from partnership.orders.directions.forms import (
    NO,
    PART,
    WHOLE,
    BreachForm,
    DirectionForm,
    VaryForm,
    WithdrawForm,
)
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.directions.record import section_38_record
from partnership.orders.directions.visibility import (
    find_visible_direction,
    may_give,
    rank_refusal,
    visible_directions,
)
from partnership.orders.downloads import asked_language, pdf_download
from partnership.subjects.visibility import find_visible_subject
from partnership.venues.forms import parse_coordinate
from partnership.venues.service import map_data

PAGE_SIZE = 25
# A refusal on one of these fields stands for the whole date-and-time group.
GROUPS = {
    "given_day": ("given_day", "given_clock", "given_fold"),
    "given_clock": ("given_day", "given_clock", "given_fold"),
    "ends_day": ("ends_day", "ends_clock", "ends_fold"),
    "ends_clock": ("ends_day", "ends_clock", "ends_fold"),
    "leave_by_day": ("leave_by_day", "leave_by_clock", "leave_by_fold"),
    "day": ("day", "clock", "fold"),
    "clock": ("day", "clock", "fold"),
}


def _has_errors(form: Any) -> bool:
    return bool(form.form_errors) or any(field.errors for field in form)


def _locality_map(
    mode: str,
    authorisations: list[DispersalAuthorisation],
    direction: DispersalDirection | None = None,
) -> dict[str, Any]:
    """A map showing the authorised localities (and a direction's excluded part and place)."""
    data = map_data(mode)
    data["areas"] = [
        {"name": f"{a.reference}: {a.locality_name}", "geometry": a.geometry}
        for a in authorisations
    ]
    if direction is not None:
        if direction.excluded_geometry is not None:
            data["areas"].append(
                {"name": _("Excluded area"), "geometry": direction.excluded_geometry}
            )
        if direction.latitude is not None and direction.longitude is not None:
            data["points"] = [
                {"lat": direction.latitude, "lon": direction.longitude, "label": direction.place}
            ]
    return data


def _fold_of(moment: datetime) -> str | None:
    """Which of the two 01:30s ``moment`` is, on the night the clocks go back."""
    local = to_local(moment)
    return str(local.fold) if is_ambiguous(local.replace(tzinfo=None)) else None


def _back(direction: DispersalDirection) -> Any:
    return redirect(url_for("orders.direction_detail", direction_id=direction.id))


# --- The list ------------------------------------------------------------------------


@bp.route("/directions/")
@roles_required(*POLICE_ROLES)
def directions() -> str:
    user = actor()
    page = db.paginate(
        visible_directions(user)
        .options(joinedload(DispersalDirection.authorisation))
        .order_by(DispersalDirection.given_at.desc(), DispersalDirection.id.desc()),
        page=page_number(),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    audit.record("direction.list_viewed", actor=user, page=page.page, shown=len(page.items))
    db.session.commit()
    return render_template(
        "orders/directions/list.html",
        page=page,
        now=utcnow(),
        status=service.status,
        can_give=may_give(user),
    )


# --- Giving one ----------------------------------------------------------------------


def _authorisation_label(authorisation: DispersalAuthorisation, now: datetime) -> str:
    if authorisation.in_force(now):
        return str(
            _(
                "%(reference)s: %(locality)s, in force until %(end)s",
                reference=authorisation.reference,
                locality=authorisation.locality_name,
                end=local_datetime(rules.authorisation_end(authorisation)),
            )
        )
    if now < authorisation.starts_at:
        return str(
            _(
                "%(reference)s: %(locality)s, starts at %(start)s",
                reference=authorisation.reference,
                locality=authorisation.locality_name,
                start=local_datetime(authorisation.starts_at),
            )
        )
    return str(
        _(
            "%(reference)s: %(locality)s, ended at %(end)s",
            reference=authorisation.reference,
            locality=authorisation.locality_name,
            end=local_datetime(rules.authorisation_end(authorisation)),
        )
    )


def _direction_data(form: DirectionForm) -> rules.DirectionData | None:
    """What was typed, read; None if the time given cannot be read (every other rule
    depends on it). Problems reading a field are put on it."""
    given_at = form.moment("given_day", "given_clock", "given_fold")
    if given_at is None:
        if not any(f.errors for f in (form.given_day, form.given_clock, form.given_fold)):
            form.given_day.errors = [
                *form.given_day.errors,
                _("Enter the date and time the direction was given"),
            ]
        return None
    raw_authorisation = form.authorisation_id.data or ""
    raw_age = (form.apparent_age.data or "").strip()
    apparent_age = whole_number(raw_age, largest=999)  # the service says which ages make sense
    if raw_age and apparent_age is None:
        form.apparent_age.errors = [
            *form.apparent_age.errors,
            _("Enter their apparent age in years, like 19"),
        ]
    whole = form.excluded_area.data != PART
    geometry = None
    drawn = (form.geometry.data or "").strip()
    if not whole and drawn and not form.geometry.errors:
        try:
            geometry = geo.parse_area_geometry(drawn)
        except geo.GeoError as error:
            form.geometry.errors = [*form.geometry.errors, error.message]
    period = form.period.data or rules.PERIOD_MAX
    ends_at = (
        form.moment("ends_day", "ends_clock", "ends_fold") if period == rules.PERIOD_OTHER else None
    )
    leave_by = None
    raw_leave = (form.leave_by.data or "").strip()
    if raw_leave and not form.leave_by.errors:
        clock = read_clock(raw_leave)
        if clock is None:
            form.leave_by.errors = [
                *form.leave_by.errors,
                _("Enter the time as hours and minutes, like 01:30"),
            ]
        else:
            try:
                leave_by = service.next_occurrence(clock, given_at)
            except NonexistentTimeError:
                form.leave_by.errors = [
                    *form.leave_by.errors,
                    _(
                        "The clocks went forward that night, so there was no %(time)s. "
                        "Check the time: 01:00 became 02:00.",
                        time=clock.strftime("%H:%M"),
                    ),
                ]
    return rules.DirectionData(
        authorisation_id=record_id(raw_authorisation),
        given_at=given_at,
        place=form.place.data or "",
        in_uniform=bool(form.in_uniform.data),
        latitude=parse_coordinate(form.latitude.data),
        longitude=parse_coordinate(form.longitude.data),
        subject_reference=form.subject_reference.data or "",
        person_name=form.person_name.data or "",
        date_of_birth=form.date_of_birth.data,
        apparent_age=apparent_age,
        address=form.address.data or "",
        description=form.description.data or "",
        whole_locality=whole,
        excluded_geometry=geometry,
        excluded_description=form.excluded_description.data or "",
        period=period,
        ends_at=ends_at,
        leave_by=leave_by,
        route=form.route.data or "",
        items_surrendered=form.items_surrendered.data or "",
        items_return=form.items_return.data or "",
        in_writing=form.in_writing.data != NO,
        not_in_writing_reason=form.not_in_writing_reason.data or "",
        offence_warning_given=bool(form.offence_warning_given.data),
        under_16_action=form.under_16_action.data or "",
        under_16_note=form.under_16_note.data or "",
        exemptions=form.exemption_answers(),
    )


def _preselected(user: User, now: datetime) -> DispersalAuthorisation | None:
    """The authorisation ``?authorisation_id=`` names (404 if there is none to see)."""
    wanted = request.args.get("authorisation_id", type=record_id)
    if wanted is None:
        return None
    return get_or_404(find_visible_authorisation(user, wanted))


@bp.route("/directions/new", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def direction_create() -> Any:
    user = actor()
    now = utcnow()
    choices = service.authorisations_to_choose(user, now)
    preselected = _preselected(user, now)
    if preselected is not None and preselected not in choices:
        choices.append(preselected)
    subject_id = request.args.get("subject_id", type=record_id)
    subject = None
    if subject_id is not None:
        subject = find_visible_subject(user, subject_id, now.date())
        if subject is None:
            abort(404)
    form = DirectionForm()
    form.authorisation_id.choices = [
        SelectChoice(str(a.id), _authorisation_label(a, now)) for a in choices
    ]
    if request.method == "GET":
        form.given_day.data, form.given_clock.data = local_parts(now)
        in_force = [a for a in choices if a.in_force(now)]
        if preselected is not None:
            form.authorisation_id.data = str(preselected.id)
        elif len(in_force) == 1:
            form.authorisation_id.data = str(in_force[0].id)
        if subject is not None:
            form.subject_reference.data = subject.reference
    else:
        form.validate_on_submit()
        data = _direction_data(form)
        if data is not None:
            show_refusals(form, rules.direction_problems(user, data, now), GROUPS)
            if not _has_errors(form):
                direction = save_or_keep(form, lambda: service.give_direction(user, data, now))
                if direction is not None:
                    flash(
                        _("Direction %(reference)s recorded.", reference=direction.reference),
                        "success",
                    )
                    return _back(direction)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "orders/directions/form.html",
        form=form,
        now=now,
        in_force=any(a.in_force(now) for a in choices),
        longest=now + rules.MAX_EXCLUSION,
        refusal=rank_refusal(user),
        point_map=_locality_map("point", choices),
        area_map=_locality_map("polygon", choices),
    ), status


# --- Reading one ---------------------------------------------------------------------


@bp.route("/directions/<int:direction_id>")
@roles_required(*POLICE_ROLES)
def direction_detail(direction_id: int) -> str:
    user = actor()
    direction = get_or_404(find_visible_direction(user, direction_id))
    now = utcnow()
    audit.record(
        "direction.viewed",
        actor=user,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
    )
    db.session.commit()
    return render_template(
        "orders/directions/detail.html",
        direction=direction,
        record=section_38_record(direction),
        state=service.status(direction, now),
        can_change=may_give(user) and service.status(direction, now) == "active",
        can_record_breach=direction.given_at <= now,
        area_map=_locality_map("view", [direction.authorisation], direction),
    )


# --- Varying and withdrawing ---------------------------------------------------------


def _change_page(
    form: VaryForm | WithdrawForm,
    direction: DispersalDirection,
    template: str,
    fill: Callable[[], None],
    **kwargs: Any,
) -> Any:
    """A page that changes ``direction`` (see :func:`~partnership.orders.changes.change_page`):
    opened only while it is in force (else back to it, saying why), with ``fill``'s
    defaults and the notice in writing; back to the direction once saved."""

    def opening() -> Any:
        if service.status(direction, utcnow()) != "active":
            flash(
                _("This direction is no longer in force: it cannot be varied or withdrawn."),
                "error",
            )
            return _back(direction)
        fill()
        form.notice_in_writing.data = "yes"
        return None

    return change_page(
        form,
        direction,
        template=template,
        back=url_for("orders.direction_detail", direction_id=direction.id),
        opening=opening,
        direction=direction,
        **kwargs,
    )


def _vary_defaults(form: VaryForm, direction: DispersalDirection) -> None:
    form.ends_day.data, form.ends_clock.data = local_parts(direction.ends_at)
    form.ends_fold.data = _fold_of(direction.ends_at)
    form.excluded_area.data = WHOLE if direction.excluded_geometry is None else PART
    form.geometry.data = (
        json.dumps(direction.excluded_geometry) if direction.excluded_geometry else ""
    )
    form.excluded_description.data = direction.excluded_description
    if direction.leave_by is not None:
        form.leave_by_day.data, form.leave_by_clock.data = local_parts(direction.leave_by)
        form.leave_by_fold.data = _fold_of(direction.leave_by)
    form.route.data = direction.route


def _variation_data(form: VaryForm) -> service.VariationData | None:
    ends_at = form.moment("ends_day", "ends_clock", "ends_fold")
    leave_by = form.moment("leave_by_day", "leave_by_clock", "leave_by_fold")
    whole = form.excluded_area.data != PART
    geometry = None
    drawn = (form.geometry.data or "").strip()
    if not whole and drawn and not form.geometry.errors:
        try:
            geometry = geo.parse_area_geometry(drawn)
        except geo.GeoError as error:
            form.geometry.errors = [*form.geometry.errors, error.message]
    if _has_errors(form):
        return None
    return service.VariationData(
        ends_at=ends_at,
        whole_locality=whole,
        excluded_geometry=geometry,
        excluded_description=form.excluded_description.data or "",
        leave_by=leave_by,
        route=form.route.data or "",
        reason=form.reason.data or "",
        notice_in_writing=form.notice_in_writing.data != NO,
    )


@bp.route("/directions/<int:direction_id>/vary", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def direction_vary(direction_id: int) -> Any:
    user = actor()
    direction = get_or_404(find_visible_direction(user, direction_id))
    form = VaryForm()
    return _change_page(
        form,
        direction,
        "orders/directions/vary.html",
        fill=lambda: _vary_defaults(form, direction),
        read=lambda: _variation_data(form),
        work=lambda data: service.vary_direction(user, direction, data, utcnow()),
        done=lambda change: _("Direction %(reference)s varied.", reference=direction.reference),
        latest=service.latest_end(direction),
        area_map=_locality_map("polygon", [direction.authorisation]),
    )


@bp.route("/directions/<int:direction_id>/withdraw", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def direction_withdraw(direction_id: int) -> Any:
    user = actor()
    direction = get_or_404(find_visible_direction(user, direction_id))
    form = WithdrawForm()
    return _change_page(
        form,
        direction,
        "orders/directions/withdraw.html",
        fill=lambda: None,
        read=lambda: form,
        work=lambda sent: service.withdraw_direction(
            user, direction, sent.reason.data or "", sent.notice_in_writing.data != NO, utcnow()
        ),
        done=lambda change: _("Direction %(reference)s withdrawn.", reference=direction.reference),
    )


# --- Breaches ------------------------------------------------------------------------


@bp.route("/directions/<int:direction_id>/breach", methods=["GET", "POST"])
@roles_required(*POLICE_ROLES)
def direction_breach(direction_id: int) -> Any:
    user = actor()
    direction = get_or_404(find_visible_direction(user, direction_id))
    form = BreachForm()
    if request.method == "GET":
        form.day.data, form.clock.data = local_parts(utcnow())
    elif form.validate_on_submit():
        occurred_at = form.moment("day", "clock", "fold")
        if occurred_at is None and not any(f.errors for f in (form.day, form.clock, form.fold)):
            form.day.errors = [*form.day.errors, _("Enter the date and time they were seen")]
        if occurred_at is not None and not _has_errors(form):
            data = service.BreachData(
                occurred_at=occurred_at,
                place=form.place.data or "",
                outcome=form.outcome.data or "",
                notes=form.notes.data or "",
            )
            breach = save_or_keep(
                form, lambda: service.record_breach(user, direction, data, utcnow())
            )
            if breach is not None:
                flash(_("Breach recorded."), "success")
                return _back(direction)
    status = 400 if request.method == "POST" else 200
    return render_template("orders/directions/breach.html", form=form, direction=direction), status


# --- The notice as a PDF -------------------------------------------------------------


@bp.route("/directions/<int:direction_id>/notice.pdf")
@roles_required(*POLICE_ROLES)
def direction_notice_pdf(direction_id: int) -> Response:
    user = actor()
    direction = get_or_404(find_visible_direction(user, direction_id))
    language = asked_language()
    pdf = documents.direction_notice_pdf(user, direction, language)
    db.session.commit()
    return pdf_download(pdf, direction.reference, language)
