"""Time the partnership report, each export and the review pack for a year of a county's
data (1,000,000 sightings at 200 venues by default, a Safe Space use for every twentieth and
a public report for every fiftieth) beside a small data set, in one run, with each
request's peak Python memory: the large set on SQLite and, when a PostgreSQL database is
given, on PostgreSQL too.

.venv/bin/python bench/reports.py [--rows 1000000] [--small 10000] [--repeat 3]
PARTNERSHIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench_db .venv/bin/python \\
    bench/reports.py       # an empty PostgreSQL database you created
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask, url_for
from sqlalchemy import delete, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import reset_sequences
from bench.harness import bench_app
from partnership.admin import service as admin_service
from partnership.core.enums import ActionTaken, Behaviour, OrgKind, Role, VictimResponse
from partnership.extensions import db
from partnership.public.models import PublicReport
from partnership.reports.models import ReportRun
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse

BATCH = 20_000
VENUES = 200
LAST_NIGHT = date(2026, 11, 22)
FIRST_NIGHT = LAST_NIGHT - timedelta(days=364)
BEHAVIOURS = [b.value for b in Behaviour if b is not Behaviour.OTHER]
RESPONSES = [r.value for r in VictimResponse]
ACTIONS = [a.value for a in ActionTaken]


def build(url: str, rows: int) -> tuple[Flask, str]:
    """An app on ``url`` with a year of ``rows`` sightings at 200 venues and a Safe Space use
    for every twentieth; an analyst's session token."""
    app = bench_app(url)
    randomiser = random.Random(11)
    with app.app_context():
        partnership = admin_service.create_organisation(
            None, "Bench Partnership", OrgKind.PARTNERSHIP
        )
        bars = admin_service.create_organisation(None, "Bench Bars", OrgKind.LICENSED_PREMISES)
        analyst = admin_service.create_user(
            None,
            name="Bench Analyst",
            email="analyst@example.org",
            organisation=partnership,
            role=Role.ANALYST,
            rank=None,
            password="bench-password-123",
        ).user
        venues = [
            Venue(
                organisation_id=bars.id,
                name=f"Venue {number}",
                latitude=51.60 + (number % 20) * 0.002,
                longitude=-3.96 + (number // 20) * 0.003,
                has_safe_space=True,
            )
            for number in range(VENUES)
        ]
        db.session.add_all(venues)
        db.session.commit()
        venue_ids = [venue.id for venue in venues]
        made = 0
        while made < rows:
            count = min(BATCH, rows - made)
            sightings, behaviours, uses, public = [], [], [], []
            for number in range(made + 1, made + count + 1):
                night = FIRST_NIGHT + timedelta(days=number % 365)
                hour = randomiser.choice((19, 20, 21, 22, 23, 24, 25, 26, 27))
                moment = datetime(night.year, night.month, night.day, tzinfo=UTC) + timedelta(
                    hours=hour, minutes=randomiser.randrange(60)
                )
                venue_id = randomiser.choice(venue_ids)
                sightings.append(
                    {
                        "id": number,
                        "submission_key": f"b{number}",
                        "organisation_id": bars.id,
                        "author_id": None,
                        "sharing": "partnership",
                        "occurred_at": moment,
                        "night": night,
                        "venue_id": venue_id,
                        "victim_response": randomiser.choice(RESPONSES),
                        "action_taken": randomiser.choice(ACTIONS),
                        "vulnerabilities": [],
                        "created_at": moment,
                        "updated_at": moment,
                    }
                )
                for code in randomiser.sample(BEHAVIOURS, randomiser.choice((1, 1, 2))):
                    behaviours.append({"sighting_id": number, "code": code, "night": night})
                if number % 20 == 0:
                    uses.append(
                        {
                            "submission_key": f"u{number}",
                            "organisation_id": bars.id,
                            "venue_id": venue_id,
                            "arrived_at": moment,
                            "night": night,
                            "reasons": ["harassed"],
                            "support": [],
                            "handed_to": "friend",
                            "created_at": moment,
                        }
                    )
                if number % 50 == 0:
                    public.append(
                        {
                            "reference": f"PR-B{number}",
                            "submission_key": f"p{number}",
                            "reporter": "me",
                            "language": "en",
                            "venue_id": venue_id,
                            "place": "",
                            "night": night,
                            "time_of_night": "after_midnight",
                            "received_at": moment,
                            "status": "reviewed",
                        }
                    )
            db.session.execute(insert(Sighting), sightings)
            db.session.execute(insert(SightingBehaviour), behaviours)
            if uses:
                db.session.execute(insert(SafeSpaceUse), uses)
            if public:
                db.session.execute(insert(PublicReport), public)
            db.session.commit()
            made += count
        if db.engine.dialect.name == "postgresql":
            # The rows above carry their ids: new records must get ids past them.
            reset_sequences(db.engine)
            # What autovacuum would have done by the time anyone asks for a report.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        return app, analyst.session_token


def measure(app: Flask, token: str, path: str, repeat: int) -> tuple[float, float]:
    """Median milliseconds for GET ``path``, the whole body read (a streamed export
    included), and the peak Python memory (MiB) of one more request traced for it.

    The first request, which also warms the caches, is the one traced: tracing every
    allocation slows Python several times over, so the timed requests are not traced.
    Each request starts with no long-report run kept, so an export or the pack works its
    figures out afresh. A report page that answers with a long report's address is
    followed, as its script would, until the report is shown: the time is to the report.
    """
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token

    def fetch() -> None:
        with app.app_context():
            db.session.execute(delete(ReportRun))
            db.session.commit()
        response = client.get(path)
        if response.status_code == 303:
            run = response.headers["Location"]
            wait_for_run(app, run)
            response = client.get(run)
        size = sum(len(chunk) for chunk in response.iter_encoded())
        if response.status_code != 200 or not size:
            raise SystemExit(f"{path}: {response.status_code}")

    tracemalloc.start()
    fetch()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times = []
    for _attempt in range(repeat):
        start = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), peak / 2**20


