"""The weekly review pack, read back from the PDF (pypdf), against a small data set built by
hand whose figures are worked out below.

The pack is asked for on Wednesday 10 June 2026 with ``range=last_week``: the nights of
Monday 1 to Sunday 7 June 2026 (British Summer Time), compared with 25 to 31 May.

This week: eleven sightings.
- The Anchor (Wind Street): six on Friday night at 23:xx (staring, distressed, spoken to,
  five with details obtained on Saturday), one on Monday at 21:00 (staring, moved away, no
  action), one on Saturday at 22:00 (staring, moved away, ejected): eight sightings on
  three nights, a repeat location.
- Neon (Wind Street): three at 01:30 on Sunday morning, Saturday night's 01 column
  (catcalling, moved away; no action twice, refused entry once).
So: staring 8, catcalling 3; distressed 6, moved away 5; spoke to 6, ejected 1, refused
entry 1, no action 3; interventions 8; details obtained 5.
The week before: five at the Anchor on Friday 29 May at 23:00 (staring, distressed, spoken
to): sightings 11 against 5 (+120%), staring 8 against 5 (+60%), interventions 8 against 5.

A repeat subject (RF-7001, seen on Friday and Saturday) and a subject seen once (RF-7002).
Red-flag notes: N1 active throughout, N2 added in the week, N3 lapsed in the week, N4
renewed in the week: active at the end 3 (and 3 at the end of the week before), added 1,
renewed 1, expired 1.
Safe Space uses: five at the Anchor (harassed; water; three handed to a friend, two to
nobody). Welfare notes: two (one handed to the police, one to nobody): hand-overs 4.
Orders: one authorisation, five directions, one notice, one breach of a direction, one
appeal; nothing the week before.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from pypdf import PdfReader

from partnership.admin import service as admin_service
from partnership.auth.models import Organisation, User
from partnership.core.enums import Behaviour, OrgKind, Role
from partnership.extensions import db
from partnership.orders.breaches.models import Breach
from partnership.reports import pack
from partnership.reports.figures import Period
from partnership.subjects.models import Subject
from partnership.venues.models import Area, Venue
from tests.conftest import events, fix_clock, welsh
from tests.factories import DEFAULT_KIND, make_org, make_user
from tests.orders.factories import add_appeal, add_authorisation, add_direction, add_notice
from tests.reports.figures.test_figures import Builder, local, polygon

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
WEEK = Period(date(2026, 6, 1), date(2026, 6, 7))
SUBJECT_NAMES = ("Gareth Prydderch", "Dylan Cudd")
NOTE_TEXT = "Seen following women between bars"
URL = "/reports/pack.pdf"
DASH = "\u2013"  # a change withheld, as it would give a count under 5 away


@dataclass
class Data:
    anchor: int
    neon: int
    wind_street: int


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_clock(monkeypatch, NOW, "partnership.reports.pack_views")


@pytest.fixture
def data(
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    clock: None,
) -> Iterator[Data]:
    officer = make_user(Role.OFFICER, make_org(OrgKind.POLICE, "Swansea Police"))
    yield build_data(app, officer, make_org(OrgKind.LICENSED_PREMISES, "Bars Ltd"))


def build_data(app: Flask, officer: User, premises: Organisation) -> Data:
    """The data set of the module's docstring, recorded by ``officer`` at venues of
    ``premises``."""
    with app.app_context():
        wind_street = Area(name="Wind Street", geometry=polygon(-3.95, 51.61, -3.93, 51.63))
        anchor_venue = Venue(
            organisation_id=premises.id, name="The Anchor", latitude=51.6197, longitude=-3.9405
        )
        neon_venue = Venue(
            organisation_id=premises.id, name="Neon", latitude=51.6203, longitude=-3.9380
        )
        db.session.add_all([wind_street, anchor_venue, neon_venue])
        db.session.flush()
        anchor, neon, ws = anchor_venue.id, neon_venue.id, wind_street.id
        make = Builder(officer)
        obtained = datetime(2026, 6, 6, 12, 0, tzinfo=UTC)

        friday = [
            make.sighting(
                local(2026, 6, 5, 23, 5 * n),
                ["aspb.staring"],
                "distressed",
                "spoke_to",
                venue=anchor,
                area=ws,
                details_obtained_at=obtained if n < 5 else None,
            )
            for n in range(6)
        ]
        make.sighting(
            local(2026, 6, 1, 21, 0),
            ["aspb.staring"],
            "moved_away",
            "no_action",
            venue=anchor,
            area=ws,
        )
        saturday = make.sighting(
            local(2026, 6, 6, 22, 0),
            ["aspb.staring"],
            "moved_away",
            "ejected",
            venue=anchor,
            area=ws,
        )
        for action in ("no_action", "no_action", "refused_entry"):
            make.sighting(
                local(2026, 6, 7, 1, 30),
                ["assb.catcalling"],
                "moved_away",
                action,
                venue=neon,
                area=ws,
            )
        for minute in range(5):
            make.sighting(
                local(2026, 5, 29, 23, minute),
                ["aspb.staring"],
                "distressed",
                "spoke_to",
                venue=anchor,
                area=ws,
            )

        repeat = make.subject("RF-7001")
        once = make.subject("RF-7002")
        make.link(repeat, friday[0], saturday)
        make.link(once, friday[1])
        for subject, name in zip((repeat, once), SUBJECT_NAMES, strict=True):
            row = db.session.get(Subject, subject)
            assert row is not None
            row.name = name

        make.note(repeat, datetime(2026, 5, 1, 12, tzinfo=UTC), date(2026, 7, 30))  # N1
        make.note(repeat, datetime(2026, 6, 2, 12, tzinfo=UTC), date(2026, 8, 31))  # N2
        make.note(once, datetime(2026, 3, 5, 12, tzinfo=UTC), date(2026, 6, 3))  # N3
        make.note(  # N4
            once,
            datetime(2026, 3, 6, 12, tzinfo=UTC),
            date(2026, 6, 4),
            (datetime(2026, 6, 4, 9, tzinfo=UTC), date(2026, 9, 2)),
        )

        for handed_to in ("friend", "friend", "friend", "nobody", "nobody"):
            make.use(local(2026, 6, 5, 23, 30), anchor, ["harassed"], ["water"], handed_to)
        make.welfare_note(local(2026, 6, 6, 23, 0), neon, "police")
        make.welfare_note(local(2026, 6, 3, 23, 0), anchor, "nobody")
        db.session.commit()
        organisation = officer.organisation_id

    authorisation = add_authorisation(app, local(2026, 6, 5, 20, 0), local(2026, 6, 6, 20, 0))
    directions = [
        add_direction(
            app,
            authorisation,
            local(2026, 6, 5, 22, 10 * n),
            local(2026, 6, 7, 22, 0),
        )
        for n in range(5)
    ]
    with app.app_context():
        venue = db.session.get(Venue, anchor)
        assert venue is not None
        db.session.expunge(venue)
    notice = add_notice(
        app,
        once,
        [venue],
        date(2026, 6, 3),
        date(2026, 12, 2),
        issued_at=datetime(2026, 6, 3, 12, tzinfo=UTC),
    )
    add_appeal(app, notice, date(2026, 6, 4))
    with app.app_context():
        db.session.add(
            Breach(
                organisation_id=organisation,
                outcome="warned",
                direction_id=directions[0],
                occurred_at=local(2026, 6, 6, 0, 30),
            )
        )
        db.session.commit()
    return Data(anchor, neon, ws)


def download(client: FlaskClient, **args: Any) -> bytes:
    response = client.get(URL, query_string={"range": "last_week", **args})
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


def text_of(data: bytes) -> str:
    """The whole document's text, every run of whitespace made one space."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def compact(text: str) -> str:
    """Text without any whitespace: a PDF's text comes back with spaces where the table
    cells and lines fell, not always where the words had them."""
    return re.sub(r"\s+", "", text)


