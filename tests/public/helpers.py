"""Answers for the public report form, and photos to send with it."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from PIL import Image
from werkzeug.test import TestResponse

# 14:00 on Friday 27 November 2026: "tonight" is the night of the 27th, "last night" the 26th.
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
DESCRIPTION = "He followed me from the taxi rank to the bus stop"
PLACE = "Outside the kebab shop on Wind Street"


def answers(**overrides: Any) -> dict[str, Any]:
    """Every answer of a complete report, as the check page sends them."""
    data: dict[str, Any] = {
        "step": "6",
        "submission_key": uuid.uuid4().hex,
        "reporter": "me",
        "venue_id": "",
        "place": PLACE,
        "latitude": "",
        "longitude": "",
        "when": "last_night",
        "night": "",
        "time_of_night": "after_midnight",
        "behaviours": ["aspb.following", "assb.catcalling"],
        "other_behaviour": "",
        "description": DESCRIPTION,
        "wants_contact": "no",
        "contact_name": "",
        "contact_detail": "",
        "contact_times": "",
        "website": "",
        "action": "send",
    }
    data.update(overrides)
    return data


def at_step(step: int, action: str = "next", **overrides: Any) -> dict[str, Any]:
    return answers(step=str(step), action=action, **overrides)


def send(client: FlaskClient, **overrides: Any) -> TestResponse:
    return client.post("/safety/report", data=answers(**overrides))


def gps_exif() -> Image.Exif:
    """EXIF naming a camera and a place: GPS IFD (0x8825) at 51.62N, 3.94W."""
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"  # Make
    exif[0x0110] = "CanaryPhone 9"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 37.0, 12.0)
    gps[3] = "W"
    gps[4] = (3.0, 56.0, 24.0)
    return exif


def photo(data: bytes, name: str = "photo.jpg") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name
