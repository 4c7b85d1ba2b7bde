"""PUBLIC_REPORT_LIMIT counts sent reports per hashed address, and with Redis every app
process shares the count."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from sqlalchemy import func, select

from partnership.extensions import db
from partnership.public.models import PublicReport
from tests.conftest import fix_clock
from tests.public.helpers import DESCRIPTION, NOW, answers, at_step

REDIS_URL = "redis://127.0.0.1:6379/14"
CANARY_AGENT = "canary-agent-5f1c9"
TOO_MANY = "Too many reports have been sent from this connection in the last hour"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_clock(monkeypatch, NOW, "partnership.public.views")


def count_reports(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(PublicReport.id))) or 0)


def test_after_the_limit_the_next_send_gets_a_kind_429_that_keeps_the_report(
    app: Flask,
    other_app: Callable[..., Flask],
) -> None:
    limited = other_app(PUBLIC_REPORT_LIMIT="2 per hour")
    client = limited.test_client()
    environ = {"REMOTE_ADDR": "198.51.100.40"}
    # Moving between steps and refused sends do not count.
    for step in range(1, 6):
        assert (
            client.post("/safety/report", data=at_step(step), environ_base=environ).status_code
            == 200
        )
    for _attempt in range(3):
        honeypot = client.post("/safety/report", data=answers(website="x"), environ_base=environ)
        assert honeypot.status_code == 400
    for _sent in range(2):
        assert (
            client.post("/safety/report", data=answers(), environ_base=environ).status_code == 200
        )
    typed = "Third report: he grabbed my arm outside the club"
    response = client.post("/safety/report", data=answers(description=typed), environ_base=environ)
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert TOO_MANY in body
    assert "Your report has not been sent yet" in body
    assert "call 101" in body
    assert f'value="{typed}"' in body
    assert 'name="step" value="6"' in body
    assert count_reports(limited) == 2
    # Another connection is counted on its own.
    other = client.post(
        "/safety/report", data=answers(), environ_base={"REMOTE_ADDR": "198.51.100.41"}
    )
    assert other.status_code == 200
    assert count_reports(limited) == 3


def test_a_second_tap_on_a_sent_report_does_not_count(
    app: Flask, other_app: Callable[..., Flask]
) -> None:
    limited = other_app(PUBLIC_REPORT_LIMIT="1 per hour")
    client = limited.test_client()
    data = answers()
    assert client.post("/safety/report", data=dict(data)).status_code == 200
    again = client.post("/safety/report", data=dict(data))
    assert again.status_code == 200
    assert "Your reference" in again.get_data(as_text=True)
    assert count_reports(limited) == 1


WORKER = """
import sys
from werkzeug.serving import make_server
from partnership import create_app
from partnership.extensions import db
app = create_app({
    "TESTING": True, "WTF_CSRF_ENABLED": False, "DATABASE_URL": sys.argv[1],
    "REDIS_URL": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3],
    "PUBLIC_REPORT_LIMIT": "3 per hour", "SECRET_KEY": "shared-secret-" + "x" * 40,
})
with app.app_context():
    db.create_all()
server = make_server("127.0.0.1", 0, app)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture
def redis_prefix() -> Iterator[tuple[redis.Redis, str]]:
    server = redis.Redis.from_url(REDIS_URL)
    assert server.ping(), "Redis must listen on 127.0.0.1:6379 for this test"
    prefix = f"public-test-{uuid.uuid4().hex}"
    yield server, prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()


def start_worker(database: str, prefix: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, database, REDIS_URL, prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.strip().isdigit(), "the worker did not start"
    return process, int(line)


def post(port: int, data: dict[str, object]) -> tuple[int, str]:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/safety/report",
        data=body,
        method="POST",
        headers={"User-Agent": CANARY_AGENT},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
def test_two_app_processes_share_one_count_through_redis(
    tmp_path: Path, redis_prefix: tuple[redis.Redis, str]
) -> None:
    server, prefix = redis_prefix
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    workers = []
    try:
        workers.append(start_worker(database, prefix))
        workers.append(start_worker(database, prefix))
        ports = [port for _process, port in workers]
        results = [post(ports[n % 2], answers(when="last_night")) for n in range(5)]
    finally:
        for process, _port in workers:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
    codes = [code for code, _body in results]
    # Three sends in all, alternating between the processes; then both refuse.
    assert codes == [200, 200, 200, 429, 429]
    assert TOO_MANY in results[3][1] and TOO_MANY in results[4][1]
    assert DESCRIPTION in results[4][1]
    keys = [key.decode() for key in server.scan_iter(f"*{prefix}*")]
    assert keys, "the count is in Redis"
    for key in keys:
        assert "127.0.0.1" not in key and CANARY_AGENT not in key
    # One counter for both processes: every send was counted, three were let through.
    assert [server.get(key) for key in keys] == [b"5"]