def assert_all_in(text: str, *expected: str) -> None:
    flat = compact(text)
    missing = [item for item in expected if compact(item) not in flat]
    assert not missing, f"missing {missing} in: {text}"


def assert_none_in(text: str, *unexpected: str) -> None:
    flat = compact(text)
    found = [item for item in unexpected if compact(item) in flat]
    assert not found, f"found {found} in: {text}"


HEADINGS = (
    "Summary",
    "Behaviours",
    "Sightings by behaviour",
    "Victim responses",
    "Actions taken",
    "Hotspots",
    "Venues",
    "Grid squares",
    "When",
    "Sightings by night of the week and hour",
    "Repeat subjects",
    "Red-flag notes",
    "Safe Space uses",
    "Safe Space uses by reason",
    "Safe Space uses by support given",
    "Safe Space uses by outcome",
    "Welfare notes and hand-overs",
    "Orders",
    "Performance measures",
    "Notes for the meeting",
)


# -- Packs rendered once for the module ---------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A pack downloaded by a new user, and what the download left behind."""

    pdf: bytes
    text: str
    user_id: int
    user_name: str
    organisation: str
    produced: list[dict[str, Any]]  # the report.pack_produced events it added, their details
    producers: list[int | None]  # and who each was recorded as made by
    lang_in_session: bool


