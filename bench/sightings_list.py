"""Time the sightings list with a large table beside a small one, in one run.

.venv/bin/python bench/sightings_list.py [--rows 1000000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_app, bench_officer
from partnership.core.enums import Behaviour
from partnership.extensions import db
from partnership.sightings.models import Sighting, SightingBehaviour

BATCH = 20_000
CODES = [b.value for b in Behaviour if b is not Behaviour.OTHER]
LAST_NIGHT = date(2026, 11, 27)


def build(url: str, rows: int) -> tuple[Flask, str]:
    """An app on ``url`` with ``rows`` sightings over the last five years; a police token."""
    app = bench_app(url)
    with app.app_context():
        officer = bench_officer()
        db.session.commit()
        randomiser = random.Random(7)
        made = 0
        while made < rows:
            count = min(BATCH, rows - made)
            sightings, behaviours = [], []
            for number in range(made + 1, made + count + 1):
                night = LAST_NIGHT - timedelta(days=(number * 1826) // max(rows, 1))
                moment = datetime(night.year, night.month, night.day, 23, 0, tzinfo=UTC)
                sightings.append(
                    {
                        "id": number,
                        "submission_key": f"b{number}",
                        "organisation_id": officer.organisation_id,
                        "author_id": officer.id,
                        "sharing": "partnership",
                        "occurred_at": moment,
                        "night": night,
                        "place": "Wind Street",
                        "victim_response": "not_known",
                        "action_taken": "no_action",
                        "vulnerabilities": [],
                        "created_at": moment,
                        "updated_at": moment,
                    }
                )
                behaviours.append(
                    {"sighting_id": number, "code": randomiser.choice(CODES), "night": night}
                )
            db.session.execute(insert(Sighting), sightings)
            db.session.execute(insert(SightingBehaviour), behaviours)
            db.session.commit()
            made += count
        token = officer.session_token
    return app, token


def timed(app: Flask, token: str, path: str, repeat: int) -> float:
    """Median milliseconds for GET ``path`` (after one warm-up request)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    assert client.get(path).status_code == 200
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def deep_cursor(app: Flask, fraction: float) -> str:
    with app.app_context():
        total = db.session.scalar(select(db.func.max(Sighting.id))) or 1
        row = db.session.get(Sighting, max(1, int(total * fraction)))
        assert row is not None
        return f"{row.night.isoformat()}_{row.id}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PARTNERSHIP_INSTANCE_PATH"] = tmp
        base = os.environ.get("PARTNERSHIP_BENCH_DATABASE_URL")
        small_url = f"sqlite:///{Path(tmp) / 'small.db'}"
        large_url = base or f"sqlite:///{Path(tmp) / 'large.db'}"
        started = time.perf_counter()
        small, small_token = build(small_url, args.small)
        large, large_token = build(large_url, args.rows)
        print(
            f"seeded {args.small:,} and {args.rows:,} sightings in "
            f"{time.perf_counter() - started:.0f} s ({large_url.split(':')[0]})"
        )

        queries = {
            "first page": lambda app: "/sightings/",
            "page at 90% depth": lambda app: f"/sightings/?after={deep_cursor(app, 0.9)}",
            "one behaviour": lambda app: "/sightings/?behaviour=aspb.staring",
            "one night": lambda app: "/sightings/?night_from=2025-06-06&night_to=2025-06-06",
        }
        print(f"{'query':<20} {'small ms':>10} {'large ms':>10} {'ratio':>7}")
        for name, path in queries.items():
            small_ms = timed(small, small_token, path(small), args.repeat)
            large_ms = timed(large, large_token, path(large), args.repeat)
            print(f"{name:<20} {small_ms:>10.1f} {large_ms:>10.1f} {large_ms / small_ms:>7.1f}")


if __name__ == "__main__":
    main()
