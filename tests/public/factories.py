"""Public reports made straight in the database, as the public form would have made them:
the form is tested on its own; these stand in for it elsewhere."""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime
from itertools import count

from flask import Flask
from PIL import Image

from partnership.core.enums import Behaviour, ReporterKind, TimeOfNight, TriageStatus
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.public.models import PublicReport, PublicReportBehaviour, PublicReportPhoto

_numbers = count(1)


def add_public_report(
    app: Flask,
    *,
    reference: str | None = None,
    submission_key: str | None = None,
    reporter: ReporterKind | str = ReporterKind.ME,
    language: str = "en",
    venue_id: int | None = None,
    area_id: int | None = None,
    place: str = "Outside the kebab shop on Wind Street",
    latitude: float | None = None,
    longitude: float | None = None,
    night: date | None = None,
    time_of_night: TimeOfNight | str = TimeOfNight.LATE_EVENING,
    behaviours: Iterable[Behaviour | str] = (Behaviour.CATCALLING, Behaviour.FOLLOWING),
    other_behaviour: str = "",
    description: str = "A man shouted at us and then followed us to the taxi rank.",
    wants_contact: bool = False,
    contact_name: str = "",
    contact_detail: str = "",
    contact_times: str = "",
    received_at: datetime | None = None,
    status: TriageStatus | str = TriageStatus.NEW,
    triaged_at: datetime | None = None,
    triaged_by_id: int | None = None,
    urgent_action: str = "",
    triage_note: str = "",
    subject_id: int | None = None,
    sighting_id: int | None = None,
    photo: bytes | None = None,
) -> PublicReport:
    """One public report, committed; returned detached with its behaviours and photo loaded.

    ``night`` defaults to the night ``received_at`` falls in, else 13 March 2026;
    ``received_at`` defaults to 23:00 UTC on the night's date; ``photo`` is stored as a JPEG
    as given (see :func:`tests.factories.jpeg_bytes`)."""
    number = next(_numbers)
    if night is None:
        night = night_of(received_at) if received_at is not None else date(2026, 3, 13)
    with app.app_context():
        report = PublicReport(
            reference=reference or f"PR{number:04d}{secrets.token_hex(3).upper()}",
            submission_key=submission_key or secrets.token_hex(16),
            reporter=str(reporter),
            language=language,
            venue_id=venue_id,
            area_id=area_id,
            place=place,
            latitude=latitude,
            longitude=longitude,
            night=night,
            time_of_night=str(time_of_night),
            other_behaviour=other_behaviour,
            description=description,
            wants_contact=wants_contact,
            contact_name=contact_name,
            contact_detail=contact_detail,
            contact_times=contact_times,
            received_at=received_at or datetime(night.year, night.month, night.day, 23, tzinfo=UTC),
            status=str(status),
            triaged_at=triaged_at,
            triaged_by_id=triaged_by_id,
            urgent_action=urgent_action,
            triage_note=triage_note,
            subject_id=subject_id,
            sighting_id=sighting_id,
        )
        report.behaviours = [PublicReportBehaviour(code=str(code)) for code in behaviours]
        if photo is not None:
            with Image.open(io.BytesIO(photo)) as image:
                width, height = image.size
            report.photo = PublicReportPhoto(
                content_type="image/jpeg",
                width=width,
                height=height,
                size=len(photo),
                sha256=hashlib.sha256(photo).hexdigest(),
                data=photo,
            )
        db.session.add(report)
        db.session.commit()
        db.session.refresh(report)
        report.behaviours  # noqa: B018 - loaded before the report leaves the session
        report.photo  # noqa: B018
        db.session.expunge_all()
        return report
