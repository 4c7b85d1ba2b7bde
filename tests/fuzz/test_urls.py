"""Addresses: an id in a URL that no 64-bit integer holds, or a negative one, is a page
that does not exist (404) on every route; other URL arguments never fail the server; and
``next=`` never sends anyone off the site, whatever it holds."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound
from werkzeug.routing import Rule

from partnership import create_app
from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.core.forms import MAX_ID
from partnership.core.urls import safe_next
from tests.conftest import TEST_CONFIG, sign_in
from tests.core.test_access_matrix import MATRIX, PUBLIC, RANK_REFUSED, endpoints
from tests.fuzz.harness import forms_on

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
OUT_OF_RANGE = [
    "99999999999999999999999",
    str(2**63),
    str(2**63 - 1),
    str(MAX_ID + 1),
    "-1",
    "\u0661\u0662",
]
# Values for the arguments that are not ids: harmless ones, and malformed ones.
PLAIN = {"token": "no-such-token", "code": "cy", "kind": "sighting", "run_id": "0" * 32}
MALFORMED_TEXT = ["%00", "a%00b", "%0d%0a", "x" * 2000, "%ff%fe", "..%2f..", "%e2%80%ae"]

OFF_SITE = [
    "//evil.example",
    "https://evil.example/",
    "http:evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\r\nSet-Cookie: stolen=1",
    "/dashboard\x00",
    " //evil.example",
    "javascript:alert(1)",
]


def _rules() -> dict[str, Rule]:
    return endpoints(create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"}))


def _with_ids(rule: Rule) -> list[str]:
    return [m.group(2) for m in _ARGUMENT.finditer(rule.rule) if m.group(1) == "int"]


def _with_text(rule: Rule) -> list[str]:
    return [m.group(2) for m in _ARGUMENT.finditer(rule.rule) if m.group(1) in (None, "string")]


def _path(rule: Rule, values: dict[str, str]) -> str:
    return _ARGUMENT.sub(lambda m: values.get(m.group(2), "1"), rule.rule)


RULES = _rules()
ID_ROUTES = sorted(e for e, r in RULES.items() if _with_ids(r))
TEXT_ROUTES = sorted(e for e, r in RULES.items() if _with_text(r) and e != "static")


def _visit(endpoint: str, login_as: Callable[..., User]) -> None:
    """Sign in as a role allowed in, so the answer is about the address, not the role."""
    rule = MATRIX[endpoint]
    if rule != PUBLIC:
        assert isinstance(rule, frozenset)
        login_as(min((r for r in rule if (endpoint, r) not in RANK_REFUSED), key=str))


def _open(client: FlaskClient, rule: Rule, path: str) -> int:
    method = "GET" if "GET" in (rule.methods or ()) else "POST"
    return client.open(path, method=method).status_code


def _answers(
    endpoint: str,
    client: FlaskClient,
    login_as: Callable[..., User],
    names: Callable[[Rule], list[str]],
    values: list[str],
) -> Iterator[tuple[str, int]]:
    """Signed in as a role allowed in, the address of ``endpoint`` with each of its
    ``names`` given each of ``values`` (the others plain), and the status it answers."""
    rule = RULES[endpoint]
    _visit(endpoint, login_as)
    for name in names(rule):
        for raw in values:
            path = _path(rule, {**PLAIN, name: raw})
            yield path, _open(client, rule, path)


def test_the_largest_id_still_routes_and_one_more_does_not(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/sightings/{MAX_ID}") == ("sightings.detail", {"sighting_id": MAX_ID})
    for raw in OUT_OF_RANGE:
        with pytest.raises(NotFound):
            adapter.match(f"/sightings/{raw}")


def test_the_largest_id_is_looked_up_and_names_nothing(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    """The largest id an INTEGER column holds reaches the database (on PostgreSQL too,
    where one more would not fit) and is simply not found."""
    login_as(Role.OFFICER)
    assert client.get(f"/sightings/{MAX_ID}").status_code == 404
    assert client.get(f"/subjects/{MAX_ID}").status_code == 404


@pytest.mark.parametrize("endpoint", ID_ROUTES)
def test_an_id_out_of_range_is_not_found(
    endpoint: str,
    client: FlaskClient,
    login_as: Callable[..., User],
) -> None:
    out_of_range = [quote(raw) for raw in OUT_OF_RANGE]
    for path, status in _answers(endpoint, client, login_as, _with_ids, out_of_range):
        assert status == 404, path


@pytest.mark.parametrize("endpoint", TEXT_ROUTES)
def test_malformed_text_in_an_address_never_fails_the_server(
    endpoint: str,
    client: FlaskClient,
    login_as: Callable[..., User],
) -> None:
    for path, status in _answers(endpoint, client, login_as, _with_text, MALFORMED_TEXT):
        assert status < 500, (path, status)


# Query values for the filters and pages of lists and reports.
QUERY_VALUES = ["a\x00b\x1b", "9999-12-31", "31/12/9999", "99999999999999999999999", "\u00b2"]
# Names read from the query string outside a page's filter form.
QUERY_NAMES = ["page", "after", "next", "range", "source", "language", "subject_id"]
PAGES = sorted(
    e
    for e, r in RULES.items()
    if "GET" in (r.methods or ()) and not r.arguments and e not in ("static", "home.healthz")
)


@pytest.mark.parametrize("endpoint", PAGES)
def test_malformed_query_values_never_fail_the_server(
    endpoint: str, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    """Every field of the page's filter forms, and the names read from the query string
    outside them, given each malformed value at once."""
    path = RULES[endpoint].rule
    _visit(endpoint, login_as)
    first = client.get(path)
    body = first.get_data()  # read to the end: a CSV or a pack is made as it is sent
    page = body.decode() if first.mimetype == "text/html" else ""
    names = {n for f in forms_on(page) if f.method == "get" for n in f.kinds} | set(QUERY_NAMES)
    for value in QUERY_VALUES:
        response = client.get(path, query_string={name: value for name in sorted(names)})
        response.get_data()
        assert response.status_code < 500, (path, value)


def _on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
        and not any(c in location for c in "\x00\t\r\n\\")
    )


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_what_would_leave_the_site(target: str) -> None:
    assert safe_next(target) is None


def test_safe_next_keeps_a_path_on_this_site() -> None:
    assert safe_next("/sightings/?night_from=2026-11-27") == "/sightings/?night_from=2026-11-27"


def test_signing_in_never_leaves_the_site(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    for target in [*OFF_SITE, "/sightings/"]:
        client.get("/auth/login", query_string={"next": target})
        response = sign_in(client, user)
        location = response.headers["Location"]
        assert response.status_code == 302
        assert _on_site(location), (target, location)
        assert location == (target if target == "/sightings/" else "/dashboard"), target
        client.post("/auth/logout")


def test_changing_language_never_leaves_the_site(client: FlaskClient) -> None:
    for target in [*OFF_SITE, "/safety"]:
        response = client.get("/language/cy", query_string={"next": target})
        location = response.headers["Location"]
        assert response.status_code == 302
        assert _on_site(location), (target, location)
        assert (location == "/safety") == (target == "/safety"), target


def test_marking_alerts_read_never_leaves_the_site(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.OFFICER)
    for target in [*OFF_SITE, "/dashboard"]:
        response = client.post("/alerts/read", data={"next": target})
        location = response.headers["Location"]
        assert response.status_code == 302
        assert _on_site(location), (target, location)
        assert (location == "/dashboard") == (target == "/dashboard"), target
