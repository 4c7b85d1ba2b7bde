"""A report over a long range of nights, worked out in the background (see
:mod:`partnership.reports.runs`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db


class ReportRun(db.Model):  # type: ignore[name-defined]
    """One person's request for a long report: its arguments, how far it has got, and the
    figures when done (counts and record ids only: nothing about anyone is written out
    until the report is shown, suppressed and pseudonymised for its reader). Kept a day."""

    __tablename__ = "report_runs"
    __table_args__ = (Index("ix_report_runs_user_id_created_at", "user_id", "created_at"),)

    # Random, so one run's address says nothing of another's.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)  # the report's query string
    first_night: Mapped[date] = mapped_column(Date)
    last_night: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10))  # waiting, running, done, failed
    step: Mapped[int] = mapped_column(Integer, default=0)
    steps: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    failure: Mapped[str] = mapped_column(Text, default="")  # the error's kind, for the log
