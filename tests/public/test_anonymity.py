"""Nothing about who sent a report is kept: not in the database, the logs, the rate-limit
store or cookies. Canary values are sent as the address and browser of a full report."""

from __future__ import annotations

import hashlib
import logging
import threading
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.serving import make_server

from partnership.core import privacy
from partnership.extensions import db, limiter
from tests.conftest import fix_clock
from tests.factories import jpeg_bytes
from tests.public.helpers import NOW, answers, at_step, photo

CANARY_AGENT = "canary-agent-5f1c9"
FORWARDED = "203.0.113.77"
REMOTE = "198.51.100.23"
CANARIES = (CANARY_AGENT, FORWARDED, REMOTE)
HEADERS = {"User-Agent": CANARY_AGENT, "X-Forwarded-For": FORWARDED}


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_clock(monkeypatch, NOW, "partnership.public.views")


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return repr(value)


def every_value(app: Flask) -> Iterator[tuple[str, str]]:
    """(table, value as text) for every column of every row of every table."""
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                for value in row:
                    yield table.name, _text(value)


def limiter_store_contents() -> str:
    storage = limiter.storage
    parts = [repr(getattr(storage, name, {})) for name in ("storage", "expirations", "events")]
    return "\n".join(parts)


def canary_photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = CANARY_AGENT  # the camera maker: must not survive either
    exif[0x0110] = REMOTE
    return jpeg_bytes((320, 240), exif=exif)


def send_everything(client: FlaskClient) -> list[Any]:
    """Every page of a report, step by step, then sending it with a photo."""
    environ = {"REMOTE_ADDR": REMOTE}
    responses = [client.get("/safety", headers=HEADERS, environ_base=environ)]
    responses.append(client.get("/safety/report", headers=HEADERS, environ_base=environ))
    for step in range(1, 6):
        responses.append(
            client.post("/safety/report", data=at_step(step), headers=HEADERS, environ_base=environ)
        )
    data = answers(photo=photo(canary_photo()), wants_contact="no")
    responses.append(
        client.post("/safety/report", data=data, headers=HEADERS, environ_base=environ)
    )
    return responses


def test_no_address_or_browser_is_kept_anywhere(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    responses = send_everything(client)
    assert [r.status_code for r in responses] == [200] * len(responses)
    assert "Your reference" in responses[-1].get_data(as_text=True)
    # The development server's access-log line, as werkzeug writes it, through the filter.
    logging.getLogger("werkzeug").info(
        f'{REMOTE} - - [27/Nov/2026 14:00:00] "%s" %s %s',
        "POST /safety/report HTTP/1.1",
        "200",
        "-",
    )

    values = list(every_value(app))
    tables = {table for table, _value in values}
    assert {"public_reports", "public_report_photos", "audit_events"} <= tables  # real data
    for table, value in values:
        for canary in CANARIES:
            assert canary not in value, (table, canary)

    assert '"POST /safety/report HTTP/1.1" 200' in caplog.text  # the line was captured
    for canary in CANARIES:
        assert canary not in caplog.text

    store = limiter_store_contents()
    with app.test_request_context(environ_base={"REMOTE_ADDR": REMOTE}):
        key = privacy.hashed_address()
    assert key in store  # the report was counted, under the hashed key
    for canary in CANARIES:
        assert canary not in store

    for response in responses:
        for cookie in response.headers.getlist("Set-Cookie"):
            assert cookie.startswith("partnership_session="), cookie


def test_the_development_servers_access_log_has_no_address(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_port}/safety"
    with urllib.request.urlopen(address, timeout=10) as response:
        assert response.status == 200
    thread.join(timeout=10)
    server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /safety HTTP/1.1" 200' in line for line in lines), lines
    assert not any("127.0.0.1 - -" in line for line in lines), lines
    assert any(line.startswith("- - - [") for line in lines), lines


def test_the_rate_limit_key_is_a_daily_hash_not_the_address(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = fix_clock(
        monkeypatch, datetime(2026, 11, 27, 23, 59, tzinfo=UTC), "partnership.core.privacy"
    )
    with app.test_request_context(environ_base={"REMOTE_ADDR": REMOTE}):
        today = privacy.hashed_address()
        again = privacy.hashed_address()
        clock.now += timedelta(minutes=2)  # past midnight UTC
        tomorrow = privacy.hashed_address()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.24"}):
        clock.now -= timedelta(minutes=2)
        neighbour = privacy.hashed_address()
    assert today == again
    assert len(today) == 32 and int(today, 16) >= 0
    assert REMOTE not in today
    assert today != hashlib.sha256(REMOTE.encode()).hexdigest()[:32]  # keyed, not a bare hash
    assert today != tomorrow
    assert today != neighbour


def test_the_limiter_uses_the_hashed_key_for_every_limit() -> None:
    assert limiter._key_func is privacy.hashed_address


@pytest.mark.parametrize(("proxies", "distinct"), [(0, 1), (1, 2)])
def test_only_trusted_proxies_name_the_client(
    other_app: Callable[..., Flask], proxies: int, distinct: int
) -> None:
    """Behind PROXY_COUNT trusted proxies, the rate-limit key comes from the address the
    proxy forwarded; with none, a visitor's own X-Forwarded-For changes nothing."""
    app = other_app(PROXY_COUNT=proxies)
    keys: list[str] = []

    @app.before_request
    def remember_key() -> None:
        keys.append(privacy.hashed_address())

    client = app.test_client()
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        client.get(
            "/safety",
            headers={"X-Forwarded-For": forwarded},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
    assert len(keys) == 2
    assert len(set(keys)) == distinct
