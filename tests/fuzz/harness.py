"""What the fuzz tests need: which role reaches each form that takes a POST and with which
records, the fields a form's page offers, and the malformed values to send into them.

The roles, records and URL arguments come from the access matrix
(``tests/core/test_access_matrix.py``), so a new route is fuzzed as soon as it is classified there.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import strategies as st

from partnership.auth import service as auth_service
from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.models import utcnow
from partnership.core.nights import to_local
from partnership.extensions import db
from partnership.subjects.models import Subject
from partnership.venues.models import Area, Venue
from tests.conftest import reload
from tests.core.test_access_matrix import (
    HIDDEN_TARGETS,
    MATRIX,
    PUBLIC,
    RANK_REFUSED,
    RECORD_PAGES,
    RECORD_TARGETS,
    SEES,
    USER_RECORD_PAGES,
    endpoints,
    make_record,
    make_subject,
)
from tests.factories import PASSWORD
from tests.orders.factories import SQUARE, add_authorisation

# The role each form is fuzzed as: the first of these the access matrix lets in (and, for
# a page about one record, lets see a record made for it). An inspector can do all that
# police can (a constable may not authorise a dispersal area).
PREFERENCE = (
    Role.INSPECTOR,
    Role.COORDINATOR,
    Role.PREMISES_STAFF,
    Role.WELFARE,
    Role.ADMIN,
    Role.OFFICER,
    Role.ANALYST,
)

# A new password the strength rules accept.
PASSPHRASE = "lantern quiet harbour seventeen"

# Forms that are drawn on another page than the one they post to: endpoint -> that page.
FORM_PAGES = {
    "admin.user_role": "admin.user_detail",
    "admin.user_deactivate": "admin.user_detail",
    "admin.user_reactivate": "admin.user_detail",
    "admin.user_reset_two_factor": "admin.user_detail",
    "admin.user_unlock": "admin.user_detail",
    "admin.user_set_password_link": "admin.user_detail",
    "alerts.mark_read": "alerts.list_alerts",
    "alerts.mark_all_read": "alerts.list_alerts",
    "auth.account_language": "auth.account",
    "auth.account_password": "auth.account",
    "auth.logout": "home.dashboard",
    "subjects.justify": "subjects.profile",
    "subjects.photo_remove": "subjects.profile",
    "triage.triage": "triage.report",
}

# Forms posted by hand here because their page shows them only in a state the fuzz test
# does not set up (an account that is locked, or deactivated): their fields, if any.
FIELDS_WITHOUT_PAGE: dict[str, dict[str, list[str]]] = {
    "admin.user_reactivate": {},
    "admin.user_unlock": {},
    "admin.user_reset_two_factor": {},
    "subjects.unlink": {},
    "alerts.mark_read": {"next": ["/alerts/"]},
    "alerts.mark_all_read": {"next": ["/alerts/"]},
}


# --- Reading a form off its page -----------------------------------------------------------


@dataclass
class FormSpec:
    """A form as a browser would send it: each field's values as drawn, its kind (the input
    type, "select" or "textarea") and the values its options offer."""

    action: str
    method: str = "post"
    kinds: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    button: tuple[str, str] | None = None

    @property
    def names(self) -> list[str]:
        return [name for name in self.kinds if name != "csrf_token"]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FormSpec] = []
        self._form: FormSpec | None = None
        self._select: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            method = found.get("method", "get").lower()
            self._form = FormSpec(action=found.get("action", ""), method=method)
            return
        form = self._form
        name = found.get("name")
        if form is None or not name:
            if tag == "option" and form is not None and self._select:
                self._option(form, found)
            return
        if tag == "input":
            kind = found.get("type", "text").lower()
            if kind in ("submit", "image", "reset", "button"):
                form.button = form.button or (name, found.get("value", ""))
                return
            form.kinds.setdefault(name, kind)
            values = form.values.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                form.choices.setdefault(name, []).append(found.get("value", "on"))
                if "checked" in found:
                    values.append(found.get("value", "on"))
            elif kind != "file":
                values.append(found.get("value", ""))
        elif tag == "button":
            if found.get("type", "submit") == "submit":
                form.button = form.button or (name, found.get("value", ""))
        elif tag == "select":
            form.kinds.setdefault(name, "select")
            form.values.setdefault(name, [])
            form.choices.setdefault(name, [])
            self._select, self._selected = name, False
        elif tag == "textarea":
            form.kinds.setdefault(name, "textarea")
            self._textarea, self._text = name, []

    def _option(self, form: FormSpec, found: dict[str, str]) -> None:
        assert self._select is not None
        value = found.get("value", "")
        form.choices[self._select].append(value)
        if "selected" in found and not self._selected:
            form.values[self._select] = [value]
            self._selected = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if form is None:
            return
        if tag == "form":
            self.forms.append(form)
            self._form = None
        elif tag == "select" and self._select:
            options = form.choices[self._select]
            if not self._selected and options:  # a browser sends the first option
                form.values[self._select] = [options[0]]
            self._select = None
        elif tag == "textarea" and self._textarea:
            form.values.setdefault(self._textarea, []).append("".join(self._text))
            self._textarea = None


def forms_on(page: str) -> list[FormSpec]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def form_for(page: str, url: str) -> FormSpec | None:
    """The form on ``page`` that posts to ``url`` (an empty action posts to the page)."""
    path = urlsplit(url).path
    for form in forms_on(page):
        if form.method == "post" and urlsplit(form.action).path in ("", path):
            return form
    return None


# --- Reaching each form --------------------------------------------------------------------


def post_endpoints(app: Flask) -> list[str]:
    return sorted(e for e, rule in endpoints(app).items() if "POST" in (rule.methods or ()))


def role_for(endpoint: str) -> tuple[Role | None, str]:
    """The role a form is fuzzed as (None: no one signed in) and the record target the
    access matrix makes for it ("-": none)."""
    rule = MATRIX[endpoint]
    if rule == PUBLIC:
        return None, "-"
    assert isinstance(rule, frozenset)
    record = RECORD_PAGES.get(endpoint)
    if endpoint in USER_RECORD_PAGES:
        targets: tuple[str, ...] = ("staff_account",)
    elif record is not None:
        targets = RECORD_TARGETS[record]
    else:
        targets = ("-",)
    for role in PREFERENCE:
        if role not in rule or (endpoint, role) in RANK_REFUSED:
            continue
        for target in targets:
            if (target, role) in HIDDEN_TARGETS:
                continue
            if record is None or role in SEES[(record, target)]:
                return role, target
    raise AssertionError(f"no role may use {endpoint}: check the access matrix")


@dataclass
class Visit:
    """A form ready to be fuzzed: where it posts, the page it is drawn on, what it holds
    when drawn, values that make the rest of it valid, and how to be signed in again (a
    request may have signed out, changed the password or ended the session)."""

    endpoint: str
    url: str
    form_page: str | None
    sign_in: Callable[[], None]
    good: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class World:
    """Records the forms offer as choices: venues with a Safe Space (one in the visitor's
    organisation, one in another's), an area, a Section 34 authorisation in force and a
    shared red flag."""

    venue_id: int
    area_id: int
    authorisation_id: int
    subject_reference: str


def build_world(
    app: Flask, visitor_org: Organisation | None, make_org: Callable[..., Organisation]
) -> World:
    premises = make_org(OrgKind.LICENSED_PREMISES)
    now = utcnow()
    authorisation_id = add_authorisation(app, now - timedelta(hours=2), now + timedelta(hours=20))
    with app.app_context():
        own = Venue(
            organisation_id=(visitor_org or premises).id,
            name=f"Fuzz Bar {uuid.uuid4().hex[:6]}",
            address="1 Wind Street, Swansea",
            postcode="SA1 1DP",
            latitude=51.6197,
            longitude=-3.9405,
            has_safe_space=True,
        )
        other = Venue(
            organisation_id=premises.id,
            name=f"Other Bar {uuid.uuid4().hex[:6]}",
            address="2 Wind Street, Swansea",
            postcode="SA1 1DP",
            latitude=51.62,
            longitude=-3.94,
            has_safe_space=True,
        )
        area = Area(name=f"Fuzz zone {uuid.uuid4().hex[:6]}", geometry=SQUARE)
        db.session.add_all([own, other, area])
        db.session.commit()
        ids = own.id, area.id
    return World(ids[0], ids[1], authorisation_id, "")


def url_values(
    app: Flask,
    endpoint: str,
    target: str,
    viewer: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    world: World,
) -> dict[str, Any]:
    """Values for every argument a route may have, as the access matrix makes them."""
    staff = make_user(Role.PREMISES_STAFF)
    with app.test_request_context():
        token = auth_service.create_set_password_link(reload(app, staff), None)
        db.session.commit()
    values: dict[str, Any] = {
        "user_id": staff.id,
        "org_id": make_org(OrgKind.WELFARE).id,
        "token": token,
        "code": "cy",
        "venue_id": world.venue_id,
        "area_id": world.area_id,
        "kind": "sighting",
    }
    if endpoint in RECORD_PAGES:
        values.update(make_record(app, RECORD_PAGES[endpoint], target, viewer, make_user, make_org))
    if values["kind"] == 0:
        values["kind"] = "sighting"
    return values


def _local_now() -> datetime:
    return to_local(utcnow())


def good_answers(endpoint: str, world: World) -> dict[str, list[str]]:
    """Answers that make the big forms valid, so that a malformed value in one field meets
    the code that runs after validation (the rest of each form is left as its page draws it)."""
    now = _local_now()
    today, clock = now.date().isoformat(), now.strftime("%H:%M")
    yesterday = (now.date() - timedelta(days=1)).isoformat()
    key = [uuid.uuid4().hex]
    answers: dict[str, dict[str, Any]] = {
        "sightings.create": {
            "submission_key": key,
            "venue_id": str(world.venue_id),
            "when": "now",
            "behaviours": ["assb.unwanted_touching", "aspb.following"],
            "victim_response": "moved_away",
            "action_taken": "ejected",
            "sharing": "partnership",
            "description": "Followed her from the bar to the door",
        },
        "welfare.safe_space_use_create": {
            "submission_key": key,
            "venue_id": str(world.venue_id),
            "when": "30",
            "left": "still_here",
            "age_band": "18_24",
            "gender": "woman",
            "reasons": ["separated"],
            "support": ["water"],
            "handed_to": "friend",
            "notes": "Waited for her sister",
        },
        "welfare.welfare_note_create": {
            "submission_key": key,
            "place": "Bus stop on Kingsway",
            "when": "now",
            "age_band": "under_18",
            "gender": "not_given",
            "support": ["water"],
            "handed_to": "taxi",
            "notes": "Waited with her for the taxi",
        },
        "public.report": {
            "step": "6",
            "submission_key": key,
            "reporter": "me",
            "place": "Outside the kebab shop",
            "when": "last_night",
            "time_of_night": "after_midnight",
            "behaviours": ["aspb.following"],
            "description": "He followed me",
            "wants_contact": "no",
            "action": "send",
        },
        "orders.authorisation_create": {
            "locality_name": "Wind Street",
            "geometry": '{"type": "Polygon", "coordinates": [[[-3.95, 51.61], [-3.93, 51.61],'
            " [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]]}",
            "boundary": "Wind Street from The Strand to Castle Street",
            "start_day": today,
            "start_time": clock,
            "end_day": (now.date() + timedelta(days=1)).isoformat(),
            "end_time": "06:00",
            "area_id": "",
            "necessity": ["crime_disorder"],
            "grounds": "Groups following women",
            "echr_regard": "No protest planned",
            "confirm": "y",
        },
        "orders.direction_create": {
            "authorisation_id": str(world.authorisation_id),
            "given_day": today,
            "given_clock": clock,
            "place": "Wind Street",
            "latitude": "51.62",
            "longitude": "-3.94",
            "in_uniform": "y",
            "person_name": "Fuzz Person",
            "date_of_birth": "2000-05-01",
            "address": "1 High Street",
            "description": "Grey hoodie",
            "excluded_area": "whole",
            "period": "max",
            "leave_by": "01:00",
            "in_writing": "yes",
            "offence_warning_given": "y",
            **{
                f"exempt_{name}": "no"
                for name in (
                    "under_10",
                    "home",
                    "work",
                    "school",
                    "medical",
                    "court",
                    "picket_procession",
                )
            },
        },
        "orders.notice_create": {
            "subject_reference": world.subject_reference,
            "reasons": "Seen following women",
            "starts_on": today,
            "duration": "3",
            "warned_on": yesterday,
        },
        "subjects.create": {"description": "Tall, grey hoodie", "name": "Fuzz Person"},
        "venues.venue_create": {
            "name": "Fuzz venue",
            "address": "3 Wind Street",
            "postcode": "SA1 1DP",
            "latitude": "51.62",
            "longitude": "-3.94",
        },
        "venues.area_create": {
            "name": "Fuzz area",
            "geometry": '{"type": "Polygon", "coordinates": [[[-3.95, 51.61], [-3.93, 51.61],'
            " [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]]}",
        },
        "admin.organisation_create": {"name": "Fuzz organisation", "kind": "welfare"},
        "admin.user_create": {"name": "Fuzz Person", "email": "fuzz@example.org", "rank": ""},
        "admin.user_role": {"rank": ""},
        "auth.login": {"email": "nobody@example.org", "password": "not the password"},
        "auth.set_password": {"new_password": PASSPHRASE, "confirm": PASSPHRASE},
        "auth.account_password": {
            "current_password": PASSWORD,
            "new_password": PASSPHRASE,
            "confirm": PASSPHRASE,
        },
        "auth.two_factor": {"code": "123456"},
        "auth.two_factor_setup": {"code": "123456"},
        "orders.direction_breach": {"place": "Wind Street"},
        "sightings.correct": {"behaviours": ["aspb.following"]},
        "subjects.access_request": {"reference": world.subject_reference, "reason": "SAR 1"},
        "subjects.erase": {"reference": world.subject_reference, "confirm": "y"},
        "subjects.merge": {"other": world.subject_reference, "confirm": "y"},
        "subjects.link": {"reference": world.subject_reference},
    }
    found = answers.get(endpoint, {})
    return {name: value if isinstance(value, list) else [value] for name, value in found.items()}


@pytest.fixture
def found(
    app: Flask,
    client: FlaskClient,
    endpoint: str,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> Visit:
    """Everything needed to fuzz the parametrised ``endpoint``'s form as a role allowed to
    use it (a fixture, offered to the fuzz tests by their conftest)."""
    role, target = role_for(endpoint)
    visitor = make_user(role) if role is not None else None
    world = build_world(app, visitor.organisation if visitor else None, make_org)
    subject = make_subject(app, "active_partnership_note", make_user)
    with app.app_context():
        stored = db.session.get(Subject, subject["subject_id"])
        assert stored is not None
        world.subject_reference = stored.reference
    viewer = visitor or make_user(Role.WELFARE)
    values = url_values(app, endpoint, target, viewer, make_user, make_org, world)
    rules = endpoints(app)
    with app.test_request_context():
        url = url_for(endpoint, **{name: values[name] for name in rules[endpoint].arguments})
        page_endpoint = FORM_PAGES.get(endpoint, endpoint)
        page_rule = rules[page_endpoint]
        form_page = (
            url_for(page_endpoint, **{name: values[name] for name in page_rule.arguments})
            if "GET" in (page_rule.methods or ())
            else None
        )
    sign_in = _signer(app, client, endpoint, visitor, make_user, values.get("subject_id"))
    return Visit(endpoint, url, form_page, sign_in, good_answers(endpoint, world))


def _signer(
    app: Flask,
    client: FlaskClient,
    endpoint: str,
    visitor: User | None,
    make_user: Callable[..., User],
    subject_id: int | None,
) -> Callable[[], None]:
    """How to be back where the form is reached before each example: signed in as
    ``visitor`` (with the session token the database holds now) and, for a red flag's
    pages, with a reason given for viewing it; or half-way through signing in for the
    two-factor forms."""
    pending: User | None = None
    if endpoint == "auth.two_factor":
        pending = make_user(Role.OFFICER)
    elif endpoint == "auth.two_factor_setup":
        pending = make_user(Role.OFFICER, two_factor=False)

    def sign_in() -> None:
        with client.session_transaction() as session:
            session.clear()
            if visitor is not None:
                fresh = _fresh(app, visitor)
                session["_user_id"] = fresh.session_token
                session["_fresh"] = True
            if pending is not None:
                token = _fresh(app, pending).session_token
                session["pending_login"] = {"token": token, "at": datetime.now().timestamp()}
        if visitor is not None and subject_id is not None and endpoint != "subjects.justify":
            client.post(f"/subjects/{subject_id}/justify", data={"reason": "checking_tonight"})

    return sign_in


def _fresh(app: Flask, user: User) -> User:
    """``user`` as the database has it, active and unlocked again (a fuzzed request may
    have deactivated or locked the account)."""
    with app.app_context():
        found = db.session.get(User, user.id)
        assert found is not None
        found.active = True
        found.locked_until = None
        found.failed_logins = 0
        db.session.commit()
        db.session.refresh(found)
        db.session.expunge(found)
        return found


def learn_form(client: FlaskClient, found: Visit) -> FormSpec:
    """The form ``found`` posts to, as its page draws it."""
    if found.endpoint in FIELDS_WITHOUT_PAGE:
        spec = FormSpec(action=found.url)
        for name, values in FIELDS_WITHOUT_PAGE[found.endpoint].items():
            spec.kinds[name], spec.values[name] = "hidden", list(values)
        return spec
    assert found.form_page is not None, f"{found.endpoint}: say where its form is drawn"
    found.sign_in()
    response = client.get(found.form_page)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, (found.endpoint, response.status_code, page[:2000])
    spec = form_for(page, found.url)
    assert spec is not None, f"{found.endpoint}: no form posting to {found.url} on its page"
    return spec


# --- Malformed values ----------------------------------------------------------------------

MEGABYTE = b"x" * (1024 * 1024)
# Long, but under the form memory limit, so it reaches the views.
LONG = ("\u00e9" * 150_000).encode()
HUGE_INT = b"99999999999999999999999"

NASTY: list[bytes] = [
    b"\x00",
    b"abc\x00def",
    b"\x01\x02\x1b[31m\x7f",
    "\u0085\u009f".encode(),
    b"\r\n",
    b"\r\nSet-Cookie: x=1",
    b"\xff\xfe\xfd",  # not UTF-8
    b"\xc3\x28",  # a broken two-byte sequence
    b"\xed\xa0\x80",  # a lone surrogate, UTF-8 encoded
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\xef\xbf\xbd",  # the replacement character itself
    HUGE_INT,
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"-1",
    b"0",
    b"-0",
    b"1e309",
    b"nan",
    b"inf",
    b"-inf",
    b"0x10",
    "\u00b2".encode(),  # a superscript two: str.isdigit() says yes, int() says no
    "\u0661\u0662".encode(),  # Arabic-Indic digits
    b"0001-01-01",
    b"9999-12-31",
    b"2026-02-30",
    b"10000-01-01",
    b"-2026-01-01",
    b"31/12/9999",
    b"99:99",
    b"24:00",
    b"25:61",
    b"not-a-code",
    b"assb.nonsense",
    b"",
    b"   ",
    b"\t",
    "\u202e\u200b\ufeff".encode(),
    "\U0001f600".encode(),
    b"<script>alert(1)</script>",
    b"'; DROP TABLE users; --",
    b"%00",
    b"//evil.example",
    b"https://evil.example",
    b"/\\evil",
    b"{}",
    b"[]",
    b'{"type": "Polygon", "coordinates": [[[1e309, 0]]]}',
    b'{"type": "Polygon", "coordinates": "x"}',
    LONG,
    MEGABYTE,
]


def _with_nul(value: str) -> bytes:
    """``value`` with a NUL byte and other control characters in its middle."""
    middle = len(value) // 2
    return (value[:middle] + "\x00\x1b\x7f" + value[middle:]).encode()


def malformed(spec: FormSpec, name: str) -> st.SearchStrategy[bytes]:
    """One malformed value for field ``name``."""
    known = [*spec.choices.get(name, []), *spec.values.get(name, [])] or ["text"]
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(known).map(_with_nul),
        st.sampled_from(known).map(lambda value: (value + "\x00").encode()),
        st.binary(max_size=12),
        st.text(
            st.characters(codec=None, exclude_categories=()),
            max_size=12,
        ).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )


@dataclass
class Body:
    """A request body: (name, value) pairs and files, sent urlencoded or as multipart; or
    ``raw`` bytes with their own content type (JSON, for one)."""

    pairs: list[tuple[bytes, bytes]]
    files: list[tuple[bytes, bytes, bytes]] = field(default_factory=list)  # name, file, data
    multipart: bool = False
    raw: tuple[bytes, str] | None = None

    def encode(self) -> tuple[bytes, str]:
        if self.raw is not None:
            return self.raw
        if not self.multipart and not self.files:
            body = b"&".join(
                quote_from_bytes(name).encode() + b"=" + quote_from_bytes(value).encode()
                for name, value in self.pairs
            )
            return body, "application/x-www-form-urlencoded"
        boundary = uuid.uuid4().hex.encode()
        parts = []
        for name, value in self.pairs:
            parts.append(
                b"--" + boundary + b"\r\n"
                b'Content-Disposition: form-data; name="'
                + _quoted(name)
                + b'"\r\n\r\n'
                + value
                + b"\r\n"
            )
        for name, filename, content in self.files:
            parts.append(
                b"--" + boundary + b"\r\n"
                b'Content-Disposition: form-data; name="'
                + _quoted(name)
                + b'"; filename="'
                + _quoted(filename)
                + b'"\r\nContent-Type: image/jpeg\r\n\r\n'
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + b"--" + boundary + b"--\r\n"
        return body, f"multipart/form-data; boundary={boundary.decode()}"

    def describe(self) -> str:
        """The body for a failure report, long values shortened."""

        def short(value: bytes) -> str:
            return repr(value[:60]) + (f"...({len(value)} bytes)" if len(value) > 60 else "")

        if self.raw is not None:
            return f"{self.raw[1]}: {short(self.raw[0])}"
        pairs = ", ".join(f"{name.decode(errors='replace')}={short(v)}" for name, v in self.pairs)
        files = ", ".join(f"{n!r}:{f!r}({len(c)} bytes)" for n, f, c in self.files)
        return f"{'multipart' if self.multipart else 'urlencoded'}: {pairs} files: {files}"


def _quoted(value: bytes) -> bytes:
    return (
        value.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\r", b"").replace(b"\n", b"")
    )


def baseline(spec: FormSpec, good: dict[str, list[str]]) -> dict[str, list[str]]:
    """The form as a person would send it, so that one malformed value meets the code
    that runs once the rest is valid: what the page draws, a choice made where none is
    (a radio group's first option, a list's first real one), every empty text box filled
    in, and ``good`` answers laid over that."""
    values: dict[str, list[str]] = {}
    for name in spec.names:
        kind = spec.kinds[name]
        if kind == "file":
            continue
        drawn = list(spec.values.get(name, []))
        options = [option for option in spec.choices.get(name, []) if option]
        unchosen = (kind == "radio" and not drawn) or (kind == "select" and drawn in ([], [""]))
        if unchosen and options:
            drawn = [options[0]]
        elif kind == "textarea" and drawn in ([], [""]):
            drawn = ["Written by the fuzz test"]
        values[name] = drawn
    for name, value in good.items():
        values[name] = list(value)
    if spec.button is not None and spec.button[0] not in values:
        values[spec.button[0]] = [spec.button[1]]
    return values


JPEG_START = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@st.composite
def bodies(draw: st.DrawFn, spec: FormSpec, good: dict[str, list[str]]) -> Body:
    """The form's baseline with one to three fields (now and then every field) malformed:
    replaced, repeated, left out or emptied; urlencoded or multipart; with junk files in
    its file fields, and a stray field now and then."""
    values = {name: [v.encode() for v in vs] for name, vs in baseline(spec, good).items()}
    names = [*values, *[n for n in spec.names if spec.kinds[n] == "file"], "stray"]
    everything = draw(st.integers(0, 9)) == 0
    chosen = (
        names
        if everything
        else draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    )
    files: list[tuple[bytes, bytes, bytes]] = []
    for name in chosen:
        if spec.kinds.get(name) == "file":
            content = draw(st.sampled_from([b"", JPEG_START, b"GIF89a\x00", b"\x00" * 64]))
            filename = draw(st.sampled_from([b"photo.jpg", b"a\x00b.jpg", b"../../etc", b""]))
            files.append((name.encode(), filename, content))
            continue
        how = draw(st.sampled_from(["replace", "replace", "replace", "repeat", "drop", "empty"]))
        if how == "drop":
            values.pop(name, None)
        elif how == "empty":
            values[name] = [b""]
        elif how == "repeat":
            extra = draw(st.lists(malformed(spec, name), min_size=1, max_size=2))
            values[name] = [*values.get(name, []), *extra]
        else:
            values[name] = [draw(malformed(spec, name))]
    pairs = [(name.encode(), value) for name, vs in values.items() for value in vs]
    multipart = bool(files) or draw(st.booleans())
    return Body(pairs, files, multipart)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")
_DATE_NAME = re.compile(r"(^|_)(day|date|on|by|birth|from|to)$")
_CLOCK_NAME = re.compile(r"(^|_)(clock|time)$")

DATES = [b"0001-01-01", b"9999-12-31", b"2026-02-30"]
IDS = [HUGE_INT, b"2147483648", b"-1", "\u00b2".encode()]
CLOCKS = [b"99:99"]
NUMBERS = [b"1e309", b"nan"]


def values_for(spec: FormSpec, name: str) -> list[bytes]:
    """The malformed values worth sending in field ``name``, by what it looks like it holds:
    every field gets its usual value with a NUL byte and control characters inside; a date,
    an id, a time, a number or a choice also gets the extremes of its kind."""
    kind = spec.kinds.get(name, "text")
    seen = [*spec.values.get(name, []), *spec.choices.get(name, [])]
    usual = next((value for value in seen if value), "text")
    found = [_with_nul(usual)]
    if kind == "date" or _DATE_NAME.search(name) or any(_DATE.fullmatch(v) for v in seen):
        found += DATES
    if name.endswith("_id") or any(v.isdigit() for v in seen):
        found += IDS
    if _CLOCK_NAME.search(name) or name == "leave_by" or any(_CLOCK.fullmatch(v) for v in seen):
        found += CLOCKS
    if name in ("latitude", "longitude"):
        found += NUMBERS
    if spec.choices.get(name):
        found.append(b"not-a-code")
    return found


def sweep(spec: FormSpec, good: dict[str, list[str]]) -> list[Body]:
    """Bodies that each change one field of the baseline to one malformed value of its
    kind, so each reaches whatever runs once the rest of the form is valid; then the
    whole form repeated, emptied, in 1 MB pieces and as multipart."""
    start = {name: [v.encode() for v in vs] for name, vs in baseline(spec, good).items()}

    def body(values: dict[str, list[bytes]], multipart: bool = False) -> Body:
        pairs = [(name.encode(), value) for name, vs in values.items() for value in vs]
        return Body(pairs, multipart=multipart)

    found = [body(start, multipart=True)]
    for name in start:
        for value in values_for(spec, name):
            found.append(body({**start, name: [value]}))
    found.append(body({name: [*vs, *vs, b"not-a-code"] for name, vs in start.items()}))
    found.append(body({name: [b"\xff\xfe\xed\xa0\x80"] for name in start}))
    found.append(body({name: [b"\xff\xfe\xed\xa0\x80"] for name in start}, multipart=True))
    found.append(body({name: [b""] for name in start}))
    found.append(body({}))
    found.append(body({name: [LONG] for name in start}, multipart=True))
    found.append(body({**start, next(iter(start), "stray"): [MEGABYTE]}))
    as_json = {name: [v.decode() for v in vs] for name, vs in start.items()}
    for raw in (json.dumps(as_json).encode(), b"[1, 2]", b'{"a": {"b": null}}', b"{"):
        found.append(Body([], raw=(raw, "application/json")))
    return found


# --- Judging the answer --------------------------------------------------------------------

_MESSAGE = re.compile(
    r'govuk-error-summary|govuk-error-message|govuk-notification-banner|class="govuk-heading-l">'
)


def shows_a_message(page: str) -> bool:
    """An error summary, a field's error, a notification, or an error page's heading."""
    return bool(_MESSAGE.search(page))


def same_form(page: str, spec: FormSpec) -> bool:
    """``page`` draws the form again: one posting to the same place with the same fields."""
    again = form_for(page, spec.action) if spec.action else None
    return again is not None and set(again.names) == set(spec.names)


def same_site(location: str) -> bool:
    parts = urlsplit(location)
    return (not parts.scheme and not parts.netloc and location.startswith("/")) or (
        parts.netloc == "localhost"
    )
