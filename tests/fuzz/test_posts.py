"""Every form that takes a POST, fuzzed with malformed values as a role allowed to use it:
NUL bytes, control characters, invalid UTF-8, lone surrogates, huge and negative numbers,
extreme and impossible dates, unknown choices, 1 MB strings, repeated and missing fields,
urlencoded and multipart. Nothing may answer 5xx; a form sent back must say what is wrong.

Runs with the Hypothesis profile chosen in ``tests/conftest.py`` (``HYPOTHESIS_PROFILE``).
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given, note

from partnership import create_app
from partnership.extensions import limiter
from tests.conftest import TEST_CONFIG
from tests.fuzz.harness import (
    Body,
    Visit,
    bodies,
    learn_form,
    post_endpoints,
    same_form,
    same_site,
    shows_a_message,
    sweep,
)

# Some forms answer a good POST with their next step, which is the same form again.
MULTI_STEP = {"public.report"}


def _post_endpoints() -> list[str]:
    return post_endpoints(create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"}))


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", _post_endpoints())
def test_malformed_posts_never_fail_the_server(
    endpoint: str,
    app: Flask,
    client: FlaskClient,
    found: Visit,
) -> None:
    spec = learn_form(client, found)

    @given(body=bodies(spec, found.good))
    def post(body: Body) -> None:
        found.sign_in()
        with app.app_context():
            limiter.reset()
        data, content_type = body.encode()
        note(body.describe())
        response = client.post(found.url, data=data, content_type=content_type)
        sent_back = response.get_data()  # read to the end: a document is made as it is sent
        page = sent_back.decode() if response.mimetype == "text/html" else ""
        status = response.status_code
        assert status < 500, page[:3000]
        if status == 400:
            assert shows_a_message(page), page[:3000]
        if status == 200 and endpoint not in MULTI_STEP and same_form(page, spec):
            assert shows_a_message(page), page[:3000]
        location = response.headers.get("Location", "")
        if 300 <= status < 400 and same_site(location):
            shown = client.get(location)
            shown.get_data()
            assert shown.status_code < 500, location

    for body in sweep(spec, found.good):
        post = example(body=body)(post)
    post()


def test_every_post_endpoint_is_fuzzed(app: Flask) -> None:
    """The list above is read from the URL map, so a new form is fuzzed without a change
    here; this checks the list is not empty by mistake."""
    assert {"sightings.create", "public.report", "auth.login"} <= set(post_endpoints(app))
