"""Photos on sightings: stored and served without EXIF, GPS or device data."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.sightings.models import Attachment, Sighting
from tests.conftest import events
from tests.sightings.test_sightings import form

NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("partnership.sightings.views.utcnow", lambda: NOW)


def camera_jpeg() -> bytes:
    """A phone photo: camera make and model, a timestamp and a GPS position in its EXIF."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Pocket Camera 9"  # Model
    exif[0x0132] = "2026:11:28 00:44:00"  # DateTime
    exif[GPS_IFD] = {1: "N", 2: (51.0, 37.0, 11.0), 3: "W", 4: (3.0, 56.0, 26.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert b"PhoneMaker" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


def has_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert not image.getexif().get_ifd(GPS_IFD)
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"Exif\x00\x00" not in data
    assert b"PhoneMaker" not in data and b"Pocket Camera" not in data


def test_stored_and_served_photos_carry_no_exif_or_gps(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.PREMISES_STAFF)
    data = form(None)
    data["photos"] = [(io.BytesIO(camera_jpeg()), "IMG_0042.jpg", "image/jpeg")]
    response = client.post("/sightings/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)

    with app.app_context():
        (photo,) = db.session.scalars(select(Attachment)).all()
        stored, sighting_id, photo_id = photo.data, photo.sighting_id, photo.id
    has_no_metadata(stored)

    served = client.get(f"/sightings/{sighting_id}/photos/{photo_id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    has_no_metadata(served.data)
    assert events(app, "sighting.photo_viewed")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", "png", "says it is a JPEG image but it is a PNG"),
        ("notes.jpg", "text", "is not a photo"),
    ],
)
def test_a_refused_photo_brings_the_form_back_and_saves_nothing(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    name: str,
    content: str,
    message: str,
) -> None:
    login_as(Role.PREMISES_STAFF)
    if content == "png":
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, "PNG")
        payload = out.getvalue()
    else:
        payload = b"just some text, not an image"
    data = form(None)
    data["photos"] = [(io.BytesIO(payload), name, "image/jpeg")]
    response = client.post("/sightings/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Followed her from the bar to the door" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Sighting.id))) == 0


def test_more_than_five_photos_are_refused(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.PREMISES_STAFF)
    data = form(None)
    data["photos"] = [(io.BytesIO(camera_jpeg()), f"p{n}.jpg", "image/jpeg") for n in range(6)]
    page = client.post("/sightings/new", data=data, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "Attach up to 5 photos" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
