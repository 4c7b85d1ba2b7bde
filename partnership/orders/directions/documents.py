"""The Section 35 notice handed to the person, as a PDF (in the frame of
:mod:`partnership.orders.documents`)."""

from __future__ import annotations

from partnership.auth.models import User
from partnership.core.catalogue import gettext as _
from partnership.core.enums import DocumentLanguage
from partnership.core.maps import draw_map
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.documents import MAP_HEIGHT_MM, MAP_WIDTH_MM, map_image, produce, produced


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
    pdf = produce(
        "orders/pdf/direction_notice.html",
        language,
        lambda: _("Section 35 direction notice %(reference)s", reference=direction.reference),
        images=map_image(drawing),
        d=direction,
        a=authorisation,
        person=person,
        map=drawing,
    )
    produced(
        actor,
        "direction",
        direction.id,
        document="section_35_notice",
        reference=direction.reference,
        language=language,
    )
    return pdf
