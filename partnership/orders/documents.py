"""Orders: the paperwork. The Section 35 notice handed to the person, the Section 34
authorisation record, the partnership exclusion notice letter and the appeal outcome
letter, each as a PDF in English, Welsh, or both with the Welsh first.

Each language version is rendered in its own locale (``force_locale``) from a template in
templates/orders/pdf/, and the versions are put in one document by
``orders/pdf/document.html`` through :func:`partnership.core.pdf.render_pdf`, whose
fetcher loads nothing but the embedded font and the images given here: the map, SVG
drawn from the stored shape (:func:`partnership.core.maps.draw_map`, vector paths in the
PDF), and the person's photo on a notice letter, where allowed. Every document produced is
a disclosure, so each function leaves one ``<kind>.document_produced`` audit event (the
kind of order: direction, authorisation, notice) with the document, the language and the
reference; the view commits.

The Section 35 notice is handed over at the roadside, so it is kept to one page of plain
paragraphs in one font weight: bench/notice_pdf.py times it against a bare page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.enums import DocumentLanguage
from partnership.core.maps import MapDrawing, draw_map
from partnership.core.pdf import image_url, render_pdf
from partnership.extensions import db
from partnership.orders.models import (
    DispersalAuthorisation,
    DispersalDirection,
    ExclusionNotice,
    NoticeAppeal,
)

# The map on a notice or record: the page's full width.
MAP_WIDTH_MM, MAP_HEIGHT_MM = 174, 52
# The locales of each document language, in the order they are printed.
LOCALES: dict[DocumentLanguage, tuple[str, ...]] = {
    DocumentLanguage.ENGLISH: ("en",),
    DocumentLanguage.WELSH: ("cy",),
    DocumentLanguage.BILINGUAL: ("cy", "en"),
}
FRAME = "orders/pdf/document.html"


@dataclass(frozen=True)
class Version:
    """One language's version of a document: its language, title and body."""

    lang: str
    title: str
    body: Markup


def _version_body(template: str, context: Mapping[str, Any]) -> Markup:
    """One version's body in the current locale, through the app's Jinja environment
    (autoescaped like any page) without the site's context processors, as render_pdf does."""
    body = current_app.jinja_env.get_template(template).render(
        image_url=image_url,
        service_name=current_app.config["SERVICE_NAME"],
        **context,
    )
    return Markup(body)  # noqa: S704 (an autoescaped template's output)


def _produce(
    template: str,
    language: DocumentLanguage,
    title: Callable[[], str],
    images: Mapping[str, tuple[bytes, str]] | None = None,
    **context: Any,
) -> bytes:
    """``template`` as a PDF in ``language``: each locale's version rendered in that locale,
    Welsh first when bilingual, titled with each version's ``title()`` in turn. The whole
    document's language (``<html lang>``, the PDF's /Lang) is its first version's, and its
    page footer is in that language too."""
    versions: list[Version] = []
    for locale in LOCALES[language]:
        with force_locale(locale):
            versions.append(Version(locale, title(), _version_body(template, context)))
    first = versions[0].lang
    with force_locale(first):
        return render_pdf(
            FRAME,
            title=" / ".join(version.title for version in versions),
            lang=first,
            images=images,
            versions=versions,
        )


def _map_image(drawing: MapDrawing) -> dict[str, tuple[bytes, str]]:
    """The map, for ``render_pdf``'s images: SVG, so it is drawn as vector paths. Given as
    an image rather than inline, WeasyPrint lays it out faster, and the one drawing (it has
    no words) serves every language version."""
    return {"map": (drawing.svg.encode(), "image/svg+xml")}


def _produced(
    actor: User,
    kind: str,
    object_id: int,
    *,
    document: str,
    reference: str,
    language: DocumentLanguage,
    **details: Any,
) -> None:
    audit.record(
        f"{kind}.document_produced",
        actor=actor,
        object_type=kind,
        object_id=object_id,
        document=document,
        reference=reference,
        language=language.value,
        **details,
    )


def direction_notice_pdf(
    actor: User, direction: DispersalDirection, language: DocumentLanguage
) -> bytes:
    """The Section 35 notice to hand to the person: the reference, who it was given to
    and by whom (name and rank), when and where, the locality and the area to stay out of
    (a map, and the boundary written out), until when, the time to leave by and the route,
    any items surrendered and how to get them back, the offence warning, any variation or
    withdrawal, and what to do if the person thinks it wrong. One
    ``direction.document_produced`` audit event with the language and reference."""
    subject = direction.subject
    person = {
        "name": direction.person_name or (subject.name if subject is not None else ""),
        "date_of_birth": direction.date_of_birth,
        "apparent_age": direction.apparent_age,
        "address": direction.address,
        "description": direction.description
        or (subject.description if subject is not None else ""),
    }
    authorisation = direction.authorisation
    given_at = (
        [(direction.latitude, direction.longitude)]
        if direction.latitude is not None and direction.longitude is not None
        else []
    )
    # The locality outlined, the area to stay out of hatched (all of it, unless the
    # direction named a part), and a dot where it was given.
    drawing = draw_map(
        authorisation.geometry,
        part=direction.excluded_geometry or authorisation.geometry,
        points=given_at,
        width_mm=MAP_WIDTH_MM,
        height_mm=MAP_HEIGHT_MM,
    )
    pdf = _produce(
        "orders/pdf/direction_notice.html",
        language,
        lambda: _("Section 35 direction notice %(reference)s", reference=direction.reference),
        images=_map_image(drawing),
        d=direction,
        a=authorisation,
        person=person,
        map=drawing,
    )
    _produced(
        actor,
        "direction",
        direction.id,
        document="section_35_notice",
        reference=direction.reference,
        language=language,
    )
    return pdf


