"""Redis, when configured: short timeouts, so an outage or a hang costs a request well under a
second.

Redis holds what several app processes share (rate-limit counters; sessions when
``SESSION_STORE`` is ``redis``). It is optional at run time: when it is down or slow the
rate limiter counts in each process (see :mod:`partnership.config`), and the portal goes on.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

EXTENSION_KEY = "partnership.redis"


def options(config: dict[str, Any] | Any) -> dict[str, Any]:
    """Connection options for every Redis client of the portal: fail fast, never retry
    (a retry doubles the wait), and give up on a connection or answer after
    ``REDIS_TIMEOUT_SECONDS``."""
    timeout = float(config["REDIS_TIMEOUT_SECONDS"])
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry_on_timeout": False,
        "retry": Retry(NoBackoff(), 0),
        "health_check_interval": 0,
    }


def client(app: Flask) -> Redis:
    """The app's Redis client (one per app, sharing a connection pool)."""
    existing = app.extensions.get(EXTENSION_KEY)
    if existing is None:
        existing = Redis.from_url(app.config["REDIS_URL"], **options(app.config))
        app.extensions[EXTENSION_KEY] = existing
    return existing  # type: ignore[no-any-return]