# What each pack the tests read is asked for: (role, portal language, query arguments).
ASKED: dict[str, tuple[Role, str, dict[str, str]]] = {
    "english": (
        Role.OFFICER,
        "en",
        {"language": "en", "notes": "1. Lighting on Wind Street\r\n2. Taxi marshals"},
    ),
    **{f"default-{role.value}": (role, "en", {}) for role in Role},
    "welsh": (Role.ANALYST, "en", {"language": "cy"}),
    "portal-welsh": (Role.ANALYST, "cy", {}),
    "custom": (Role.INSPECTOR, "en", {"range": "custom", "from": "2026-06-05", "to": "2026-06-06"}),
}
_serial = count(1)


class Packs:
    """Each pack the tests read, rendered once for the module (a PDF takes a second or
    more): the data set is built again whenever the database was emptied after a test."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.data: Data | None = None
        self.rendered: dict[str, Rendered] = {}

    def _user(self, role: Role, locale: str = "en", organisation: str | None = None) -> User:
        org = make_org(self.app, DEFAULT_KIND[role], organisation or f"Pack org {next(_serial)}")
        return make_user(self.app, role, org, locale=locale)

    def current_data(self) -> Data:
        with self.app.app_context():
            present = self.data is not None and db.session.get(Venue, self.data.anchor)
        if not present:
            officer = self._user(Role.OFFICER, organisation=f"Swansea Police {next(_serial)}")
            with self.app.app_context():
                premises = admin_service.create_organisation(
                    None, f"Bars Ltd {next(_serial)}", OrgKind.LICENSED_PREMISES
                )
                db.session.commit()
                db.session.refresh(premises)
                db.session.expunge(premises)
            self.data = build_data(self.app, officer, premises)
        assert self.data is not None
        return self.data

    def render(self, key: str, role: Role, locale: str, args: dict[str, str]) -> Rendered:
        if key not in self.rendered:
            self.current_data()
            user = self._user(role, locale)
            client = self.app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user.session_token
                session["_fresh"] = True
            before = len(events(self.app, "report.pack_produced"))
            pdf = download(client, **args)
            added = events(self.app, "report.pack_produced")[before:]
            with client.session_transaction() as session:
                lang_in_session = "lang" in session
            self.rendered[key] = Rendered(
                pdf=pdf,
                text=text_of(pdf),
                user_id=user.id,
                user_name=user.name,
                organisation=user.organisation.name,
                produced=[dict(event.details or {}) for event in added],
                producers=[event.actor_id for event in added],
                lang_in_session=lang_in_session,
            )
        return self.rendered[key]

    def __getitem__(self, key: str) -> Rendered:
        return self.render(key, *ASKED[key])

    def filtered(self) -> Rendered:
        """The inspector's pack narrowed to Neon in Wind Street and cat-calling."""
        data = self.current_data()
        args = {
            "area": str(data.wind_street),
            "venue": str(data.neon),
            "behaviour": "assb.catcalling",
        }
        return self.render("filtered", Role.INSPECTOR, "en", args)


@pytest.fixture(scope="module")
def packs(app: Flask) -> Iterator[Packs]:
    with pytest.MonkeyPatch.context() as patch:
        fix_clock(patch, NOW, "partnership.reports.pack_views")
        yield Packs(app)


# -- What the pack says ------------------------------------------------------------------------


