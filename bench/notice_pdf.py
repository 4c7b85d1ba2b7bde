"""Time the Section 35 notice beside a bare one-page WeasyPrint document, in one run.

.venv/bin/python bench/notice_pdf.py [--repeat 30]

The notice is drawn as the portal draws it (partnership.orders.directions.documents, with its map,
embedded font, footer and audit event) for a direction seeded in a temporary SQLite
database. The bare page is WeasyPrint with nothing of the portal: its default stylesheet,
no fonts, pictures or footer, a heading and as many paragraphs of plain prose as fit on
one A4 page. The two are drawn alternately, after a warm-up, so that both meet the same
machine; the medians are of CPU time (other work on the machine counts against neither),
with wall-clock medians beside them. Exits 1 if the English notice takes more than
1.5 times the bare page; the Welsh notice is timed too, for information.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_app, bench_officer
from partnership.auth.models import User
from partnership.core.enums import DocumentLanguage
from partnership.extensions import db

LIMIT = 1.5
WARM_UP = 3
GIVEN_AT = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
# Swansea's Wind Street area, and a smaller part of it to stay out of.
LOCALITY = {
    "type": "Polygon",
    "coordinates": [
        [[-3.945, 51.618], [-3.935, 51.618], [-3.933, 51.622], [-3.944, 51.623], [-3.945, 51.618]]
    ],
}
PART = {
    "type": "Polygon",
    "coordinates": [
        [[-3.942, 51.619], [-3.938, 51.619], [-3.937, 51.6215], [-3.942, 51.621], [-3.942, 51.619]]
    ],
}
PROSE = (
    "Late on a Friday night the streets around the bus station fill with people leaving the"
    " bars. Door staff, street pastors and police officers keep an eye on anyone who seems"
    " lost, unwell or in trouble, and they write down what they saw so that the partnership"
    " can spot patterns over the weeks that follow. Most nights pass quietly, but the records"
    " help everyone plan where to stand and when to be there."
)


def build(url: str) -> tuple[Flask, int, int]:
    """An app on ``url`` with an officer and a direction given under an inspector's
    authorisation; the officer's and the direction's ids."""
    from partnership.orders.authorisations.models import DispersalAuthorisation
    from partnership.orders.directions.models import DispersalDirection

    app = bench_app(url)
    with app.app_context():
        officer = bench_officer("Rhian Morgan")
        authorisation = DispersalAuthorisation(
            reference="S34-2026-0001",
            locality_name="Wind Street and Castle Square",
            geometry=LOCALITY,
            boundary=(
                "From Castle Street along Wind Street to The Strand, along The Strand to"
                " Princess Way, and back along Caer Street to Castle Street"
            ),
            starts_at=datetime(2026, 11, 27, 20, 0, tzinfo=UTC),
            ends_at=datetime(2026, 11, 29, 20, 0, tzinfo=UTC),
            necessity=["crime_disorder"],
            grounds="Fights outside the late bars on the last three Fridays",
            echr_regard="No protest or gathering is planned in the area",
            signed_name="Gareth Evans",
            signed_rank="inspector",
            signed_at=datetime(2026, 11, 27, 19, 45, tzinfo=UTC),
        )
        direction = DispersalDirection(
            reference="S35-2026-0001",
            authorisation=authorisation,
            person_name="Dylan Hughes",
            apparent_age=19,
            address="1 Heol y Castell, Abertawe",
            description="Tall man, grey hoodie, white trainers",
            given_at=GIVEN_AT,
            place="Outside the Anchor Bar, Wind Street",
            latitude=51.6197,
            longitude=-3.9405,
            given_by_name=officer.name,
            given_by_rank="constable",
            in_uniform=True,
            excluded_geometry=PART,
            excluded_description="Wind Street between Castle Street and The Strand",
            ends_at=datetime(2026, 11, 29, 23, 0, tzinfo=UTC),
            leave_by=datetime(2026, 11, 27, 23, 45, tzinfo=UTC),
            route="North along Castle Street to the Kingsway",
            items_surrendered="One open bottle of cider",
            items_return="Collect it from Swansea Central police station after the direction ends",
            offence_warning_given=True,
            exemptions_checked={},
        )
        db.session.add_all([authorisation, direction])
        db.session.commit()
        return app, officer.id, direction.id


def bare_page() -> str:
    """A heading and as many paragraphs of prose as fit on one page with WeasyPrint's
    defaults."""
    import weasyprint

    def page(paragraphs: int) -> str:
        body = "".join(f"<p>{PROSE}</p>" for _ in range(paragraphs))
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>A bare page</title></head><body><h1>A bare page</h1>{body}</body></html>"
        )

    paragraphs = 1
    while len(weasyprint.HTML(string=page(paragraphs + 1)).render().pages) == 1:
        paragraphs += 1
    return page(paragraphs)


def medians(jobs: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """Median CPU and wall-clock milliseconds of each job, drawn in turn ``repeat`` times
    after a warm-up."""
    for job in jobs.values():
        for _ in range(WARM_UP):
            job()
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    wall: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            job()
            cpu[name].append((time.process_time() - started_cpu) * 1000)
            wall[name].append((time.perf_counter() - started) * 1000)
    return {name: (statistics.median(cpu[name]), statistics.median(wall[name])) for name in jobs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PARTNERSHIP_INSTANCE_PATH"] = tmp
        app, officer_id, direction_id = build(f"sqlite:///{Path(tmp) / 'bench.db'}")
        import weasyprint

        from partnership.orders.directions import documents
        from partnership.orders.directions.models import DispersalDirection

        bare = bare_page()
        with app.test_request_context():
            officer = db.session.get(User, officer_id)
            direction = db.session.get(DispersalDirection, direction_id)
            assert officer is not None and direction is not None
            jobs: dict[str, Callable[[], object]] = {
                "notice (English)": lambda: documents.direction_notice_pdf(
                    officer, direction, DocumentLanguage.ENGLISH
                ),
                "bare page": lambda: weasyprint.HTML(string=bare).write_pdf(),
                "notice (Welsh)": lambda: documents.direction_notice_pdf(
                    officer, direction, DocumentLanguage.WELSH
                ),
            }
            results = medians(jobs, args.repeat)
            db.session.rollback()

    bare_cpu = results["bare page"][0]
    print(f"{'document':<18} {'CPU ms':>8} {'wall ms':>8} {'ratio':>6}  (median of {args.repeat})")
    for name, (cpu, wall) in results.items():
        print(f"{name:<18} {cpu:>8.1f} {wall:>8.1f} {cpu / bare_cpu:>6.2f}")
    ratio = results["notice (English)"][0] / bare_cpu
    if ratio > LIMIT:
        print(f"FAIL: the notice takes {ratio:.2f} times the bare page (at most {LIMIT})")
        sys.exit(1)
    print(f"OK: the notice takes {ratio:.2f} times the bare page (at most {LIMIT})")


if __name__ == "__main__":
    main()