def first_answer(app: Flask, token: str, path: str, repeat: int) -> float:
    """Median milliseconds until the report page answers (for a long report, the report
    when its run finished within the page's patience, else its status page), each time
    with no run kept, after one request to warm the caches."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    times = []
    for attempt in range(repeat + 1):
        with app.app_context():
            db.session.execute(delete(ReportRun))
            db.session.commit()
        start = time.perf_counter()
        response = client.get(path, follow_redirects=True)
        if attempt:
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
        run = response.request.path
        if run.startswith("/reports/runs/"):  # let it finish before the next one starts
            wait_for_run(app, run)
    return statistics.median(times)


def wait_for_run(app: Flask, run_path: str) -> None:
    """Until the run at ``run_path`` is done, looking every 20 ms in the database (asking
    its progress page that often would take the time the run needs)."""
    run_id = run_path.rsplit("/", 1)[1]
    with app.app_context():
        while True:
            state = db.session.scalar(select(ReportRun.state).where(ReportRun.id == run_id))
            db.session.rollback()
            if state in ("done", "failed"):
                if state == "failed":
                    raise SystemExit(f"{run_path}: failed")
                return
            time.sleep(0.02)


def paths(app: Flask) -> dict[str, str]:
    year = {"range": "custom", "from": FIRST_NIGHT.isoformat(), "to": LAST_NIGHT.isoformat()}
    with app.test_request_context():
        return {
            "report page": url_for("reports.report", **year),
            "figures CSV": url_for("reports.figures_csv", **year),
            "figures XLSX": url_for("reports.figures_xlsx", **year),
            "sightings CSV": url_for("reports.sightings_csv", **year),
            "hotspots GeoJSON": url_for("reports.hotspots_geojson", **year),
            "review pack PDF": url_for("reports.pack_pdf", **year),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PARTNERSHIP_INSTANCE_PATH"] = tmp
        urls = {
            "small": f"sqlite:///{Path(tmp) / 'small.db'}",
            "sqlite": f"sqlite:///{Path(tmp) / 'large.db'}",
        }
        if os.environ.get("PARTNERSHIP_BENCH_DATABASE_URL"):
            urls["postgres"] = os.environ["PARTNERSHIP_BENCH_DATABASE_URL"]
        started = time.perf_counter()
        apps = {
            name: build(url, args.small if name == "small" else args.rows)
            for name, url in urls.items()
        }
        print(
            f"seeded {args.small:,} and {args.rows:,} sightings (a year, {VENUES} venues) in "
            f"{time.perf_counter() - started:.0f} s; large on {', '.join(list(urls)[1:])}"
        )
        large = [name for name in urls if name != "small"]
        print(
            f"{'request':<18} {'small ms':>9}"
            + "".join(f" {name + ' ms':>12} {'ratio':>6} {'peak MiB':>9}" for name in large)
        )
        report_page = paths(apps["small"][0])["report page"]
        line = (
            f"{'first answer':<18} {first_answer(*apps['small'], report_page, args.repeat):>9.0f}"
        )
        for which in large:
            answer = first_answer(*apps[which], report_page, args.repeat)
            line += f" {answer:>12.0f} {'':>6} {'':>9}"
        print(line, flush=True)
        for name, path in paths(apps["small"][0]).items():
            small_ms, _small_peak = measure(*apps["small"], path, args.repeat)
            line = f"{name:<18} {small_ms:>9.0f}"
            for which in large:
                large_ms, large_peak = measure(*apps[which], path, args.repeat)
                line += f" {large_ms:>12.0f} {large_ms / small_ms:>6.1f} {large_peak:>9.1f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
