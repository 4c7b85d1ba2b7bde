"""The report's exports against the week of ``test_report_page``: figures as CSV and XLSX,
hotspot squares as GeoJSON, and the record-level sightings as a streamed CSV; who may have
each, what is suppressed, pseudonymised and left out, and that each is audited once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event
from werkzeug.test import TestResponse

from partnership.auth.models import Organisation, User
from partnership.core.disclosure import subject_pseudonym
from partnership.core.enums import OrgKind, Role
from partnership.core.exports import new_pseudonymiser
from partnership.extensions import db
from partnership.reports import service
from partnership.reports.figures import Filters, Period
from partnership.sightings.models import SightingBehaviour
from partnership.subjects.models import Subject, SubjectLink
from tests.conftest import Clock, events, fix_clock, welsh
from tests.live import HttpUser, serve
from tests.reports.factories import SIGHTINGS_HEADER
from tests.reports.test_report_page import (
    CANARIES,
    FIRST,
    LAST,
    NOT_POLICE,
    NOW,
    POLICE,
    PSEUDONYM,
    READERS,
    REFUSED,
    Week,
    add_sighting,
    at,
    build_week,
)

FIGURES = ("figures.csv", "figures.xlsx", "hotspots.geojson")
EXPORTS = (*FIGURES, "sightings.csv")
SMALL = {1, 2, 3, 4}
VENUE_FORMULA = '=HYPERLINK("http://x")'
AREA_FORMULA = "@SUM(1)"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(monkeypatch, NOW, "partnership.reports.views")


@pytest.fixture
def premises(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(OrgKind.LICENSED_PREMISES, "Bars Ltd")


@pytest.fixture
def author(make_user: Callable[..., User], make_org: Callable[..., Organisation]) -> User:
    return make_user(Role.OFFICER, make_org(OrgKind.POLICE, "Swansea Police"))


@pytest.fixture
def week(app: Flask, author: User, premises: Organisation) -> Iterator[Week]:
    yield build_week(app, author, premises)


def download(client: FlaskClient, path: str, query: str = "", status: int = 200) -> TestResponse:
    response = client.get(f"/reports/{path}{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response


def csv_rows(response: TestResponse) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def assert_the_weeks_nine_sightings(rows: list[list[str]]) -> None:
    """The sightings CSV of the week: nine rows, numbered, oldest first, the first one's
    place and behaviour as written (the same in every language)."""
    assert len(rows) == 10
    assert [line[0] for line in rows[1:]] == [str(n) for n in range(1, 10)]
    assert rows[1][:6] == [
        "1",
        "2026-11-16",
        "2026-11-16 22:00:00",
        "The Anchor",
        "Wind Street",
        "aspb.staring",
    ]


def xlsx_rows(response: TestResponse) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.worksheets[0]
    return [[cell.value for cell in line] for line in sheet.iter_rows()]


def counts_of(rows: list[list[Any]]) -> list[Any]:
    """The cells of the two count columns (this period, previous period), header left out."""
    return [value for line in rows[1:] for value in line[2:4]]


def is_small(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value in SMALL
    return str(value).strip() in {str(n) for n in SMALL}


def geojson_counts(collection: dict[str, Any]) -> list[Any]:
    return [
        feature["properties"][name]
        for feature in collection["features"]
        for name in ("sightings", "previous_sightings", "nights")
    ]


# -- Suppression ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_POLICE)
def test_no_count_from_1_to_4_leaves_for_anyone_but_police(
    client: FlaskClient, login_as: Callable[..., User], week: Week, role: Role
) -> None:
    login_as(role)
    for rows in (
        csv_rows(download(client, "figures.csv")),
        xlsx_rows(download(client, "figures.xlsx")),
    ):
        counts = counts_of(rows)
        assert not [value for value in counts if is_small(value)]
        assert "<5" in counts
        assert 9 in counts or "9" in counts  # the week's sightings
    collection = json.loads(download(client, "hotspots.geojson").get_data())
    counts = geojson_counts(collection)
    assert not [value for value in counts if is_small(value)]
    assert "<5" in counts and 7 in counts


@pytest.mark.parametrize("role", POLICE)
def test_police_get_every_count(
    client: FlaskClient, login_as: Callable[..., User], week: Week, role: Role
) -> None:
    login_as(role)
    text_counts = counts_of(csv_rows(download(client, "figures.csv")))
    assert "<5" not in text_counts
    assert [value for value in text_counts if is_small(value)]
    xlsx_counts = counts_of(xlsx_rows(download(client, "figures.xlsx")))
    assert "<5" not in xlsx_counts
    assert 2 in xlsx_counts and 3 in xlsx_counts  # numbers, not text
    collection = json.loads(download(client, "hotspots.geojson").get_data())
    counts = geojson_counts(collection)
    assert "<5" not in counts and 2 in counts


def test_the_figures_are_the_pages(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.ANALYST)
    rows = csv_rows(download(client, "figures.csv"))
    header = rows[0]
    assert header == [
        "Section",
        "Item",
        "This period (nights 2026-11-16 to 2026-11-22)",
        "Previous period (nights 2026-11-09 to 2026-11-15)",
        "Note",
    ]
    lines = {(line[0], line[1]): line[2:] for line in rows[1:]}
    assert lines[("Report", "Nights")] == [
        "2026-11-16 to 2026-11-22",
        "2026-11-09 to 2026-11-15",
        "",
    ]
    assert lines[("Report", "Area")][0] == "All areas"
    assert lines[("Performance measures", "Sightings (intelligence submitted)")] == ["9", "<5", ""]
    assert lines[("Performance measures", "Safe Space uses")] == ["6", "<5", ""]
    assert lines[("Sightings by behaviour", "Staring")] == ["7", "<5", ""]
    assert lines[("Hotspot venues: sightings", "The Anchor")] == ["7", "<5", "Repeat location"]
    assert lines[("Hotspot venues: nights with a sighting", "The Anchor")] == [
        "<5",
        "",
        "Repeat location",
    ]
    assert lines[("Hotspot venues: sightings", "Neon")] == ["<5", "0", ""]
    assert lines[("Sightings by night of the week and hour", "Monday night, 22:00")][0] == "<5"
    assert lines[("Sightings by night of the week and hour", "Tuesday night, 22:00")][0] == "0"
    assert lines[("Orders", "Section 35 directions")] == ["<5", "0", ""]
    assert lines[("Red-flag notes", "Added")] == ["<5", "0", ""]
    codes = {key[1].split(":")[0] for key in lines if key[0] == "Repeat subjects" and ":" in key[1]}
    assert len(codes) == 1 and PSEUDONYM.fullmatch(codes.pop())


def test_geojson_squares(client: FlaskClient, login_as: Callable[..., User], week: Week) -> None:
    login_as(Role.OFFICER)
    response = download(client, "hotspots.geojson")
    assert response.mimetype == "application/geo+json"
    collection = json.loads(response.get_data())
    assert collection["type"] == "FeatureCollection"
    anchor, neon = collection["features"]
    assert anchor["properties"] == {
        "first_night": "2026-11-16",
        "last_night": "2026-11-22",
        "sightings": 7,
        "previous_sightings": 3,
        "nights": 3,
        "repeat": True,
        "repeat_nights": 3,
        "public_reports": 0,
        "previous_public_reports": 0,
    }
    assert neon["properties"]["sightings"] == 2 and neon["properties"]["repeat"] is False
    # The Anchor (51.6197, -3.9405) is in the square from 51.618 to 51.62 north and
    # -3.942 to -3.939 east, corners anticlockwise, longitude first.
    (ring,) = anchor["geometry"]["coordinates"]
    assert ring[0] == [-3.942, 51.618] and ring[2] == [-3.939, 51.62]


# -- Formulas ---------------------------------------------------------------------------------


def test_names_that_look_like_formulas_stay_text(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    author: User,
    premises: Organisation,
) -> None:
    week = build_week(app, author, premises, anchor_name=VENUE_FORMULA, area_name=AREA_FORMULA)
    login_as(Role.ANALYST)
    query = f"?area={week.wind_street}"

    rows = xlsx_rows(download(client, "figures.xlsx", query))
    workbook = load_workbook(io.BytesIO(download(client, "figures.xlsx", query).get_data()))
    cells = [cell for line in workbook.worksheets[0].iter_rows() for cell in line]
    for text in (VENUE_FORMULA, AREA_FORMULA):
        found = [cell for cell in cells if cell.value == text]
        assert found, text
        assert all(cell.data_type == "s" for cell in found)
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert ["Report", "Area", AREA_FORMULA, None, None] in rows

    text_rows = csv_rows(download(client, "figures.csv", query))
    assert ["Report", "Area", f"'{AREA_FORMULA}", "", ""] in text_rows
    assert any(line[1] == f"'{VENUE_FORMULA}" for line in text_rows)
    assert not any(cell.startswith(("=", "@")) for line in text_rows for cell in line)

    sightings = csv_rows(download(client, "sightings.csv", query))
    assert sightings[1][3:5] == [f"'{VENUE_FORMULA}", f"'{AREA_FORMULA}"]


# -- Record-level sightings -------------------------------------------------------------------


def test_the_record_level_export_streams_codes_and_pseudonyms_only(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.ANALYST)
    response = download(client, "sightings.csv")
    assert response.is_streamed
    text = response.get_data().decode("utf-8")
    for canary in (*CANARIES, week.author.name, week.author.email, "CANARY"):
        assert canary not in text
    rows = csv_rows(response)
    assert rows[0] == SIGHTINGS_HEADER
    assert_the_weeks_nine_sightings(rows)
    first = rows[1]
    assert first[6:13] == [
        "distressed",
        "spoke_to",
        "male",
        "25_34",
        "tall",
        "slim",
        "yes",
    ]
    assert rows[3][1:3] == ["2026-11-16", "2026-11-17 01:30:00"]  # Monday night
    # The repeat subject is on the first and fourth rows under one code; the other on the
    # eighth; nobody else is linked.
    linked = [line[13] for line in rows[1:]]
    assert PSEUDONYM.fullmatch(linked[0]) and linked[0] == linked[3]
    assert PSEUDONYM.fullmatch(linked[7]) and linked[7] != linked[0]
    assert [code for n, code in enumerate(linked) if n not in (0, 3, 7)] == [""] * 6


def test_pseudonyms_differ_between_exports_and_are_never_references(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.OFFICER)
    first = csv_rows(download(client, "sightings.csv"))[1][13]
    second = csv_rows(download(client, "sightings.csv"))[1][13]
    assert PSEUDONYM.fullmatch(first) and PSEUDONYM.fullmatch(second)
    assert first != second
    assert not first.startswith("RF-") and "RF-2026-0001" not in (first, second)
    figures = [
        line[1].split(":")[0]
        for line in csv_rows(download(client, "figures.csv"))
        if line[0] == "Repeat subjects" and ":" in line[1]
    ]
    assert figures and figures[0] not in (first, second)


def test_filters_narrow_the_record_level_export(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.INSPECTOR)
    rows = csv_rows(download(client, "sightings.csv", f"?venue={week.neon}"))
    assert [line[3] for line in rows[1:]] == ["Neon", "Neon"]
    rows = csv_rows(download(client, "sightings.csv", "?behaviour=assb.catcalling"))
    assert len(rows) == 3
    rows = csv_rows(
        download(client, "sightings.csv", "?range=custom&from=2026-11-09&to=2026-11-15")
    )
    assert [line[1] for line in rows[1:]] == ["2026-11-09", "2026-11-10", "2026-11-12"]
    rows = csv_rows(download(client, "sightings.csv", f"?area={week.quay}"))
    assert rows[1:] == []


def test_the_rows_are_read_lazily(app: Flask, login_as: Callable[..., User], week: Week) -> None:
    """Nothing is read until the CSV asks for its first row, and then in batches."""
    from partnership.core.exports import new_pseudonymiser
    from partnership.extensions import db
    from partnership.reports.figures import Filters, Period
    from tests.reports.test_report_page import FIRST, LAST

    analyst = login_as(Role.ANALYST)
    statements: list[str] = []
    with app.app_context():
        user = db.session.get(User, analyst.id)
        assert user is not None
        from sqlalchemy import event

        def seen(*args: Any) -> None:
            if str(args[2]).startswith("SELECT"):  # queries, not the transaction's BEGIN
                statements.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            rows = service.sighting_rows(user, Period(FIRST, LAST), Filters(), new_pseudonymiser())
            assert statements == []
            assert next(rows)[0] == 1
            # One statement: the sightings with their behaviours and linked subjects.
            assert len(statements) == 1
            assert len(list(rows)) == 8
            assert len(statements) == 1
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)


def test_the_rows_need_nothing_from_the_request_and_give_their_connection_back(
    app: Flask, login_as: Callable[..., User], week: Week
) -> None:
    """The rows are read as a real server reads a streamed body: after the request's app
    context has ended, its session closed and the user detached. They read on a connection
    of their own, given back when the last row is read, or when the download is stopped."""
    analyst = login_as(Role.ANALYST)
    out: list[str] = []

    def export() -> Iterator[list[Any]]:
        with app.app_context():
            user = db.session.get(User, analyst.id)
            assert user is not None
            db.session.commit()  # as the view does: the user's attributes are expired
            return service.sighting_rows(user, Period(FIRST, LAST), Filters(), new_pseudonymiser())

    def checked_out(*args: Any) -> None:
        out.append("out")

    def checked_in(*args: Any) -> None:
        out.append("in")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
    try:
        rows = export()
        out.clear()  # the request's own connection, given back when its context ended
        assert next(rows)[0] == 1
        assert out == ["out"]
        assert len(list(rows)) == 8
        assert out == ["out", "in"]

        stopped = export()
        out.clear()
        next(stopped)
        stopped.close()
        assert out == ["out", "in"]
    finally:
        event.remove(engine, "checkout", checked_out)
        event.remove(engine, "checkin", checked_in)


def test_the_rows_are_one_snapshot(
    app: Flask,
    login_as: Callable[..., User],
    week: Week,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sighting corrected while its file is being read is written as it was when the file
    started: its behaviours are read in the same snapshot as its row (in batches of one
    row here, so the last rows are fetched after the change is committed)."""
    analyst = login_as(Role.ANALYST)
    monkeypatch.setattr(service, "YIELD_PER", 1)
    with app.app_context():
        user = db.session.get(User, analyst.id)
        assert user is not None
        rows = service.sighting_rows(user, Period(FIRST, LAST), Filters(), new_pseudonymiser())
    try:
        assert next(rows)[5] == "aspb.staring"
        with app.app_context():
            db.session.add(SightingBehaviour(sighting_id=week.sightings[-1], code="aspb.following"))
            db.session.commit()
        rest = list(rows)
    finally:
        rows.close()
    assert len(rest) == 8
    assert rest[-1][5] == "assb.catcalling"


