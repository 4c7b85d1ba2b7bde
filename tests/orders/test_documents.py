"""Orders: the paperwork. Each PDF read back (pypdf) for every particular, in English, in
Welsh and in both with the Welsh first; the map drawn as vector paths; title, language and
"page X of Y"; one audit event per document; who may download what; and user text that
names files, addresses and stylesheets printed, never fetched."""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.generic import ContentStream

from partnership.auth.models import Organisation, User
from partnership.core import pdf
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.orders.directions.models import DirectionChange, DispersalDirection
from partnership.orders.notices.models import ExclusionNotice, NoticeAppeal, NoticeVenue
from partnership.sightings.models import Sighting
from partnership.subjects.models import Subject, SubjectPhoto
from partnership.venues.models import Venue
from tests import factories
from tests.conftest import Clock, RecordingServer, events, fix_clock, update
from tests.factories import jpeg_bytes, signed_in
from tests.orders.factories import add_appeal, add_authorisation, add_direction, add_notice

NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)
GIVEN_AT = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
POLICE = (Role.OFFICER, Role.INSPECTOR)
NOT_POLICE = (Role.PREMISES_STAFF, Role.WELFARE, Role.COORDINATOR, Role.ANALYST, Role.ADMIN)
NOTICE_READERS = (*POLICE, Role.COORDINATOR)
NOT_NOTICE_READERS = (Role.PREMISES_STAFF, Role.WELFARE, Role.ANALYST, Role.ADMIN)
# The part of the factories' square around Wind Street that a direction excludes.
PART: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [[-3.945, 51.615], [-3.935, 51.615], [-3.935, 51.625], [-3.945, 51.625], [-3.945, 51.615]]
    ],
}
# The colour of a direction's excluded part on the map (#a6abaf), as PDF operands.
PART_FILL = (0.651, 0.671, 0.686)
Text = Callable[[str, str], str]
_made = count(1)


def as_given(field: str, value: str) -> str:
    return value


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(
        monkeypatch,
        NOW,
        "partnership.orders.authorisations.views",
        "partnership.orders.directions.views",
        "partnership.orders.notices.views",
    )


@dataclass(frozen=True)
class Paperwork:
    authorisation_id: int
    direction_id: int
    notice_id: int
    appeal_id: int
    undecided_appeal_id: int
    other_notice_id: int
    other_appeal_id: int


