"""Choosing the language of each request, and showing moments in Europe/London."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import TypeVar

from babel import Locale
from babel.dates import LC_TIME, parse_pattern
from flask import Flask, Response, abort, flash, g, has_request_context, request, session
from flask_babel import format_date, get_locale
from flask_login import current_user

from partnership.core import enums
from partnership.core.catalogue import gettext as _
from partnership.core.catalogue import translations
from partnership.core.enums import LOCALES
from partnership.core.nights import to_local

LANGUAGE_COOKIE = "partnership_lang"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600

_Language = TypeVar("_Language", bound=Enum)


def select_locale() -> str:
    """``?lang=``, then this browser's choice, then the user's, then Accept-Language."""
    if not has_request_context():  # command line: English
        return "en"
    asked = request.args.get("lang")
    if asked in LOCALES:
        return asked
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return str(current_user.locale)
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LOCALES:
        return str(remembered)
    return request.accept_languages.best_match(LOCALES) or "en"


def install(app: Flask) -> None:
    """Translate templates through :func:`translations`, and copy the language chosen in
    the session to a cookie of its own, so the pages shown when the session store is down
    are still in the reader's language. It holds "en" or "cy" and nothing else."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        newstyle=True,
    )

    @app.after_request
    def remember_language(response: Response) -> Response:
        if getattr(session, "unavailable", False):
            return response
        chosen = session.get("lang")
        if chosen in LOCALES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
            response.set_cookie(
                LANGUAGE_COOKIE,
                str(chosen),
                max_age=LANGUAGE_COOKIE_SECONDS,
                secure=bool(app.config["SESSION_COOKIE_SECURE"]),
                httponly=True,
                samesite="Lax",
            )
        return response


def remember_query_language() -> None:
    """``before_request``: a valid ``?lang=`` sticks for the session; a bad one is explained."""
    asked = request.args.get("lang")
    if asked is None:
        return
    if asked in LOCALES:
        session["lang"] = asked
    elif not g.get("bad_lang_flashed"):
        g.bad_lang_flashed = True
        flash(_("That language is not available. Choose English or Cymraeg."), "error")


def local_date(day: date | None, pattern: str = "EEEE d MMMM yyyy") -> str:
    """A calendar date (a night's name) in the request's language."""
    if day is None:
        return ""
    return str(format_date(day, pattern))


def label_of(code: str, enum_name: str) -> str:
    """The translated label of a stored code, for templates: ``code|label_of("Behaviour")``."""
    enum = getattr(enums, enum_name)
    try:
        return str(enum(code).label)
    except ValueError:
        return code


def local_datetime(moment: datetime | None, pattern: str = "d MMMM yyyy, HH:mm") -> str:
    """A UTC moment (naive ones read as UTC) as Europe/London time, in the request's
    language. Babel's pattern is parsed once and applied to the London time directly: the
    same text as Flask-Babel's ``format_datetime``, at a third of its cost, which counts on
    pages listing many moments."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    locale = get_locale() or Locale.parse(LC_TIME)  # outside a request, as Babel would
    return str(parse_pattern(pattern).apply(to_local(aware), locale))


def asked_language(languages: type[_Language]) -> _Language:
    """The language of ``languages`` a document was asked for in with ``?language=``, else
    the portal language the user is reading; 404 for anything else. (Not ``?lang=``: that
    switches the portal's own language, and printing a Welsh document must leave the user's
    portal as it was.)"""
    asked = request.args.get("language")
    if asked is None:
        return languages(str(get_locale()))
    try:
        return languages(asked)
    except ValueError:
        abort(404)