def test_a_sighting_with_several_codes_and_subjects_is_one_row(
    app: Flask, login_as: Callable[..., User], author: User
) -> None:
    """A sighting with two behaviours and three linked subjects is read as six joined rows
    and written as one: each code once, sorted, and each subject's pseudonym once."""
    analyst = login_as(Role.ANALYST)
    with app.app_context():
        subjects = [
            Subject(
                reference=f"RF-2026-001{number}",
                description="Tall",
                organisation_id=author.organisation_id,
            )
            for number in range(3)
        ]
        db.session.add_all(subjects)
        db.session.commit()
        add_sighting(author, at(16, 21), "aspb.staring", "distressed", "spoke_to", None, None)
        both = add_sighting(
            author, at(16, 22), "assb.catcalling", "distressed", "spoke_to", None, None
        )
        db.session.add(SightingBehaviour(sighting_id=both, code="aspb.following"))
        for subject in subjects:
            db.session.add(
                SubjectLink(
                    subject_id=subject.id,
                    sighting_id=both,
                    organisation_id=author.organisation_id,
                )
            )
        db.session.commit()
        user = db.session.get(User, analyst.id)
        assert user is not None
        pseudonymise = new_pseudonymiser()
        rows = list(service.sighting_rows(user, Period(FIRST, LAST), Filters(), pseudonymise))
        expected = "; ".join(
            sorted(subject_pseudonym(pseudonymise, subject.id) for subject in subjects)
        )
    assert [row[0] for row in rows] == [1, 2]
    assert rows[0][5] == "aspb.staring" and rows[0][13] == ""
    assert rows[1][5] == "aspb.following; assb.catcalling"
    assert rows[1][13] == expected


