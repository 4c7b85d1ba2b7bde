"""Logging, listing, reading and correcting sightings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from partnership.auth.models import Organisation, User
from partnership.core import audit, submissions
from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.description import description_data
from partnership.core.enums import Behaviour
from partnership.core.fields import read_moment
from partnership.core.forms import record_id
from partnership.core.keyset import Cursor, newest_rows
from partnership.core.models import utcnow
from partnership.core.nights import is_ambiguous, night_of, to_local
from partnership.core.saving import save_or_keep
from partnership.core.uploads import CleanImage, UploadRejected, clean_upload, image_response
from partnership.core.when import OTHER, local_parts
from partnership.extensions import db
from partnership.sightings import bp, service
from partnership.sightings.forms import SightingFilterForm, SightingForm
from partnership.sightings.models import (
    Attachment,
    Sighting,
    SightingBehaviour,
    SightingRevision,
)
from partnership.sightings.visibility import (
    SIGHTING_READERS,
    find_visible_sighting,
    may_correct_sighting,
    visible_sightings,
)
from partnership.subjects import links
from partnership.venues.models import Area, Venue

PAGE_SIZE = 25


def _venue_choices(user: User) -> list[SelectChoice]:
    venues = db.session.scalars(
        select(Venue).where(Venue.active.is_(True)).order_by(Venue.name)
    ).all()
    mine = [v for v in venues if v.organisation_id == user.organisation_id]
    others = [v for v in venues if v.organisation_id != user.organisation_id]
    return (
        [SelectChoice("", _("Not at a venue: I'll describe the place"))]
        + [SelectChoice(str(v.id), _("%(name)s (your venue)", name=v.name)) for v in mine]
        + [SelectChoice(str(v.id), v.name) for v in others]
    )


def _prepare(form: SightingForm, user: User) -> None:
    form.venue_id.choices = _venue_choices(user)


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def _data_from(form: SightingForm, earliest: datetime | None = None) -> service.SightingData | None:
    """The checked answers, or None with the problem put on its field. The time may be as
    old as ``earliest`` (see :func:`~partnership.core.when.resolve_moment`)."""
    occurred_at = read_moment(form, utcnow(), earliest=earliest)
    if occurred_at is None:
        return None
    return service.SightingData(
        occurred_at=occurred_at,
        venue_id=record_id(form.venue_id.data),
        place=form.place.data or "",
        latitude=_float(form.latitude.data),
        longitude=_float(form.longitude.data),
        behaviours=list(form.behaviours.data or []),
        other_behaviour=form.other_behaviour.data or "",
        victim_response=form.victim_response.data or "",
        action_taken=form.action_taken.data or "",
        vulnerabilities=list(form.vulnerabilities.data or []),
        **description_data(form),
        description=form.description.data or "",
        sharing=form.sharing.data or "",
    )


def _photos_from(form: SightingForm) -> list[CleanImage] | None:
    files: list[FileStorage] = [f for f in (form.photos.data or []) if f and f.filename]
    cleaned = []
    for upload in files:
        try:
            cleaned.append(clean_upload(upload))
        except UploadRejected as rejected:
            form.photos.errors = [*form.photos.errors, rejected.message]
            return None
    return cleaned


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*SIGHTING_READERS)
def create() -> Any:
    user = actor()
    form = SightingForm()
    _prepare(form, user)
    source = service.find_source(user, request.values.get("source"))
    if request.method == "GET":
        form.submission_key.data = submissions.new_key()
        form.day.data, form.clock.data = local_parts(utcnow())
        if source is not None:
            _prefill_from(form, source)
            form.opened_on(source)
    else:
        sent = submissions.received(form)
        if form.validate_on_submit() and sent is not None:
            existing = service.find_by_submission_key(user, sent.key)
            if existing is not None:
                if submissions.same_answers(existing, sent):  # the same form sent twice
                    return redirect(url_for("sightings.detail", sighting_id=existing.id))
                submissions.refuse(form)
            else:
                data = _data_from(form, service.earliest_for(source))
                photos = _photos_from(form)
                if data is not None and photos is not None:

                    def work() -> Sighting:
                        sighting = service.record_sighting(
                            user, data, photos, sent.key, utcnow(), digest=sent.digest
                        )
                        if source is not None and source.sighting_id is None:
                            service.link_source(user, sighting, source)
                        return sighting

                    sighting = save_or_keep(
                        form,
                        work,
                        raced=lambda: submissions.earlier(
                            service.find_by_submission_key(user, sent.key), sent
                        ),
                        record=source,
                    )
                    if sighting is not None:
                        flash(_("Sighting saved. Thank you."), "success")
                        return redirect(url_for("sightings.detail", sighting_id=sighting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("sightings/form.html", form=form, sighting=None), status


def _prefill_from(form: SightingForm, source: Any) -> None:
    """Start a sighting from the record it is logged from: a Safe Space use or welfare note
    (same place and time), or what its kind fills in (a public report: what the person
    said, at a likely moment of the time they gave, shared with the partnership)."""
    form.source.data = f"{service.source_name(source)}:{source.id}"
    prefill = service.prefill_from(source)
    for name, value in prefill.fields.items():
        getattr(form, name).data = value
    moment = prefill.moment
    form.when.data = OTHER
    form.day.data, form.clock.data = local_parts(moment)
    local = to_local(moment)
    if is_ambiguous(local.replace(tzinfo=None)):  # a clocks-back night: which 01:30
        form.fold.data = str(local.fold)
    if source.venue_id:
        form.venue_id.data = str(source.venue_id)
    form.place.data = getattr(source, "place", "") or ""


@bp.route("/<int:sighting_id>")
@roles_required(*SIGHTING_READERS)
def detail(sighting_id: int) -> str:
    # Everything the page shows, in the sighting's query and three more, not one query
    # each as the page reaches them.
    sighting = get_or_404(
        find_visible_sighting(
            actor(),
            sighting_id,
            joinedload(Sighting.venue),
            joinedload(Sighting.area),
            joinedload(Sighting.author),
            joinedload(Sighting.organisation),
            selectinload(Sighting.behaviours),
            selectinload(Sighting.photos),
            selectinload(Sighting.revisions).joinedload(SightingRevision.changed_by),
        )
    )
    audit.record("sighting.viewed", actor=actor(), object_type="sighting", object_id=sighting.id)
    db.session.commit()
    form = SightingForm(meta={"csrf": False})
    field_labels = {field.name: field.label.text for field in form}
    field_labels["occurred_at"] = form.when.label.text
    field_labels["behaviours"] = form.behaviours.label.text
    return render_template(
        "sightings/detail.html",
        sighting=sighting,
        field_labels=field_labels,
        can_correct=may_correct_sighting(actor(), sighting, utcnow()),
        red_flags=links.record_links(actor(), sighting, utcnow().date()),
    )


@bp.route("/<int:sighting_id>/photos/<int:photo_id>")
@roles_required(*SIGHTING_READERS)
def photo(sighting_id: int, photo_id: int) -> Response:
    sighting = get_or_404(find_visible_sighting(actor(), sighting_id))
    attachment = db.session.scalar(
        select(Attachment).where(Attachment.id == photo_id, Attachment.sighting_id == sighting.id)
    )
    if attachment is None:
        abort(404)
    audit.record(
        "sighting.photo_viewed",
        actor=actor(),
        object_type="sighting",
        object_id=sighting.id,
        photo=attachment.id,
    )
    db.session.commit()
    return image_response(attachment, f"sighting-{sighting.id}-{attachment.id}.jpg")


@bp.route("/<int:sighting_id>/correct", methods=["GET", "POST"])
@roles_required(*SIGHTING_READERS)
def correct(sighting_id: int) -> Any:
    user = actor()
    sighting = get_or_404(find_visible_sighting(actor(), sighting_id))
    if not may_correct_sighting(user, sighting, utcnow()):
        flash(
            _("Only police can correct a sighting more than 24 hours after it was written."),
            "error",
        )
        return redirect(url_for("sightings.detail", sighting_id=sighting.id))
    form = SightingForm(data=_form_data(sighting) if request.method == "GET" else None)
    if request.method == "GET":
        form.opened_on(sighting)
    _prepare(form, user)
    del form.photos
    if form.validate_on_submit():
        data = _data_from(form, earliest=sighting.occurred_at)
        if data is not None:
            saved = save_or_keep(
                form,
                lambda: service.correct_sighting(user, sighting, data, utcnow()),
                record=sighting,
            )
            if not form.form_errors:
                flash(
                    _("Correction saved.") if saved else _("Nothing was changed."),
                    "success",
                )
                return redirect(url_for("sightings.detail", sighting_id=sighting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("sightings/form.html", form=form, sighting=sighting), status


def _form_data(sighting: Sighting) -> dict[str, Any]:
    data = service.data_of(sighting)
    day, clock = local_parts(sighting.occurred_at)
    data.update(
        when=OTHER,
        day=day,
        clock=clock,
        venue_id=str(sighting.venue_id or ""),
        latitude="" if sighting.latitude is None else str(sighting.latitude),
        longitude="" if sighting.longitude is None else str(sighting.longitude),
    )
    # On a clocks-back night, say which of the two 01:30s it was.
    local = to_local(sighting.occurred_at)
    data["fold"] = str(local.fold) if is_ambiguous(local.replace(tzinfo=None)) else None
    return data


# Every venue, area and organisation by name, for the filter: one statement, built once.
_FILTER_NAMES = union_all(
    select(literal("venue").label("kind"), Venue.id.label("id"), Venue.name.label("name")),
    select(literal("area"), Area.id, Area.name),
    select(literal("organisation"), Organisation.id, Organisation.name),
).order_by("kind", "name")


def _filter_choices(form: SightingFilterForm) -> None:
    every = SelectChoice("", _("All"))
    named: dict[str, list[SelectChoice]] = {"venue": [], "area": [], "organisation": []}
    for kind, key, name in db.session.connection().execute(_FILTER_NAMES):
        named[kind].append(SelectChoice(str(key), name))
    form.venue.choices = [every, *named["venue"]]
    form.area.choices = [every, *named["area"]]
    form.behaviour.choices = [every, *Behaviour.choices()]
    form.organisation.choices = [every, *named["organisation"]]


@bp.route("/")
@roles_required(*SIGHTING_READERS)
def list_sightings() -> str:
    user = actor()
    form = SightingFilterForm(request.args)
    _filter_choices(form)
    query = visible_sightings(user)
    # Only a filter given needs checking: following "Older" sends none, and checking the
    # choices builds every venue's option again.
    filtered = any(request.args.get(field.name) for field in form)
    if filtered and form.validate():
        if form.night_from.data or form.night_to.data:
            first = form.night_from.data or form.night_to.data
            last = form.night_to.data or form.night_from.data
            assert first is not None and last is not None  # noqa: S101 (both set above)
            query = query.where(
                Sighting.night >= min(first, last), Sighting.night <= max(first, last)
            )
        if form.venue.data:
            query = query.where(Sighting.venue_id == int(form.venue.data))
        if form.area.data:
            query = query.where(Sighting.area_id == int(form.area.data))
        if form.organisation.data:
            query = query.where(Sighting.organisation_id == int(form.organisation.data))
        if form.behaviour.data:
            query = query.where(
                Sighting.id.in_(
                    select(SightingBehaviour.sighting_id).where(
                        SightingBehaviour.code == form.behaviour.data
                    )
                )
            )
    # The list reads only the columns it shows, and every behaviour of the page in one more
    # query: loading whole records with their venue, organisation and behaviours cost more
    # than the rest of the page.
    rows = (
        query.with_only_columns(
            Sighting.id,
            Sighting.night,
            Sighting.occurred_at,
            Sighting.place,
            Venue.name.label("venue_name"),
            Organisation.name.label("organisation_name"),
        )
        .outerjoin(Venue, Venue.id == Sighting.venue_id)
        .join(Organisation, Organisation.id == Sighting.organisation_id)
    )
    cursor = Cursor.decode(request.args.get("after"))
    page = newest_rows(rows, Sighting.night, Sighting.id, cursor, PAGE_SIZE)
    filters: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    newest_url = url_for("sightings.list_sightings", **filters)
    next_url = None
    if page.next is not None:
        next_url = url_for("sightings.list_sightings", **filters, after=page.next.encode())
    audit.record(
        "sighting.list_viewed", actor=user, filters=dict(request.args.items()), shown=len(page.rows)
    )
    db.session.commit()
    return render_template(
        "sightings/list.html",
        form=form,
        sightings=page.rows,
        behaviours=service.behaviour_codes([row.id for row in page.rows]),
        next_url=next_url,
        newest_url=newest_url,
        first_page=cursor is None,
        tonight=night_of(utcnow()),
    )
