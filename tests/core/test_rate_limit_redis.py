"""With Redis configured, every worker counts failed sign-ins against one shared limit."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/15"

WORKER = """
import json, os, sys
from partnership import create_app
from partnership.extensions import db
app = create_app({
    "TESTING": True, "WTF_CSRF_ENABLED": False, "DATABASE_URL": sys.argv[1],
    "REDIS_URL": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3],
    "SECRET_KEY": "x" * 40, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
})
with app.app_context():
    db.create_all()
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = "203.0.113.50"
codes = [
    client.post("/auth/login", data={"email": f"w{n}@x.org", "password": "guess"}).status_code
    for n in range(int(sys.argv[4]))
]
storage = type(app.extensions["limiter"].pop().storage).__name__
print(json.dumps({"codes": codes, "storage": storage}))
"""


def run_worker(database: str, prefix: str, attempts: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, database, REDIS_URL, prefix, str(attempts)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_two_workers_share_the_address_limit_through_redis(tmp_path: Path) -> None:
    server = redis.Redis.from_url(REDIS_URL)
    assert server.ping(), "Redis must listen on 127.0.0.1:6379 for this test"
    prefix = f"test-{uuid.uuid4().hex}"
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    try:
        first = run_worker(database, prefix, 12)
        second = run_worker(database, prefix, 12)
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
    assert first["storage"] == "RedisStorage"
    assert first["codes"] == [200] * 12
    # The limit is 20 per address: the second worker sees the first one's failures.
    assert second["codes"] == [200] * 8 + [429] * 4