def paperwork(
    app: Flask,
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
    text: Text = as_given,
    *,
    venues: int = 2,
    include_photo: bool = False,
) -> Paperwork:
    """Every kind of order, made straight in the database, each free-text field passed
    through ``text(field, value)``."""
    police = make_org(OrgKind.POLICE)
    bars = make_org(OrgKind.LICENSED_PREMISES)
    authorisation_id = add_authorisation(
        app,
        datetime(2026, 11, 27, 20, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 20, 0, tzinfo=UTC),
        locality_name=text("locality_name", "Wind Street and Castle Square"),
        boundary=text("boundary", "Wind Street from The Strand to Castle Street"),
        necessity=["harassment_alarm_distress", "crime_disorder"],
        grounds=text("grounds", "Groups following women between the late bars"),
        echr_regard=text("echr_regard", "No protest or gathering is planned in the area"),
        signed_name=text("signed_name", "Gareth Evans"),
        signed_at=datetime(2026, 11, 27, 19, 45, tzinfo=UTC),
        ended_at=datetime(2026, 11, 29, 4, 0, tzinfo=UTC),
        end_reason=text("end_reason", "The night passed quietly"),
    )
    direction_id = add_direction(
        app,
        authorisation_id,
        GIVEN_AT,
        datetime(2026, 11, 29, 23, 0, tzinfo=UTC),
        person_name=text("person_name", "Dylan Hughes"),
        apparent_age=None,
        date_of_birth=date(2004, 5, 17),
        address=text("address", "1 Heol y Castell, Abertawe"),
        description=text("description", "Tall man in a grey hoodie"),
        place=text("place", "Outside the Anchor Bar"),
        latitude=51.62,
        longitude=-3.94,
        given_by_name=text("given_by_name", "Rhian Morgan"),
        excluded_geometry=PART,
        excluded_description=text("excluded_description", "Wind Street north of The Strand"),
        leave_by=datetime(2026, 11, 27, 23, 45, tzinfo=UTC),
        route=text("route", "North along Castle Street to the Kingsway"),
        items_surrendered=text("items_surrendered", "One open bottle of cider"),
        items_return=text("items_return", "Collect it from Swansea Central police station"),
    )
    anchor = make_venue(bars, name=text("venue_name", "The Anchor Bar"))
    members = [anchor, *(make_venue(bars, name=f"Member bar {n}") for n in range(venues - 1))]
    made = next(_made)
    with app.app_context():
        subject = Subject(
            reference=f"RF-2026-{made:04d}",
            organisation_id=police.id,
            name=text("subject_name", "Dylan Hughes"),
            description=text("subject_description", "Tall man, about 20"),
            clothing=text("clothing", "Grey hoodie"),
            distinguishing_features=text("distinguishing_features", "Scar over the left eye"),
            apparent_sex="male",
        )
        subject.photos = [
            SubjectPhoto(
                content_type="image/jpeg",
                width=40,
                height=30,
                size=100,
                sha256="0" * 64,
                data=jpeg_bytes((40, 30), "blue"),
            )
        ]
        db.session.add(subject)
        db.session.commit()
        subject_id = subject.id
    notice_id = add_notice(
        app,
        subject_id,
        members,
        date(2026, 11, 28),
        date(2027, 2, 27),
        duration_months=3,
        reasons=text("reasons", "Followed women between bars on three nights"),
        warned_on=date(2026, 10, 3),
        warning_note=text("warning_note", "Warned by the door team"),
        appeal_by=date(2026, 12, 12),
        appeal_how=text("appeal_how", "Write to the coordinator at the town hall"),
        review_on=date(2027, 1, 28),
        issued_by_name=text("issued_by_name", "Sian Price"),
        include_photo=include_photo,
    )
    other_notice_id = add_notice(app, subject_id, members, date(2026, 6, 1), date(2026, 9, 1))
    with app.app_context():
        db.session.add(
            DirectionChange(
                direction_id=direction_id,
                kind="varied",
                changed_at=datetime(2026, 11, 28, 0, 10, tzinfo=UTC),
                changed_by_name=text("changed_by_name", "Aled Rees"),
                reason=text("change_reason", "Leave-by time extended for the last bus"),
            )
        )
        address = text("venue_address", "1 Wind Street, Swansea")
        for row in db.session.scalars(
            db.select(NoticeVenue).where(NoticeVenue.venue_id == anchor.id)
        ):
            row.venue_address = address
        sightings = [
            Sighting(
                submission_key=f"documents-{made}-{number}",
                organisation_id=bars.id,
                sharing="partnership",
                occurred_at=moment,
                night=moment.date(),
                venue_id=venue_id,
                place=place,
                victim_response="not_known",
                action_taken="no_action",
            )
            for number, (moment, venue_id, place) in enumerate(
                [
                    (datetime(2026, 9, 19, 23, 10, tzinfo=UTC), anchor.id, ""),
                    (
                        datetime(2026, 10, 31, 22, 5, tzinfo=UTC),
                        None,
                        text("sighting_place", "The taxi rank on Castle Street"),
                    ),
                ]
            )
        ]
        notice = db.session.get(ExclusionNotice, notice_id)
        assert notice is not None
        notice.incidents = sightings
        appeal = NoticeAppeal(
            notice_id=notice_id,
            received_on=date(2026, 12, 5),
            grounds=text("appeal_grounds", "I was at home on the night of 31 October"),
            outcome="upheld",
            outcome_reason=text("outcome_reason", "Door staff and cameras place him there"),
            decided_on=date(2026, 12, 19),
            decided_by_name=text("decided_by_name", "Sian Price"),
        )
        other = NoticeAppeal(
            notice_id=other_notice_id,
            received_on=date(2026, 6, 5),
            grounds="Another appeal",
            outcome="overturned",
            decided_on=date(2026, 6, 20),
        )
        db.session.add_all([appeal, other])
        db.session.commit()
        appeal_id, other_appeal_id = appeal.id, other.id
    undecided = add_appeal(app, notice_id, date(2026, 12, 6))
    return Paperwork(
        authorisation_id,
        direction_id,
        notice_id,
        appeal_id,
        undecided,
        other_notice_id,
        other_appeal_id,
    )


