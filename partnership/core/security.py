"""Response headers that hold on every page."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user


def content_security_policy() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(app: Flask) -> None:
    policy = content_security_policy()

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
