"""Venues (licensed premises) and areas (named polygons such as a night-time-economy zone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import Organisation
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db


class Venue(Versioned, db.Model):  # type: ignore[name-defined]
    """A licensed premises, owned by a member organisation of kind ``licensed_premises``.

    Venues are not sensitive: every signed-in member sees the list; coordinators
    and administrators manage it.
    """

    __tablename__ = "venues"
    __table_args__ = (Index("ix_venues_organisation_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    licence_number: Mapped[str] = mapped_column(String(60), default="")
    has_safe_space: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Venue {self.id} {self.name!r}>"


class Area(Versioned, db.Model):  # type: ignore[name-defined]
    """A named polygon (GeoJSON Polygon or MultiPolygon geometry, WGS84 longitude/latitude)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.name!r}>"