def _add_sightings(author: User, subject_id: int, count: int) -> None:
    """``count`` sightings in the week, each with two behaviours, every tenth linked to the
    subject."""
    for number in range(count):
        sighting = add_sighting(
            author,
            at(16 + number % 7, 22, number % 60),
            "aspb.staring",
            "distressed",
            "spoke_to",
            None,
            None,
        )
        db.session.add(SightingBehaviour(sighting_id=sighting, code="assb.catcalling"))
        if number % 10 == 0:
            db.session.add(
                SubjectLink(
                    subject_id=subject_id,
                    sighting_id=sighting,
                    organisation_id=author.organisation_id,
                )
            )
    db.session.commit()


def test_the_statements_do_not_grow_with_the_rows(
    app: Flask,
    login_as: Callable[..., User],
    author: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The export reads one statement however many rows there are, never one per row: 50
    and 500 sightings, in one batch or in batches of 100 joined rows (so a sighting's rows
    can fall on both sides of a batch's end), each sighting once with all of its
    behaviours and linked subjects."""
    analyst = login_as(Role.ANALYST)

    def export() -> tuple[int, list[list[Any]]]:
        statements: list[str] = []

        def seen(*args: Any) -> None:
            if str(args[2]).startswith("SELECT"):  # queries, not the transaction's BEGIN
                statements.append(str(args[2]))

        user = db.session.get(User, analyst.id)
        assert user is not None
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            rows = list(
                service.sighting_rows(user, Period(FIRST, LAST), Filters(), new_pseudonymiser())
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        return len(statements), rows

    with app.app_context():
        subject = Subject(
            reference="RF-2026-0009", description="Tall", organisation_id=author.organisation_id
        )
        db.session.add(subject)
        db.session.commit()
        _add_sightings(author, subject.id, 50)
        few, rows = export()
        assert len(rows) == 50
        _add_sightings(author, subject.id, 450)
        many, rows = export()
        assert len(rows) == 500
        assert few == many == 1
        assert [row[0] for row in rows] == list(range(1, 501))
        assert {row[5] for row in rows} == {"aspb.staring; assb.catcalling"}
        linked = [row[13] for row in rows if row[13]]
        assert len(linked) == 50 and len(set(linked)) == 1

        monkeypatch.setattr(service, "YIELD_PER", 100)
        batched, batched_rows = export()
        assert batched == 1
        assert [row[:13] for row in batched_rows] == [row[:13] for row in rows]
        assert {row[5] for row in batched_rows} == {"aspb.staring; assb.catcalling"}
        assert len([row[13] for row in batched_rows if row[13]]) == 50


# -- Who may have what, and the audit ---------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_get_the_figures(
    client: FlaskClient, login_as: Callable[..., User], week: Week, role: Role
) -> None:
    login_as(role)
    for path in FIGURES:
        download(client, path)


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_get_no_export(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], week: Week, role: Role
) -> None:
    login_as(role)
    for path in EXPORTS:
        download(client, path, status=403)
    assert not events(app, "report.exported")


def test_coordinators_get_no_record_level_sightings(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.COORDINATOR)
    download(client, "sightings.csv", status=403)
    assert not events(app, "report.exported")


@pytest.mark.parametrize(
    ("path", "kind", "filename"),
    [
        ("figures.csv", "figures_csv", "report-2026-11-16-to-2026-11-22.csv"),
        ("figures.xlsx", "figures_xlsx", "report-2026-11-16-to-2026-11-22.xlsx"),
        ("hotspots.geojson", "hotspots_geojson", "hotspots-2026-11-16-to-2026-11-22.geojson"),
        ("sightings.csv", "sightings_csv", "sightings-2026-11-16-to-2026-11-22.csv"),
    ],
)
def test_each_export_is_audited_once_and_never_cached(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    week: Week,
    path: str,
    kind: str,
    filename: str,
) -> None:
    analyst = login_as(Role.ANALYST)
    response = download(client, path, f"?venue={week.anchor}&behaviour=aspb.staring")
    response.get_data()
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    (event,) = events(app, "report.exported")
    assert event.actor_id == analyst.id
    assert event.details == {
        "kind": kind,
        "range": "this_week",
        "first_night": "2026-11-16",
        "last_night": "2026-11-22",
        "area_id": None,
        "venue_id": week.anchor,
        "behaviour": "aspb.staring",
        "path": f"/reports/{path}",
    }
    assert not events(app, "report.viewed")


@pytest.mark.parametrize("path", EXPORTS)
def test_bad_arguments_give_no_export(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], week: Week, path: str
) -> None:
    login_as(Role.OFFICER)
    download(client, path, "?range=custom&from=2026-11-22&to=2026-11-01", status=400)
    download(client, path, "?area=nope", status=400)
    assert not events(app, "report.exported")


# -- Through a real server --------------------------------------------------------------------


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The portal on the test database behind werkzeug's threaded server (see tests/live.py)."""
    with serve(app) as base_url:
        yield base_url


@pytest.mark.parametrize(("role", "locale"), [(Role.ANALYST, "en"), (Role.OFFICER, "cy")])
def test_the_sightings_csv_streams_through_a_real_server(
    app: Flask,
    make_user: Callable[..., User],
    week: Week,
    served: str,
    role: Role,
    locale: str,
) -> None:
    """Signed in over HTTP, each reader downloads the whole file: the server reads the rows
    after the view has returned, in another thread, with the request's session closed.
    The words in it are in the reader's language (an officer reading Welsh here), and the
    download is audited once."""
    reader = make_user(role, locale=locale)
    person = HttpUser(served)
    person.sign_in(reader)

    answer = person.request("/reports/sightings.csv")
    assert answer.status == 200, answer.body[:2000]
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="sightings-2026-11-16-to-2026-11-22.csv"'
    )
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Content-Length" not in answer.headers  # streamed, not built first
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))

    def words(message: str) -> str:
        return welsh(app, message) if locale == "cy" else message

    assert rows[0][:2] == [words("Row"), words("Night")]
    assert_the_weeks_nine_sightings(rows)
    assert [line[12] for line in rows[1:]] == [words("yes")] + [words("no")] * 8
    linked = [line[13] for line in rows[1:]]
    assert PSEUDONYM.fullmatch(linked[0]) and linked[0] == linked[3]
    (audited,) = events(app, "report.exported")
    assert audited.actor_id == reader.id
    assert audited.details["kind"] == "sightings_csv"
