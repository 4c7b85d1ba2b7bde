"""Section 34 authorisations: the list, authorising, reading one, ending one early, and
the record as a PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.enums import POLICE_ROLES
from partnership.core.forms import record_id
from partnership.core.models import utcnow
from partnership.core.pagination import page_number
from partnership.core.saving import save_or_keep, show_refusals
from partnership.core.when import local_parts
from partnership.extensions import db
from partnership.orders import bp
from partnership.orders.authorisations import documents, service
from partnership.orders.authorisations.forms import AuthorisationForm, EndAuthorisationForm
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.authorisations.visibility import (
    SIGNERS,
    find_visible_authorisation,
    may_authorise,
    visible_authorisations,
)
from partnership.orders.changes import change_page
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.directions.visibility import visible_directions
from partnership.orders.downloads import asked_language, pdf_download
from partnership.venues.models import Area
from partnership.venues.service import map_data

PAGE_SIZE = 25
# A refusal on one of these fields stands for the whole date-and-time group.
GROUPS = {
    "start_day": ("start_day", "start_time", "start_fold"),
    "start_time": ("start_day", "start_time", "start_fold"),
    "end_day": ("end_day", "end_time", "end_fold"),
    "end_time": ("end_day", "end_time", "end_fold"),
}


def _refused(message: Any, authorisation: DispersalAuthorisation | None = None) -> Any:
    """The rank rule's answer to an officer below inspector: what and why, not a bare 403."""
    return render_template(
        "orders/authorisations/refused.html", message=message, authorisation=authorisation
    ), 403


def _detail_url(authorisation: DispersalAuthorisation) -> str:
    return url_for("orders.authorisation_detail", authorisation_id=authorisation.id)


def _area_choices(form: AuthorisationForm) -> None:
    areas = db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.name))
    form.area_id.choices = [SelectChoice("", _("None: I'll draw or paste the locality below"))] + [
        SelectChoice(str(a.id), a.name) for a in areas
    ]


def _data_from(form: AuthorisationForm) -> service.AuthorisationData:
    raw_area = (form.area_id.data or "").strip()
    # Anything but an id (a tampered form) is an area that does not exist: id 0.
    area_id = None if not raw_area else record_id(raw_area) or 0
    return service.AuthorisationData(
        area_id=area_id,
        locality_name=form.locality_name.data or "",
        geometry=form.geometry.data or "",
        boundary=form.boundary.data or "",
        starts_at=form.moment("start_day", "start_time", "start_fold"),
        ends_at=form.moment("end_day", "end_time", "end_fold"),
        necessity=list(form.necessity.data or []),
        grounds=form.grounds.data or "",
        echr_regard=form.echr_regard.data or "",
        confirmed=bool(form.confirm.data),
    )


@bp.route("/authorisations/")
@roles_required(*POLICE_ROLES)
def authorisations() -> str:
    user = actor()
    page = db.paginate(
        visible_authorisations(user).order_by(
            DispersalAuthorisation.starts_at.desc(), DispersalAuthorisation.id.desc()
        ),
        page=page_number(),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "orders/authorisations/list.html",
        page=page,
        now=utcnow(),
        status=service.status,
        can_authorise=may_authorise(user),
    )


@bp.route("/authorisations/new", methods=["GET", "POST"])
@roles_required(*SIGNERS)
def authorisation_create() -> Any:
    user = actor()
    if not may_authorise(user):
        return _refused(service.RANK_REFUSAL)
    form = AuthorisationForm()
    _area_choices(form)
    if request.method == "GET":
        form.start_day.data, form.start_time.data = local_parts(utcnow())
    elif form.validate_on_submit():
        now = utcnow()
        data = _data_from(form)
        show_refusals(form, service.authorisation_problems(user, data, now), GROUPS)
        if not form.errors and not form.form_errors:
            authorisation = save_or_keep(form, lambda: service.authorise(user, data, now))
            if authorisation is not None:
                flash(
                    _(
                        "Dispersal authorisation %(reference)s is signed.",
                        reference=authorisation.reference,
                    ),
                    "success",
                )
                return redirect(_detail_url(authorisation))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "orders/authorisations/form.html", form=form, map_data=map_data("polygon")
    ), status


def _locality_map(authorisation: DispersalAuthorisation) -> dict[str, Any]:
    """The map of the locality alone, with the venues around it for bearings."""
    data = map_data("view")
    data["areas"] = [{"name": authorisation.locality_name, "geometry": authorisation.geometry}]
    return data


@bp.route("/authorisations/<int:authorisation_id>")
@roles_required(*POLICE_ROLES)
def authorisation_detail(authorisation_id: int) -> str:
    user = actor()
    authorisation = get_or_404(find_visible_authorisation(user, authorisation_id))
    now = utcnow()
    directions = db.session.scalars(
        visible_directions(user)
        .where(DispersalDirection.authorisation_id == authorisation.id)
        .order_by(DispersalDirection.given_at, DispersalDirection.id)
    ).all()
    end_form = None
    if service.may_end(user, authorisation, now):
        end_form = EndAuthorisationForm(formdata=None)
        end_form.opened_on(authorisation)
    return render_template(
        "orders/authorisations/detail.html",
        authorisation=authorisation,
        directions=directions,
        status=service.status(authorisation, now),
        map_data=_locality_map(authorisation),
        end_form=end_form,
    )


@bp.route("/authorisations/<int:authorisation_id>/end", methods=["GET", "POST"])
@roles_required(*SIGNERS)
def authorisation_end(authorisation_id: int) -> Any:
    user = actor()
    authorisation = get_or_404(find_visible_authorisation(user, authorisation_id))
    if not may_authorise(user):
        return _refused(service.END_RANK_REFUSAL, authorisation)
    form = EndAuthorisationForm()
    return change_page(
        form,
        authorisation,
        template="orders/authorisations/end.html",
        back=_detail_url(authorisation),
        # Nothing to end any more: the page says why.
        opening=lambda: (
            None
            if service.may_end(user, authorisation, utcnow())
            else redirect(_detail_url(authorisation))
        ),
        read=lambda: form.reason.data or "",
        work=lambda reason: service.end_early(user, authorisation, reason, utcnow()),
        done=lambda ended: _(
            "Dispersal authorisation %(reference)s is ended. No more directions can"
            " be given under it.",
            reference=authorisation.reference,
        ),
        authorisation=authorisation,
    )


@bp.route("/authorisations/<int:authorisation_id>/record.pdf")
@roles_required(*POLICE_ROLES)
def authorisation_pdf(authorisation_id: int) -> Response:
    user = actor()
    authorisation = get_or_404(find_visible_authorisation(user, authorisation_id))
    language = asked_language()
    pdf = documents.authorisation_record_pdf(user, authorisation, language, utcnow())
    db.session.commit()
    return pdf_download(pdf, authorisation.reference, language)
