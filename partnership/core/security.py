"""Response headers that hold on every page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request

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


def strict_transport_security(config: Mapping[str, Any]) -> str | None:
    """The HSTS header production sends (None: not sent)."""
    if config.get("ENVIRONMENT") != "production" or int(config.get("HSTS_MAX_AGE") or 0) <= 0:
        return None
    value = f"max-age={int(config['HSTS_MAX_AGE'])}"
    return value + "; includeSubDomains" if config.get("HSTS_INCLUDE_SUBDOMAINS") else value


def install(app: Flask) -> None:
    policy = content_security_policy(app.config)
    hsts = strict_transport_security(app.config)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if hsts:
            headers["Strict-Transport-Security"] = hsts
        # No page is kept by a browser or a proxy: nearly every one holds personal data, a
        # form token or a secret (a two-factor key, a set-password link), and the ones that
        # do not are cheap to draw again. Only the static files are cached.
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response
