"""The Section 34 authorisation record, as a PDF (in the frame of
:mod:`partnership.orders.documents`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.core.catalogue import gettext as _
from partnership.core.enums import DocumentLanguage
from partnership.core.maps import draw_map
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.documents import MAP_HEIGHT_MM, MAP_WIDTH_MM, map_image, produce, produced


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
    pdf = produce(
        "orders/pdf/authorisation_record.html",
        language,
        lambda: _(
            "Section 34 authorisation record %(reference)s", reference=authorisation.reference
        ),
        images=map_image(drawing),
        a=authorisation,
        map=drawing,
        ended_by=authorisation.ended_by.name if authorisation.ended_by is not None else "",
        directions=directions or 0,
        printed_at=now,
        printed_by=actor.name,
    )
    produced(
        actor,
        "authorisation",
        authorisation.id,
        document="section_34_record",
        reference=authorisation.reference,
        language=language,
    )
    return pdf