def test_the_english_pack_carries_each_section_and_its_figures(packs: Packs) -> None:
    rendered = packs["english"]
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata is not None
    assert reader.metadata.title == "Weekly review pack: 1 June 2026 to 7 June 2026"
    text = rendered.text
    assert_all_in(text, *HEADINGS)
    assert_all_in(
        text,
        # The cover.
        "Safer Nights",
        "Weekly review pack Last week",
        "Nights covered Monday 1 June 2026 to Sunday 7 June 2026 (7 nights)",
        "Compared with Monday 25 May 2026 to Sunday 31 May 2026 (7 nights)",
        "Filters None: every area, venue and behaviour",
        f"Produced by {rendered.user_name}, {rendered.organisation}",
        "Produced on 10 June 2026, 13:00",
        # The summary, with the trends.
        "Sightings (intelligence submitted) 11 ▲ Change: +120% Previous period: 5",
        "Interventions 8 ▲ Change: +60% Previous period: 5",
        "Details obtained 5 Change: new Previous period: 0",
        "Dispersals (Section 35 directions) 5 Change: new Previous period: 0",
        "Safe Space uses 5 Change: new Previous period: 0",
        # Behaviours, victim responses, actions: label, this period, previous, change.
        "Wolf-whistling or cat-calling 3 0 new",
        "Staring 8 5 +60%",
        "Distressed 6 5 +20%",
        "Moved away 5 0 new",
        "Spoke to or warned them 6 5 +20%",
        "Refused entry 1 0 new",
        "Asked to leave or ejected 1 0 new",
        "No action 3 0 new",
        "Interventions 8 5 +60%",
        # Hotspots: sightings, previous, change, nights, repeat mark.
        "The Anchor 8 5 +60% 3 Repeat",
        "Neon 3 0 new 1",
        "51.6190, -3.9405 The Anchor 8 5 +60% 3 0 Repeat",
        "51.6210, -3.9375 Neon 3 0 new 1",
        "Sightings with no point and no venue, not on the map: 0 (previous period: 0).",
        # When: hours 18 to 05; Saturday night's 01:30 in its 01 column.
        "Night 18:00 19:00 20:00 21:00 22:00 23:00 00:00 01:00 02:00 03:00 04:00 05:00",
        "Monday 0 0 0 1 0 0 0 0 0 0 0 0",
        "Friday 0 0 0 0 0 6 0 0 0 0 0 0",
        "Saturday 0 0 0 0 1 0 0 3 0 0 0 0",
        "not in the grid: 0",
        # Repeat subjects.
        "Repeat subjects 1 0 new",
        # Red-flag notes.
        "Active at the end of the period 3 3 0%",
        "Added 1 0 new",
        "Renewed 1 0 new",
        "Expired 1 0 new",
        # Safe Space uses, welfare notes and hand-overs.
        "Safe Space uses 5 0 new",
        "Harassed or followed 5 0 new",
        "Water 5 0 new",
        "Nobody: left on their own 2 0 new",
        "A friend or family member 3 0 new",
        "Welfare notes 2 0 new",
        "Hand-overs (Safe Space uses and welfare notes) 4 0 new",
        "Police 1 0 new",
        # Orders.
        "Section 34 authorisations 1 0 new",
        "Section 35 directions 5 0 new",
        "Partnership exclusion notices 1 0 new",
        "Breaches of directions 1 0 new",
        "Breaches of exclusion notices 0 0 0%",
        "Appeals against notices 1 0 new",
        # Performance measures.
        "Sightings (intelligence submitted) 11 5 +120%",
        "Dispersals (Section 35 directions) 5 0 new",
        "Details obtained 5 0 new",
        # The notes for the meeting, as given.
        "Notes for the meeting 1. Lighting on Wind Street 2. Taxi marshals",
        "Space for notes during the meeting.",
    )
    assert re.search(r"P-[0-9A-Z]{6} 2 2 1", text), text
    pages = len(reader.pages)
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in text
    # Police see every count: no legend for "<5".
    assert "<5" not in text

    assert len(rendered.produced) == 1
    details = rendered.produced[0]
    assert rendered.producers == [rendered.user_id]
    assert details["period"] == {"first_night": "2026-06-01", "last_night": "2026-06-07"}
    assert details["previous_period"] == {
        "first_night": "2026-05-25",
        "last_night": "2026-05-31",
    }
    assert details["range"] == "last_week"
    assert details["filters"] == {"area": None, "venue": None, "behaviour": None}
    assert details["language"] == "en"
    assert details["with_notes"] is True