@pytest.fixture
def papers(
    app: Flask, make_org: Callable[..., Organisation], make_venue: Callable[..., Venue]
) -> Paperwork:
    return paperwork(app, make_org, make_venue)


VIEWS = (
    "partnership.orders.authorisations.views",
    "partnership.orders.directions.views",
    "partnership.orders.notices.views",
)
LANGUAGES = ("en", "cy", "cy_en")


@dataclass(frozen=True)
class Printed:
    """Every kind of document in every language, from one :func:`paperwork`."""

    papers: Paperwork
    documents: dict[tuple[str, str], bytes]

    def __call__(self, kind: str, lang: str) -> bytes:
        return self.documents[kind, lang]


@pytest.fixture(scope="module")
def printed(app: Flask) -> Printed:
    """Each document rendered once for the tests that only read it (the database is
    emptied after each test; the documents are kept), downloaded by an inspector."""

    with pytest.MonkeyPatch.context() as patch:
        for module in VIEWS:
            patch.setattr(f"{module}.utcnow", Clock(NOW))
        papers = paperwork(
            app,
            functools.partial(factories.make_org, app),
            functools.partial(factories.make_venue, app),
        )
        inspector = factories.make_user(app, Role.INSPECTOR)
        client = signed_in(app, inspector)
        documents = {
            (kind, lang): download(client, url, lang)
            for kind, url in urls(papers).items()
            for lang in LANGUAGES
        }
    return Printed(papers, documents)


def urls(p: Paperwork) -> dict[str, str]:
    return {
        "direction": f"/orders/directions/{p.direction_id}/notice.pdf",
        "authorisation": f"/orders/authorisations/{p.authorisation_id}/record.pdf",
        "notice": f"/orders/notices/{p.notice_id}/letter.pdf",
        "appeal": f"/orders/notices/{p.notice_id}/appeals/{p.appeal_id}/outcome.pdf",
    }


def download(client: FlaskClient, url: str, lang: str | None = None) -> bytes:
    response = client.get(url, query_string={"language": lang} if lang else None)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response.data


