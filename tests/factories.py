"""Records every feature's tests need, made straight in the database: organisations,
accounts, venues and areas, and a signed-in client; and a small photo's bytes.

Each feature's own records are made in ``tests/<feature>/factories.py``. Each function
opens its own app context and returns a detached row (or its id), so tests make requests
without holding a context (see tests/conftest.py).
"""

from __future__ import annotations

import io
from itertools import count
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from partnership.admin import service as admin_service
from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Rank, Role
from partnership.extensions import db
from partnership.venues import service as venues_service
from partnership.venues.models import Venue

PASSWORD = "correct horse battery staple"

# The organisation kind each role is made in by default.
DEFAULT_KIND = {
    Role.PREMISES_STAFF: OrgKind.LICENSED_PREMISES,
    Role.WELFARE: OrgKind.STREET_PASTORS,
    Role.OFFICER: OrgKind.POLICE,
    Role.INSPECTOR: OrgKind.POLICE,
    Role.COORDINATOR: OrgKind.PARTNERSHIP,
    Role.ANALYST: OrgKind.LOCAL_AUTHORITY,
    Role.ADMIN: OrgKind.PARTNERSHIP,
}
DEFAULT_RANK = {Role.OFFICER: Rank.CONSTABLE, Role.INSPECTOR: Rank.INSPECTOR}

# A small square around Wind Street, Swansea: a ring of [longitude, latitude].
SQUARE = [[-3.95, 51.61], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]

_numbers = count(1)


def polygon(ring: list[list[float]]) -> dict[str, Any]:
    """A GeoJSON polygon of one ``ring``."""
    return {"type": "Polygon", "coordinates": [ring]}


def make_org(app: Flask, kind: OrgKind = OrgKind.POLICE, name: str | None = None) -> Organisation:
    """An organisation of ``kind``, made as an administrator would (audited)."""
    with app.app_context():
        org = admin_service.create_organisation(
            None, name or f"{kind.value} org {next(_numbers)}", kind
        )
        db.session.commit()
        db.session.refresh(org)
        db.session.expunge(org)
        return org


def make_user(
    app: Flask,
    role: Role = Role.PREMISES_STAFF,
    org: Organisation | None = None,
    *,
    email: str | None = None,
    password: str | None = PASSWORD,
    rank: Rank | None = None,
    designated_pcso: bool = False,
    two_factor: bool | None = None,
    locale: str = "en",
    active: bool = True,
) -> User:
    """An account of ``role``, in a new organisation of the role's usual kind unless
    ``org``; police, coordinators and admins get a TOTP secret (``user.totp_secret``)."""
    org = org or make_org(app, DEFAULT_KIND[role])
    with app.app_context():
        organisation = db.session.get(Organisation, org.id)
        created = admin_service.create_user(
            None,
            name=f"Test {role.value} {next(_numbers)}",
            email=email or f"{role.value}{next(_numbers)}@example.org",
            organisation=organisation,
            role=role,
            rank=rank or DEFAULT_RANK.get(role),
            designated_pcso=designated_pcso,
            locale=locale,
            password=password,
        )
        user = created.user
        if two_factor if two_factor is not None else role.needs_two_factor:
            user.totp_secret = pyotp.random_base32()
        user.active = active
        db.session.commit()
        db.session.refresh(user)
        db.session.refresh(user.organisation)
        db.session.expunge_all()
        return user


def make_venue(
    app: Flask,
    org: Organisation,
    name: str = "The Anchor Bar",
    safe_space: bool = True,
    active: bool = True,
    **values: Any,
) -> Venue:
    """A venue of ``org`` on Wind Street; ``values`` change its other columns."""
    columns: dict[str, Any] = {
        "address": "1 Wind Street, Swansea",
        "postcode": "SA1 1DP",
        "latitude": 51.6197,
        "longitude": -3.9405,
        "licence_number": "PL/0001",
        **values,
    }
    with app.app_context():
        venue = Venue(
            organisation_id=org.id, name=name, has_safe_space=safe_space, active=active, **columns
        )
        db.session.add(venue)
        db.session.commit()
        db.session.refresh(venue)
        db.session.expunge(venue)
        return venue


def add_venue(app: Flask, org: Organisation, name: str = "The Anchor", **values: Any) -> int:
    """A bare venue of ``org`` with a Safe Space: a name and nothing else unless ``values``."""
    with app.app_context():
        venue = Venue(organisation_id=org.id, name=name, has_safe_space=True, **values)
        db.session.add(venue)
        db.session.commit()
        return venue.id


def make_area(app: Flask, name: str = "Wind Street zone", ring: list[list[float]] = SQUARE) -> int:
    """An area drawn by a coordinator (audited)."""
    with app.test_request_context():
        area = venues_service.create_area(None, name=name, description="", geometry=polygon(ring))
        db.session.commit()
        return area.id


def signed_in(app: Flask, user: User) -> FlaskClient:
    """A test client of its own, signed in as ``user`` (through the session, skipping the
    forms)."""
    client = app.test_client()
    sign_in_session(client, user)
    return client


def sign_in_session(client: FlaskClient, user: User) -> None:
    """Sign ``client`` in as ``user`` through the session."""
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def jpeg_bytes(
    size: tuple[int, int] = (8, 6), colour: Any = "purple", exif: Image.Exif | None = None
) -> bytes:
    """A small, clean JPEG of one ``colour``, as the upload cleaner would have stored it
    (with ``exif`` if given)."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is None:
        image.save(buffer, "JPEG")
    else:
        image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def jpeg_row(model: type[Any], **owner: Any) -> Any:
    """An unsaved photo row of ``model`` (a sighting's or a subject's) holding the
    default :func:`jpeg_bytes`, for building records by hand."""
    return model(
        content_type="image/jpeg",
        width=8,
        height=6,
        size=1,
        sha256="0" * 64,
        data=jpeg_bytes(),
        **owner,
    )


def colleagues(app: Flask, role: Role, **kwargs: Any) -> tuple[User, User]:
    """Two people of ``role`` in one organisation."""
    first = make_user(app, role, **kwargs)
    return first, make_user(app, role, first.organisation, **kwargs)


def add_stored_photo(app: Flask, model: type[Any], **owner: int) -> int:
    """A one-pixel photo row of ``model`` (a sighting's or a subject's) belonging to
    ``owner`` (``sighting_id=...`` or ``subject_id=...``)."""
    with app.app_context():
        photo = model(
            content_type="image/jpeg", width=1, height=1, size=1, sha256="x", data=b"\xff", **owner
        )
        db.session.add(photo)
        db.session.commit()
        return int(photo.id)