@pytest.mark.parametrize(
    ("role", "police"),
    [
        (Role.ANALYST, False),
        (Role.COORDINATOR, False),
        (Role.OFFICER, True),
        (Role.INSPECTOR, True),
    ],
)
def test_counts_under_5_are_shown_only_to_police(packs: Packs, role: Role, police: bool) -> None:
    text = packs[f"default-{role.value}"].text
    # Counts of 5 or more, and their trends, are the same for everyone.
    assert_all_in(
        text,
        "Staring 8 5 +60%",
        "Sightings (intelligence submitted) 11 ▲ Change: +120% Previous period: 5",
        "Section 35 directions 5 0 new",
        "Friday 0 0 0 0 0 6 0 0 0 0 0 0",
        "Breaches of exclusion notices 0 0 0%",
    )
    if police:
        assert_all_in(
            text,
            "Wolf-whistling or cat-calling 3 0 new",
            "Breaches of directions 1 0 new",
            "The Anchor 8 5 +60% 3 Repeat",
            "Saturday 0 0 0 0 1 0 0 3 0 0 0 0",
            "Active at the end of the period 3 3 0%",
            "Section 34 authorisations 1 0 new",
            "Repeat subjects 1 0 new",
        )
        assert "<5" not in text
    else:
        # 1 to 4 shown as "<5", and the change withheld (DASH), as it would give it away.
        assert_all_in(
            text,
            "“<5” stands for a count from 1 to 4",
            f"Wolf-whistling or cat-calling <5 0 {DASH}",
            f"Breaches of directions <5 0 {DASH}",
            "The Anchor 8 5 +60% <5 Repeat",
            "Saturday 0 0 0 0 <5 0 0 <5 0 0 0 0",
            f"Active at the end of the period <5 <5 {DASH}",
            f"Added <5 0 {DASH}",
            f"Section 34 authorisations <5 0 {DASH}",
            f"Hand-overs (Safe Space uses and welfare notes) <5 0 {DASH}",
            # One repeat subject: not even a code, as the list would give the number away.
            f"Repeat subjects <5 0 {DASH}",
            "Fewer than 5 repeat subjects: they are not listed",
        )
        assert_none_in(
            text,
            "cat-calling 3",
            "Breaches of directions 1",
            "Section 34 authorisations 1",
            "Saturday 0 0 0 0 1",
        )
        assert not re.search(r"P-[0-9A-Z]{6}", text)


def test_no_name_reference_or_free_text_about_anyone_leaves_in_a_pack(packs: Packs) -> None:
    codes = []
    # Two police packs of the same figures (police see the repeat subject's code).
    for pdf, text in (
        (rendered.pdf, rendered.text) for rendered in (packs["english"], packs["default-officer"])
    ):
        assert "RF-" not in text
        assert_none_in(
            text,
            *SUBJECT_NAMES,
            NOTE_TEXT,
            "Directed Person",  # the person given the directions
            "Repeatedly following women",  # the notice's reasons
            "It was not me",  # the appeal's grounds
            "Tall, grey coat",  # the subjects' description
        )
        found = re.findall(r"P-[0-9A-Z]{6}", text)
        assert len(set(found)) == 1
        codes.append(found[0])
        metadata = PdfReader(io.BytesIO(pdf)).metadata
        assert metadata is not None
        assert "RF-" not in " ".join(str(value) for value in metadata.values())
    # A code made for one pack only: the same person has another in the next.
    assert codes[0] != codes[1]


def test_the_welsh_pack_has_welsh_headings(app: Flask, packs: Packs) -> None:
    rendered = packs["welsh"]
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    text = rendered.text
    with app.test_request_context(), force_locale("cy"):
        staring = Behaviour.STARING.label
    assert_all_in(
        text,
        welsh(app, "Weekly review pack"),
        welsh(app, "Last week"),
        welsh(app, "Nights covered"),
        welsh(app, "Behaviours"),
        welsh(app, "Victim responses"),
        welsh(app, "Hotspots"),
        welsh(app, "Repeat subjects"),
        welsh(app, "Red-flag notes"),
        welsh(app, "Welfare notes and hand-overs"),
        welsh(app, "Performance measures"),
        welsh(app, "Notes for the meeting"),
        welsh(app, "Active at the end of the period"),
        welsh(app, "Section 34 authorisations"),
        # The figures are the same; the labels and the days are Welsh.
        f"{staring} 8 5 +60%",
        "Dydd Gwener 0 0 0 0 0 6 0 0 0 0 0 0",
        "Dydd Llun 1 Mehefin 2026",
        f"Tudalen 1 o {len(reader.pages)}",
    )
    assert_none_in(text, "Weekly review pack", "Repeat subjects", "Notes for the meeting")
    # Printing a Welsh pack leaves the portal in the user's language.
    assert not rendered.lang_in_session
    assert [details["language"] for details in rendered.produced] == ["cy"]