def authorisation_record_pdf(
    actor: User, authorisation: DispersalAuthorisation, language: DocumentLanguage, now: datetime
) -> bytes:
    """The Section 34 authorisation record: the reference, the inspector (name and rank)
    and when they signed, the locality (a map, and the boundary written out), the start
    and end, why it is necessary, the grounds, the regard to ECHR Articles 10 and 11, and
    whether (when, by whom, why) it was ended early. One
    ``authorisation.document_produced`` audit event with the language and reference."""
    directions = db.session.scalar(
        select(func.count(DispersalDirection.id)).where(
            DispersalDirection.authorisation_id == authorisation.id
        )
    )
    drawing = draw_map(authorisation.geometry, width_mm=MAP_WIDTH_MM, height_mm=MAP_HEIGHT_MM)
    pdf = _produce(
        "orders/pdf/authorisation_record.html",
        language,
        lambda: _(
            "Section 34 authorisation record %(reference)s", reference=authorisation.reference
        ),
        images=_map_image(drawing),
        a=authorisation,
        map=drawing,
        ended_by=authorisation.ended_by.name if authorisation.ended_by is not None else "",
        directions=directions or 0,
        printed_at=now,
        printed_by=actor.name,
    )
    _produced(
        actor,
        "authorisation",
        authorisation.id,
        document="section_34_record",
        reference=authorisation.reference,
        language=language,
    )
    return pdf


def notice_letter_pdf(
    actor: User, notice: ExclusionNotice, language: DocumentLanguage, now: datetime
) -> bytes:
    """The partnership exclusion notice letter: the reference, the person (their reference
    and description; their name only when SUBJECT_SHARE_NAME_WITH_MEMBERS is on, since
    the letter is shown at the venues; their latest photo only when the notice includes
    one and SUBJECT_SHARE_PHOTO_WITH_MEMBERS is on), the reasons, the incidents relied on
    (dates and venues), the start and end, every venue named at issue with its address,
    how to appeal and by when, the review date and the coordinator. One
    ``notice.document_produced`` audit event with the language and reference."""
    subject = notice.subject
    images: dict[str, tuple[bytes, str]] = {}
    if (
        notice.include_photo
        and current_app.config["SUBJECT_SHARE_PHOTO_WITH_MEMBERS"]
        and subject.photos
    ):
        latest = subject.photos[-1]
        images["photo"] = (latest.data, latest.content_type)
    incidents = [
        {
            "occurred_at": sighting.occurred_at,
            "where": sighting.venue.name if sighting.venue is not None else sighting.place,
        }
        for sighting in notice.incidents
    ]
    pdf = _produce(
        "orders/pdf/notice_letter.html",
        language,
        lambda: _("Exclusion notice %(reference)s", reference=notice.reference),
        images=images,
        n=notice,
        subject=subject,
        show_name=bool(current_app.config["SUBJECT_SHARE_NAME_WITH_MEMBERS"]),
        photo="photo" in images,
        incidents=incidents,
        printed_at=now,
    )
    _produced(
        actor,
        "notice",
        notice.id,
        document="exclusion_notice_letter",
        reference=notice.reference,
        language=language,
        photo="photo" in images,
    )
    return pdf


def decided_appeal(notice: ExclusionNotice, appeal_id: int) -> NoticeAppeal | None:
    """The appeal ``appeal_id`` against ``notice`` if it has been decided (only a decided
    appeal has an outcome letter); else None."""
    for appeal in notice.appeals:
        if appeal.id == appeal_id and appeal.outcome:
            return appeal
    return None


def appeal_outcome_pdf(
    actor: User,
    notice: ExclusionNotice,
    appeal: NoticeAppeal,
    language: DocumentLanguage,
    now: datetime,
) -> bytes:
    """The letter with the outcome of an appeal against ``notice``: the notice reference,
    when the appeal was received, its grounds, the outcome and its reasons, what happens
    now and who decided. ``appeal`` must be one of the notice's decided appeals
    (:func:`decided_appeal`). One ``notice.document_produced`` audit event with the
    language, the notice reference and the appeal."""
    if appeal.notice_id != notice.id or not appeal.outcome:
        raise ValueError("an outcome letter needs a decided appeal against this notice")
    pdf = _produce(
        "orders/pdf/appeal_outcome.html",
        language,
        lambda: _("Appeal outcome for exclusion notice %(reference)s", reference=notice.reference),
        n=notice,
        appeal=appeal,
        printed_at=now,
    )
    _produced(
        actor,
        "notice",
        notice.id,
        document="appeal_outcome_letter",
        reference=notice.reference,
        language=language,
        appeal_id=appeal.id,
    )
    return pdf
