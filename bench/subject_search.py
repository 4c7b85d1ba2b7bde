"""Time the red-flag search with a county's subjects beside a town's, in one run.

.venv/bin/python bench/subject_search.py [--subjects 20000] [--small 200] [--repeat 20]

A county's year of 1,000,000 sightings has about one subject per 50 (20,000); a town's
10,000 about 200. Each subject has a partnership note. As a police officer: the list with
no words, a search for a name only one subject has, a search for a word every subject
has, and a search of two characters (read without the index). The large set goes into
SQLite and, when ``PARTNERSHIP_BENCH_DATABASE_URL`` names an empty PostgreSQL database,
into PostgreSQL too, then analysed as autovacuum would have.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_app, bench_officer
from partnership.extensions import db
from partnership.subjects.models import RedFlagNote, Subject

BATCH = 5_000
# Ordinary words: most subjects' descriptions and clothing share some of them.
CLOTHES = ["black hoodie", "grey tracksuit", "white trainers", "denim jacket", "red cap"]
FIRST = ["Adam", "Bethan", "Carys", "Dylan", "Elis", "Ffion", "Gareth", "Huw", "Ieuan", "Jac"]
LAST = ["Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis"]
RARE_NAME = "Quentin Marlowe"


def subject_row(number: int, organisation_id: int, moment: datetime) -> dict[str, object]:
    name = f"{FIRST[number % len(FIRST)]} {LAST[(number // 10) % len(LAST)]} {number}"
    return {
        "id": number,
        "reference": f"RF-2026-{number:05d}",
        "description": f"Seen waiting outside venues on Wind Street, subject number {number}",
        "clothing": CLOTHES[number % len(CLOTHES)],
        "distinguishing_features": "tattoo on the left hand" if number % 7 == 0 else "",
        "name": name,
        "aliases": f"J{number}" if number % 3 == 0 else "",
        "organisation_id": organisation_id,
        "created_at": moment,
        "updated_at": moment,
    }


def build(url: str, subjects: int) -> tuple[Flask, str]:
    """An app on ``url`` with ``subjects`` subjects (one, in the middle, named
    :data:`RARE_NAME`), each with a partnership note; a police officer's token."""
    app = bench_app(url)
    with app.app_context():
        officer = bench_officer()
        db.session.commit()
        moment = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
        made = 0
        while made < subjects:
            count = min(BATCH, subjects - made)
            numbers = range(made + 1, made + count + 1)
            rows = [subject_row(number, officer.organisation_id, moment) for number in numbers]
            for row in rows:
                if row["id"] == subjects // 2:
                    row["name"] = RARE_NAME
            notes = [
                {
                    "subject_id": number,
                    "author_id": officer.id,
                    "organisation_id": officer.organisation_id,
                    "text": "Follows women out of the venue",
                    "sharing": "partnership",
                    "review_on": date(2026, 11, 27) + timedelta(days=90),
                    "created_at": moment,
                }
                for number in numbers
            ]
            db.session.execute(insert(Subject), rows)
            db.session.execute(insert(RedFlagNote), notes)
            db.session.commit()
            made += count
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT setval('subjects_id_seq', :last)"), {"last": made})
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        token = officer.session_token
    return app, token


def timed(app: Flask, token: str, path: str, repeat: int) -> float:
    """Median milliseconds for GET ``path`` (after two warm-up requests)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    for _ in range(2):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def found(app: Flask, words: str) -> int:
    """How many subjects a plain read of every subject finds for ``words`` (a check that
    the large set holds what the searches look for)."""
    with app.app_context():
        pattern = f"%{words.lower()}%"
        query = select(db.func.count()).where(db.func.lower(Subject.name).like(pattern))
        return int(db.session.scalar(query) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    paths = {
        "list, no words": "/subjects/",
        "a rare name": f"/subjects/?q={RARE_NAME.split()[1].lower()}",
        "a common word": "/subjects/?q=hoodie",
        "two characters": "/subjects/?q=zz",
    }
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PARTNERSHIP_INSTANCE_PATH"] = tmp
        # Both sizes on the same kind of database; PostgreSQL's one database holds the small
        # set, then the large one.
        kinds = {
            "SQLite": (f"sqlite:///{Path(tmp) / 'small.db'}", f"sqlite:///{Path(tmp) / 'large.db'}")
        }
        postgresql = os.environ.get("PARTNERSHIP_BENCH_DATABASE_URL")
        if postgresql:
            kinds["PostgreSQL"] = (postgresql, postgresql)
        for kind, (small_url, large_url) in kinds.items():
            small, small_token = build(small_url, args.small)
            small_ms = {
                name: timed(small, small_token, path, args.repeat) for name, path in paths.items()
            }
            with small.app_context():
                db.engine.dispose()
            started = time.perf_counter()
            large, large_token = build(large_url, args.subjects)
            seeded = time.perf_counter() - started
            assert found(large, "marlowe") == 1
            print(
                f"{kind}: {args.subjects:,} subjects seeded in {seeded:.0f} s;"
                f" median of {args.repeat} requests"
            )
            print(
                f"{'page':<16} {f'{args.small:,} ms':>10}"
                f" {f'{args.subjects:,} ms':>10} {'ratio':>7}"
            )
            for name, path in paths.items():
                large_ms = timed(large, large_token, path, args.repeat)
                ratio = large_ms / small_ms[name]
                print(f"{name:<16} {small_ms[name]:>10.1f} {large_ms:>10.1f} {ratio:>7.1f}")
            with large.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