def test_the_pack_is_in_the_portal_language_without_a_language(app: Flask, packs: Packs) -> None:
    rendered = packs["portal-welsh"]
    assert PdfReader(io.BytesIO(rendered.pdf)).trailer["/Root"]["/Lang"] == "cy"
    assert_all_in(rendered.text, welsh(app, "Weekly review pack"))
    english = packs[f"default-{Role.ANALYST.value}"].pdf
    assert PdfReader(io.BytesIO(english)).trailer["/Root"]["/Lang"] == "en"


@pytest.mark.slow
def test_filters_and_a_custom_range(packs: Packs) -> None:
    filtered = packs.filtered()
    data = packs.current_data()
    text = filtered.text
    assert_all_in(
        text,
        "Filters Area: Wind Street Venue: Neon Behaviour: Wolf-whistling or cat-calling",
        "Sightings (intelligence submitted) 3 Change: new Previous period: 0",
        "Wolf-whistling or cat-calling 3 0 new",
        "The filters narrow the sightings.",
        # Orders are never narrowed; welfare notes by venue (one at Neon).
        "Section 35 directions 5 0 new",
        "Welfare notes 1 0 new",
    )
    assert_none_in(text, "Staring 8", "The Anchor 8")

    custom = packs["custom"]
    text = custom.text
    assert_all_in(
        text,
        "Review pack Chosen nights",
        "Nights covered Friday 5 June 2026 to Saturday 6 June 2026 (2 nights)",
        "Compared with Wednesday 3 June 2026 to Thursday 4 June 2026 (2 nights)",
        "Sightings (intelligence submitted) 10 Change: new Previous period: 0",
    )
    produced = filtered.produced + custom.produced
    assert [details["filters"] for details in produced] == [
        {"area": data.wind_street, "venue": data.neon, "behaviour": "assb.catcalling"},
        {"area": None, "venue": None, "behaviour": None},
    ]
    assert [details["range"] for details in produced] == ["last_week", "custom"]


# -- Who may have one, and what it may be asked for ------------------------------------------------


@pytest.mark.parametrize("role", [Role.PREMISES_STAFF, Role.WELFARE, Role.ADMIN])
def test_other_roles_are_refused(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], data: Data, role: Role
) -> None:
    login_as(role)
    assert client.get(URL).status_code == 403
    assert events(app, "report.pack_produced") == []


def test_signing_in_comes_first(app: Flask, client: FlaskClient, data: Data) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "args",
    [
        {"language": "fr"},
        {"language": "EN"},
        {"language": ""},
        {"language": "cy_en"},
        {"range": "yesterday"},
        {"range": "custom", "from": "2026-06-01"},
        {"range": "custom", "from": "2026-06-07", "to": "2026-06-01"},
        {"range": "custom", "from": "2025-06-01", "to": "2026-06-07"},
        {"range": "custom", "from": "2026-6-1", "to": "2026-06-07"},
        {"range": "custom", "from": "2026-02-30", "to": "2026-03-07"},
        {"area": "999999"},
        {"area": "one"},
        {"venue": "-1"},
        {"behaviour": "spiking"},
        {"notes": "x" * (pack.NOTES_LIMIT + 1)},
    ],
)
def test_arguments_the_pack_cannot_use_answer_404(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    data: Data,
    args: dict[str, str],
) -> None:
    login_as(Role.ANALYST)
    assert client.get(URL, query_string=args).status_code == 404
    assert events(app, "report.pack_produced") == []


def test_the_range_names_and_the_meeting_notes() -> None:
    assert pack.range_name(WEEK, NOW) == "last_week"
    assert pack.range_name(Period(date(2026, 6, 2), date(2026, 6, 7)), NOW) == "custom"
    assert pack.range_name(Period(date(2026, 5, 13), date(2026, 6, 9)), NOW) == "last_4_weeks"
    assert pack.meeting_notes({"notes": "  One\r\nTwo\x07\x00\tThree  "}) == "One\nTwo\tThree"
    assert pack.meeting_notes({}) == ""
    later = NOW + timedelta(days=1)
    assert pack.range_name(WEEK, later) == "last_week"
