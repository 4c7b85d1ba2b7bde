"""A stored public report is announced with ``public_report_received``: once, after it
is flushed, naming the report and the moment; a refused form announces nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from partnership.core.signals import public_report_received
from partnership.extensions import db
from partnership.public.models import PublicReport
from tests.public.helpers import send


def test_a_stored_report_is_announced_once(app: Flask, client: FlaskClient) -> None:
    heard: list[tuple[int, str, datetime]] = []

    def receiver(report: PublicReport, *, now: datetime, **_details: Any) -> None:
        assert report.id is not None  # flushed before it is sent
        heard.append((report.id, report.reference, now))

    with public_report_received.connected_to(receiver):
        response = send(client)
        assert response.status_code == 200
        refused = send(client, website="http://spam.example")  # the honeypot
        assert refused.status_code == 400
    with app.app_context():
        stored = db.session.scalars(db.select(PublicReport)).all()
        assert [(r.id, r.reference, r.received_at) for r in stored] == heard
