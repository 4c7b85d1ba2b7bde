"""The bench's county seed: bulk rows with explicit ids leave the database able to save new
records (PostgreSQL's sequences set past them), on the suite's kind of database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from bench import county
from partnership.auth.models import User
from partnership.core.enums import Behaviour, Sharing
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.orders.notices.models import ExclusionNotice
from partnership.sightings import service as sightings
from partnership.sightings.models import Sighting
from partnership.subjects import service as subjects


def test_a_seeded_county_saves_new_records(new_database: Callable[..., str]) -> None:
    now = datetime.now(UTC)
    app = county.seed(new_database(), rows=200, now=now)
    with app.app_context():
        try:
            assert db.session.scalar(select(func.count()).select_from(Sighting)) == 200
            assert db.session.scalar(select(func.max(Sighting.night))) == night_of(now)
            tonight = night_of(now)
            in_force = select(func.count()).where(
                ExclusionNotice.starts_on <= tonight, ExclusionNotice.ends_on >= tonight
            )
            assert db.session.scalar(in_force.select_from(ExclusionNotice))

            door = db.session.scalar(
                select(User).where(User.email == county.ACCOUNTS["door supervisor"])
            )
            officer = db.session.scalar(
                select(User).where(User.email == county.ACCOUNTS["officer"])
            )
            assert door is not None and officer is not None
            data = sightings.SightingData(
                occurred_at=now - timedelta(minutes=5),
                venue_id=None,
                place="Wind Street",
                latitude=None,
                longitude=None,
                behaviours=[Behaviour.STARING.value],
                other_behaviour="",
                victim_response="moved_away",
                action_taken="spoke_to",
                sharing=Sharing.PARTNERSHIP.value,
            )
            saved = sightings.record_sighting(door, data, [], "after-the-seed", now)
            subject = subjects.create_subject(
                officer, subjects.SubjectData(description="Seen after the seed"), now
            )
            db.session.commit()
            assert saved.id > 200
            assert subject.id > 4

            if db.engine.dialect.name == "postgresql":
                behind = []
                for table in db.metadata.sorted_tables:
                    if "id" not in table.columns:
                        continue
                    sequence = db.session.scalar(
                        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
                    )
                    if sequence is None:
                        continue
                    highest = db.session.scalar(select(func.max(table.c.id)))
                    following = db.session.scalar(text("SELECT nextval(:s)"), {"s": sequence})
                    if highest is not None and following <= highest:
                        behind.append(table.name)
                assert behind == []
        finally:
            db.session.remove()
            db.engine.dispose()  # the suite drops the database next: nothing may hold it
