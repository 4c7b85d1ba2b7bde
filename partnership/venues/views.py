"""Venues and areas, managed by coordinators and administrators."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from partnership.auth.models import Organisation
from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.forms import record_id
from partnership.core.saving import save_or_keep
from partnership.extensions import db
from partnership.venues import bp, service
from partnership.venues.forms import AreaForm, VenueForm
from partnership.venues.models import Area, Venue
from partnership.venues.visibility import VENUE_MANAGERS, find_area, find_venue


def _organisation_choices(form: VenueForm, current: Organisation | None) -> None:
    form.organisation_id.choices = [SelectChoice("", _("Choose an organisation"))] + [
        SelectChoice(str(o.id), o.name) for o in service.venue_organisations(include=current)
    ]


def _venue_details(form: VenueForm) -> service.VenueDetails | None:
    """The answers of a submitted form, or None if any is wrong (the form then says why).

    The organisation is checked even when other fields are wrong, so every problem
    shows at once.
    """
    valid = form.validate_on_submit()
    if not form.is_submitted():
        return None
    organisation = None
    if form.organisation_id.data:
        chosen = record_id(form.organisation_id.data)
        organisation = service.venue_organisation(chosen) if chosen else None
        if organisation is None:
            form.organisation_id.errors = [
                *form.organisation_id.errors,
                _("Choose a licensed premises organisation: venues belong to one"),
            ]
    if not valid or organisation is None:
        return None
    latitude, longitude = form.location()
    return service.VenueDetails(
        name=form.name.data or "",
        organisation_id=organisation.id,
        address=form.address.data or "",
        postcode=form.postcode.data or "",
        latitude=latitude,
        longitude=longitude,
        licence_number=form.licence_number.data or "",
        has_safe_space=bool(form.has_safe_space.data),
    )


@bp.route("")
@roles_required(*VENUE_MANAGERS)
def venues() -> str:
    rows = db.session.scalars(
        select(Venue).join(Venue.organisation).order_by(Venue.active.desc(), Venue.name)
    ).all()
    return render_template("venues/venues.html", venues=rows, map_data=service.map_data())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*VENUE_MANAGERS)
def venue_create() -> Any:
    form = VenueForm()
    _organisation_choices(form, None)
    details = _venue_details(form)
    if details is not None:
        venue = service.create_venue(actor(), details)
        db.session.commit()
        flash(_("%(name)s is added.", name=venue.name), "success")
        return redirect(url_for("venues.venues"))
    return render_template(
        "venues/venue_form.html", form=form, venue=None, map_data=service.map_data("point")
    ), (400 if form.errors else 200)


@bp.route("/<int:venue_id>/edit", methods=["GET", "POST"])
@roles_required(*VENUE_MANAGERS)
def venue_edit(venue_id: int) -> Any:
    venue = get_or_404(find_venue(venue_id))
    form = VenueForm(
        data={
            "name": venue.name,
            "organisation_id": str(venue.organisation_id),
            "address": venue.address,
            "postcode": venue.postcode,
            "latitude": "" if venue.latitude is None else str(venue.latitude),
            "longitude": "" if venue.longitude is None else str(venue.longitude),
            "licence_number": venue.licence_number,
            "has_safe_space": venue.has_safe_space,
            "active": venue.active,
        }
    )
    if request.method == "GET":
        form.opened_on(venue)
    _organisation_choices(form, venue.organisation)
    details = _venue_details(form)
    if details is not None:
        active = bool(form.active.data)
        save_or_keep(
            form, lambda: service.update_venue(actor(), venue, details, active), record=venue
        )
        if not form.errors:
            flash(_("%(name)s is saved.", name=venue.name), "success")
            return redirect(url_for("venues.venues"))
    return render_template(
        "venues/venue_form.html",
        form=form,
        venue=venue,
        map_data=service.map_data("point", except_venue=venue),
    ), (400 if form.errors else 200)


@bp.route("/areas")
@roles_required(*VENUE_MANAGERS)
def areas() -> str:
    rows = db.session.scalars(select(Area).order_by(Area.active.desc(), Area.name)).all()
    return render_template("venues/areas.html", areas=rows, map_data=service.map_data())


@bp.route("/areas/new", methods=["GET", "POST"])
@roles_required(*VENUE_MANAGERS)
def area_create() -> Any:
    form = AreaForm()
    if form.validate_on_submit() and form.geometry.geometry is not None:
        if service.area_name_taken(form.name.data or ""):
            form.name.errors = [_("An area with this name already exists")]
        else:
            area = service.create_area(
                actor(),
                name=form.name.data or "",
                description=form.description.data or "",
                geometry=form.geometry.geometry,
            )
            db.session.commit()
            flash(_("%(name)s is added.", name=area.name), "success")
            return redirect(url_for("venues.areas"))
    return render_template(
        "venues/area_form.html", form=form, area=None, map_data=service.map_data("polygon")
    ), (400 if form.errors else 200)


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
@roles_required(*VENUE_MANAGERS)
def area_edit(area_id: int) -> Any:
    area = get_or_404(find_area(area_id))
    form = AreaForm(
        data={
            "name": area.name,
            "description": area.description,
            "geometry": json.dumps(area.geometry),
            "active": area.active,
        }
    )
    if request.method == "GET":
        form.opened_on(area)
    geometry = form.geometry.geometry if form.validate_on_submit() else None
    if geometry is not None:
        if service.area_name_taken(form.name.data or "", except_area=area):
            form.name.errors = [_("An area with this name already exists")]
        else:
            name, description = form.name.data or "", form.description.data or ""
            active = bool(form.active.data)
            save_or_keep(
                form,
                lambda: service.update_area(
                    actor(),
                    area,
                    name=name,
                    description=description,
                    geometry=geometry,
                    active=active,
                ),
                record=area,
            )
            if not form.errors:
                flash(_("%(name)s is saved.", name=area.name), "success")
                return redirect(url_for("venues.areas"))
    return render_template(
        "venues/area_form.html",
        form=form,
        area=area,
        map_data=service.map_data("polygon", except_area=area),
    ), (400 if form.errors else 200)
