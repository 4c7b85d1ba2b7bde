"""Response headers that hold on every page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_login import current_user

from partnership.config import ConfigError


def tile_source(url: str) -> str | None:
    """The CSP source that lets a map load tiles from ``url``, a Leaflet URL template
    (None for a path on the portal's own host, which ``'self'`` already allows).

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` needs ``https://*.tile.example.org``;
    CSP allows a wildcard only as the first label of a host, so a placeholder anywhere
    else in the host is refused at start-up rather than silently blocked in browsers.
    """
    parts = urlsplit(url)
    if url.startswith("/") and not url.startswith("//"):
        return None
    labels = parts.netloc.rpartition("@")[2].split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    host = ".".join(labels)
    if parts.scheme not in ("http", "https") or not parts.hostname or "{" in host:
        raise ConfigError(
            "MAP_TILE_URL must be an http(s) URL template such as "
            "https://{s}.tile.example.org/{z}/{x}/{y}.png (a placeholder in the host "
            f"only in its first label), not {url!r}."
        )
    return f"{parts.scheme}://{host}"


def content_security_policy(config: Mapping[str, Any]) -> str:
    images = "img-src 'self' data:"
    tiles = tile_source(config["MAP_TILE_URL"]) if config.get("MAP_TILE_URL") else None
    if tiles:
        images += " " + tiles
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            images,
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(app: Flask) -> None:
    policy = content_security_policy(app.config)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        static = request.endpoint == "static"
        if not static and (current_user.is_authenticated or response.status_code >= 400):
            headers["Cache-Control"] = "no-store"
        elif not static:
            headers.setdefault("Cache-Control", "no-cache")
        return response