def pages(data: bytes) -> list[str]:
    """Each page's text, its whitespace (line breaks included) made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return " ".join(pages(data))


def image_count(data: bytes) -> int:
    """Image XObjects anywhere in the document (a drawn map is paths, not an image)."""
    found = 0
    for page in PdfReader(io.BytesIO(data)).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for xobject in xobjects.values():
            if xobject.get_object().get("/Subtype") == "/Image":
                found += 1
    return found


def assert_all_in(text: str, *expected: str) -> None:
    missing = [item for item in expected if item not in text]
    assert not missing, f"missing {missing} in: {text}"


# --- The Section 35 notice ---------------------------------------------------------


def test_the_section_35_notice_in_english_has_every_particular(printed: Printed) -> None:
    text = text_of(printed("direction", "en"))
    assert_all_in(
        text,
        "Dispersal direction",
        "Anti-social Behaviour, Crime and Policing Act 2014, section 35",
        "Reference: S35-2026-",
        # The person, and who gave it, when and where.
        "Given to: Dylan Hughes, born on 17 May 2004",
        "Address: 1 Heol y Castell, Abertawe",
        "Description: Tall man in a grey hoodie",
        "Given by Rhian Morgan (Constable) on 27 November 2026, 23:30, at: Outside the Anchor Bar",
        # The period, the time to leave by and the route.
        "not to return to it until 29 November 2026, 23:00",
        "Leave the area: by 27 November 2026, 23:45, by this route: North along Castle Street",
        # The area: the locality, the part to stay out of, the boundary and the map.
        "Locality authorised: Wind Street and Castle Square (authorisation S34-2026-",
        "Area you must stay out of: Wind Street north of The Strand",
        "Boundary of the locality: Wind Street from The Strand to Castle Street",
        "Hatched: the area you must stay out of.",
        "the arrow at the top right points north",
        # Section 37: items, and how to get them back.
        "Items you surrendered: One open bottle of cider.",
        "How to get them back: Collect it from Swansea Central police station",
        # The offence warning.
        "Failing without reasonable excuse to comply with this direction is an offence",
        "So is failing without reasonable excuse to surrender an item",
        # The variation, with its notice.
        "Varied on 28 November 2026, 00:10 by Aled Rees.",
        "Reason: Leave-by time extended for the last bus",
        # What to do if it is wrong.
        "If you think this direction is wrong",
        "You can complain to the police force that gave it",
    )


def test_the_section_35_notice_in_welsh_is_in_welsh(printed: Printed) -> None:
    data = printed("direction", "cy")
    text = text_of(data)
    assert_all_in(
        text,
        "Cyfarwyddyd gwasgaru",
        "Deddf Ymddygiad Gwrthgymdeithasol, Troseddu a Phlismona 2014, adran 35: y pŵer gwasgaru",
        "Cyfeirnod: S35-2026-",
        "Rhoddwyd i: Dylan Hughes, a aned ar 17 Mai 2004",
        "Cyfeiriad: 1 Heol y Castell, Abertawe",
        "Rhoddwyd gan Rhian Morgan",
        "ar 27 Tachwedd 2026, 23:30, yn: Outside the Anchor Bar",
        "a pheidio â dychwelyd iddi tan 29 Tachwedd 2026, 23:00",
        "Gadael yr ardal: erbyn 27 Tachwedd 2026, 23:45, ar hyd y llwybr hwn:",
        "Yr ardal a awdurdodwyd: Wind Street and Castle Square (awdurdodiad S34-2026-",
        "Ffin yr ardal: Wind Street from The Strand to Castle Street",
        "Eitemau a ildiwyd gennych: One open bottle of cider.",
        "Sut i'w cael yn ôl:",
        "Mae methu, heb esgus rhesymol, â chydymffurfio â'r cyfarwyddyd hwn yn drosedd",
        "a chael gwŷs i ymddangos gerbron llys",
        "Amrywiwyd ar 28 Tachwedd 2026, 00:10 gan Aled Rees.",
        "Os ydych chi'n credu bod y cyfarwyddyd hwn yn anghywir",
        "Gallwch gwyno i'r heddlu",
        "tua'r gogledd",
    )
    # ŵ and ŷ come back out of the PDF as themselves.
    assert "pŵer" in text and "gwŷs" in text
    for english in ("Dispersal direction", "offence", "Given to", "Boundary of the locality"):
        assert english not in text
    assert "Tudalen 1 o 1" in text


def test_the_bilingual_notice_has_the_welsh_first_then_the_english(printed: Printed) -> None:
    data = printed("direction", "cy_en")
    first, *rest = pages(data)
    assert "Cyfarwyddyd gwasgaru" in first and "gwŷs" in first
    assert "Dispersal direction" not in first
    text = " ".join([first, *rest])
    assert text.index("Cyfarwyddyd gwasgaru") < text.index("Dispersal direction")
    assert text.index("pŵer gwasgaru") < text.index("the dispersal power")
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    assert reader.metadata is not None
    assert reader.metadata.title == (
        f"Hysbysiad cyfarwyddyd adran 35 {reference(text, 'S35')} / "
        f"Section 35 direction notice {reference(text, 'S35')}"
    )


def reference(text: str, prefix: str) -> str:
    start = text.index(f"{prefix}-2026-")
    return text[start : start + len(prefix) + 10]


def test_a_withdrawn_direction_says_so_first(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], papers: Paperwork
) -> None:
    update(
        app,
        DispersalDirection,
        papers.direction_id,
        withdrawn_at=datetime(2026, 11, 28, 0, 30, tzinfo=UTC),
    )
    login_as(Role.OFFICER)
    text = text_of(download(client, urls(papers)["direction"], "en"))
    assert text.index("This direction was withdrawn on 28 November 2026, 00:30.") < text.index(
        "A police officer has directed you"
    )


def test_the_map_is_drawn_as_vector_shapes_not_a_picture(printed: Printed) -> None:
    for kind in ("direction", "authorisation"):
        data = printed(kind, "en")
        reader = PdfReader(io.BytesIO(data))
        page = reader.pages[0]
        operations = ContentStream(page.get_contents(), reader).operations
        operators = [operator for _operands, operator in operations]
        assert operators.count(b"l") >= 10, operators  # line segments of the outline
        assert operators.count(b"B*") >= 1  # an even-odd filled and stroked shape
        assert image_count(data) == 0
        fills = {
            tuple(round(float(value), 3) for value in operands)
            for operands, operator in operations
            if operator == b"rg"
        }
        assert (PART_FILL in fills) is (kind == "direction")  # the excluded part, darker


# --- The Section 34 record, the notice letter and the appeal letter ------------------


def test_the_authorisation_record_has_every_particular_in_both_languages(
    printed: Printed,
) -> None:
    english = text_of(printed("authorisation", "en"))
    assert_all_in(
        english,
        "Authorisation to use dispersal powers",
        "section 34",
        "Reference: S34-2026-",
        "Authorised by: Gareth Evans, Inspector",
        "Signed: in the portal, from Gareth Evans's own account, on 27 November 2026, 19:45",
        "Locality: Wind Street and Castle Square",
        "Boundary of the locality: Wind Street from The Strand to Castle Street",
        "In force from: 27 November 2026, 20:00",
        "In force until: 29 November 2026, 20:00",
        "Why it is necessary",
        "harassed, alarmed or distressed",
        "crime or disorder",
        "Grounds Groups following women between the late bars",
        "Regard to Articles 10 and 11 of the European Convention on Human Rights",
        "No protest or gathering is planned in the area",
        "Ended early on 29 November 2026, 04:00.",
        "Why: The night passed quietly",
        "1 direction was given under this authorisation.",
    )
    welsh = text_of(printed("authorisation", "cy"))
    assert_all_in(
        welsh,
        "Awdurdodiad i ddefnyddio pwerau gwasgaru",
        "adran 34",
        "Awdurdodwyd gan: Gareth Evans",
        "Llofnodwyd: yn y porth, o gyfrif Gareth Evans ei hun, ar 27 Tachwedd 2026, 19:45",
        "Mewn grym o: 27 Tachwedd 2026, 20:00",
        "Seiliau",
        "Erthyglau 10 ac 11 o'r Confensiwn Ewropeaidd ar Hawliau Dynol",
        "Terfynwyd yn gynnar ar 29 Tachwedd 2026, 04:00.",
        "Rhoddwyd 1 cyfarwyddyd o dan yr awdurdodiad hwn.",
    )


def test_the_notice_letter_lists_every_venue_and_incident(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
) -> None:
    papers = paperwork(app, make_org, make_venue, venues=45)
    login_as(Role.COORDINATOR)
    data = download(client, urls(papers)["notice"], "en")
    every_page = pages(data)
    text = " ".join(every_page)
    assert_all_in(
        text,
        "Exclusion notice",
        "Reference: PEN-2026-",
        "from 28 November 2026 until 27 February 2027",
        "Person reference: RF-2026-",
        "Description: Tall man, about 20",
        "Clothing: Grey hoodie",
        "Anything distinctive: Scar over the left eye",
        "Followed women between bars on three nights",
        "You were warned on 3 October 2026. Warned by the door team",
        "20 September 2026, 00:10 The Anchor Bar",  # 23:10 UTC, in summer time
        "31 October 2026, 22:05 The taxi rank on Castle Street",
        "From 28 November 2026 until 27 February 2027: 3 months.",
        "You can appeal against this notice until 12 December 2026.",
        "Write to the coordinator at the town hall",
        "The partnership will review this notice on 28 January 2027.",
        "by Sian Price, partnership coordinator.",
        "The Anchor Bar 1 Wind Street, Swansea",
        *(f"Member bar {n} " for n in range(44)),
    )
    # A long venue list runs over pages, each numbered.
    assert len(every_page) >= 2
    for number, page in enumerate(every_page, start=1):
        assert f"Page {number} of {len(every_page)}" in page
    # The name and the photo only where the data-sharing settings allow.
    assert "Dylan Hughes" not in text
    assert image_count(data) == 0


def test_the_name_and_photo_appear_only_where_the_settings_allow(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_photo = paperwork(app, make_org, make_venue, include_photo=True)
    without_photo = paperwork(app, make_org, make_venue, include_photo=False)
    login_as(Role.COORDINATOR)
    letter = urls(with_photo)["notice"]
    assert image_count(download(client, letter)) == 0  # settings off: no photo, no name
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_NAME_WITH_MEMBERS", True)
    data = download(client, letter)
    assert image_count(data) == 1
    assert "Name: Dylan Hughes" in text_of(data)
    assert image_count(download(client, urls(without_photo)["notice"])) == 0
    (event, *_) = [e for e in events(app, "notice.document_produced") if e.details["photo"]]
    assert event.object_id == str(with_photo.notice_id)


def test_the_appeal_outcome_letter_in_both_languages(printed: Printed) -> None:
    english = text_of(printed("appeal", "en"))
    assert_all_in(
        english,
        "Outcome of your appeal",
        "Exclusion notice PEN-2026-",
        "Date of this letter: 28 November 2026",
        "Appeal received on: 5 December 2026",
        "Your grounds of appeal: I was at home on the night of 31 October",
        "Decided on: 19 December 2026",
        "Outcome: Upheld: the notice stands",
        "Reasons: Door staff and cameras place him there",
        "What happens now",
        "The notice stands. You are excluded from every venue it lists until 27 February 2027",
        "Decided by Sian Price for the partnership.",
    )
    welsh = text_of(printed("appeal", "cy"))
    assert_all_in(
        welsh,
        "Canlyniad eich apêl",
        "Hysbysiad gwahardd PEN-2026-",
        "Derbyniwyd yr apêl ar: 5 Rhagfyr 2026",
        "Seiliau eich apêl: I was at home",
        "Beth sy'n digwydd nawr",
        "Mae'r hysbysiad yn sefyll.",
        "Penderfynwyd gan Sian Price ar ran y bartneriaeth.",
    )


# --- Every document: title, language, pages, audit -----------------------------------


def test_every_document_has_its_title_language_and_page_numbers(printed: Printed) -> None:
    titles = {
        "direction": ("Section 35 direction notice", "Hysbysiad cyfarwyddyd adran 35"),
        "authorisation": ("Section 34 authorisation record", "Cofnod awdurdodiad adran 34"),
        "notice": ("Exclusion notice", "Hysbysiad gwahardd"),
        "appeal": (
            "Appeal outcome for exclusion notice",
            "Canlyniad apêl yn erbyn hysbysiad gwahardd",
        ),
    }
    for kind in titles:
        for lang in LANGUAGES:
            data = printed(kind, lang)
            reader = PdfReader(io.BytesIO(data))
            assert reader.trailer["/Root"]["/Lang"] == ("en" if lang == "en" else "cy")
            title = reader.metadata.title if reader.metadata else ""
            english, welsh = titles[kind]
            expected = {"en": [english], "cy": [welsh], "cy_en": [welsh, english]}[lang]
            parts = title.split(" / ")
            assert [part.rsplit(" ", 1)[0] for part in parts] == expected, title
            every_page = pages(data)
            footer = "Page %d of %d" if lang == "en" else "Tudalen %d o %d"
            for number, page in enumerate(every_page, start=1):
                assert footer % (number, len(every_page)) in page, (kind, lang, page)
            if lang == "cy_en":
                assert len(every_page) >= 2  # each language starts its own page


def test_each_document_produced_leaves_one_audit_event(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], papers: Paperwork
) -> None:
    officer = login_as(Role.OFFICER)
    produced = [
        ("direction", "cy", "direction", "section_35_notice", papers.direction_id),
        ("authorisation", "en", "authorisation", "section_34_record", papers.authorisation_id),
        ("notice", "cy_en", "notice", "exclusion_notice_letter", papers.notice_id),
        ("appeal", "en", "notice", "appeal_outcome_letter", papers.notice_id),
    ]
    for kind, lang, object_type, document, object_id in produced:
        before = len(events(app))
        text = text_of(download(client, urls(papers)[kind], lang))
        after = events(app)
        assert len(after) == before + 1
        event = after[-1]
        assert event.action == f"{object_type}.document_produced"
        assert event.actor_id == officer.id
        assert (event.object_type, event.object_id) == (object_type, str(object_id))
        assert event.details["document"] == document
        assert event.details["language"] == lang
        assert event.details["reference"] in text
    assert events(app, "notice.document_produced")[-1].details["appeal_id"] == papers.appeal_id


def test_the_download_is_named_by_reference_and_language_and_never_cached(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], papers: Paperwork
) -> None:
    login_as(Role.OFFICER)
    response = client.get(urls(papers)["direction"], query_string={"language": "cy_en"})
    text = text_of(response.data)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{reference(text, "S35")}-cy_en.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    appeal = client.get(urls(papers)["appeal"], query_string={"language": "cy"})
    assert appeal.headers["Content-Disposition"] == (
        f'attachment; filename="{reference(text_of(appeal.data), "PEN")}'
        f'-appeal-{papers.appeal_id}-cy.pdf"'
    )


# --- Who may download what ----------------------------------------------------------


def test_police_download_police_records_and_nobody_else_does(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], papers: Paperwork
) -> None:
    links = urls(papers)
    for role in POLICE:
        login_as(role)
        for url in links.values():
            assert client.get(url).status_code == 200
    for role in NOT_POLICE:
        login_as(role)
        assert client.get(links["direction"]).status_code == 403
        assert client.get(links["authorisation"]).status_code == 403
    login_as(Role.COORDINATOR)
    assert client.get(links["notice"]).status_code == 200
    assert client.get(links["appeal"]).status_code == 200
    for role in NOT_NOTICE_READERS:
        login_as(role)
        assert client.get(links["notice"]).status_code == 403
        assert client.get(links["appeal"]).status_code == 403
    client.get("/auth/logout")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(links["direction"]).status_code == 302  # sent to sign in


def test_records_that_are_not_there_are_not_found(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], papers: Paperwork
) -> None:
    login_as(Role.COORDINATOR)
    notice = papers.notice_id
    missing = [
        f"/orders/notices/{notice + 1000}/letter.pdf",
        f"/orders/notices/{notice + 1000}/appeals/{papers.appeal_id}/outcome.pdf",
        # An appeal against another notice, and one not yet decided, have no letter here.
        f"/orders/notices/{notice}/appeals/{papers.other_appeal_id}/outcome.pdf",
        f"/orders/notices/{notice}/appeals/{papers.undecided_appeal_id}/outcome.pdf",
        f"/orders/notices/{notice}/appeals/{papers.appeal_id + 1000}/outcome.pdf",
    ]
    for url in missing:
        assert client.get(url).status_code == 404, url
    # The other notice's own appeal is found under its own notice.
    other = f"/orders/notices/{papers.other_notice_id}/appeals/{papers.other_appeal_id}"
    assert client.get(f"{other}/outcome.pdf").status_code == 200
    login_as(Role.OFFICER)
    assert (
        client.get(f"/orders/directions/{papers.direction_id + 1000}/notice.pdf").status_code == 404
    )
    assert (
        client.get(
            f"/orders/authorisations/{papers.authorisation_id + 1000}/record.pdf"
        ).status_code
        == 404
    )
    assert events(app, "direction.document_produced") == []


def test_an_unknown_language_is_not_found_and_none_means_the_readers_own(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], papers: Paperwork
) -> None:
    login_as(Role.OFFICER, locale="cy")
    for url in urls(papers).values():
        for bad in ("fr", "CY", "en_cy", ""):
            assert client.get(url, query_string={"language": bad}).status_code == 404, (url, bad)
    assert events(app, "direction.document_produced") == []
    data = download(client, urls(papers)["direction"])
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "cy"
    assert "Cyfarwyddyd gwasgaru" in text_of(data)
    assert events(app, "direction.document_produced")[-1].details["language"] == "cy"


def test_choosing_a_documents_language_leaves_the_portals_alone(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], papers: Paperwork
) -> None:
    login_as(Role.OFFICER, locale="en")
    download(client, urls(papers)["direction"], "cy")
    download(client, urls(papers)["direction"], "cy_en")
    client.get(urls(papers)["direction"], query_string={"language": "fr"})
    with client.session_transaction() as session:
        assert "lang" not in session
        assert not session.get("_flashes")
    page = client.get("/dashboard")
    assert '<html lang="en"' in page.get_data(as_text=True)
    assert "That language is not available" not in page.get_data(as_text=True)


# --- User text is printed, never fetched ---------------------------------------------


# The free-text fields each document prints.
PRINTED = {
    "direction": [
        "person_name",
        "address",
        "description",
        "place",
        "given_by_name",
        "excluded_description",
        "route",
        "items_surrendered",
        "items_return",
        "changed_by_name",
        "change_reason",
        "locality_name",
        "boundary",
    ],
    "authorisation": [
        "locality_name",
        "boundary",
        "grounds",
        "echr_regard",
        "signed_name",
        "end_reason",
    ],
    "notice": [
        "subject_name",
        "subject_description",
        "clothing",
        "distinguishing_features",
        "reasons",
        "warning_note",
        "venue_name",
        "venue_address",
        "sighting_place",
        "appeal_how",
        "issued_by_name",
    ],
    "appeal": ["appeal_grounds", "outcome_reason", "decided_by_name"],
}


def test_addresses_and_stylesheets_typed_into_any_field_are_printed_not_fetched(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
    server: RecordingServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = server.server_address[1]
    used: set[str] = set()

    def hostile(field: str, value: str) -> str:
        used.add(field)
        return (
            f'file:///etc/passwd <img src="http://127.0.0.1:{port}/x.png">'
            f" @import url(http://127.0.0.1:{port}/x.css); [{field}]"
        )

    # A photo is allowed but not included: the only pictures are those the portal draws.
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_NAME_WITH_MEMBERS", True)
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    papers = paperwork(app, make_org, make_venue, hostile)
    assert used == {field for fields in PRINTED.values() for field in fields}
    caplog.set_level(logging.WARNING, logger="partnership.core.pdf")
    login_as(Role.INSPECTOR)
    for kind, url in urls(papers).items():
        for lang in ("en", "cy_en"):
            data = download(client, url, lang)
            text = text_of(data)
            for field in PRINTED[kind]:
                assert f"[{field}]" in text, (kind, field)
            assert f"@import url(http://127.0.0.1:{port}/x.css);" in text
            assert f'<img src="http://127.0.0.1:{port}/x.png">' in text
            assert "file:///etc/passwd" in text
            assert "root:" not in text
            assert image_count(data) == 0
    assert server.seen == []
    assert [r for r in caplog.records if r.name == pdf.logger.name] == []  # nothing even tried
