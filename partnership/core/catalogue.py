"""The request's message catalogue: ``gettext`` and ``ngettext`` for the portal's code and
templates.

Flask-Babel finds the catalogue through Flask's context proxies three times for every
message, and a page translates a hundred or more (labels, headings, each row's
behaviours): about a tenth of a list page's time. The portal keeps the catalogue on the
request's ``g`` beside the locale it is for, and asks Flask-Babel again only when that
locale changed (``refresh()`` after choosing a language, ``force_locale`` for a document
in the other language). Flask-Babel still chooses the locale and finds the catalogue.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from babel.support import NullTranslations
from flask.globals import _cv_app


def translations() -> NullTranslations:
    """This request's catalogue (outside a request, Flask-Babel's answer: none)."""
    context = _cv_app.get(None)
    if context is None:
        outside: NullTranslations = flask_babel.get_translations()
        return outside
    state = context.g.__dict__
    cached = state.get("_portal_translations")
    babel_state = state.get("_flask_babel")
    locale = getattr(babel_state, "babel_locale", None)
    if cached is not None and locale is not None and cached[0] is locale:
        found: NullTranslations = cached[1]
        return found
    found = flask_babel.get_translations()
    # Asking for the catalogue chose the locale: remember which one it is for.
    state["_portal_translations"] = (getattr(state["_flask_babel"], "babel_locale", None), found)
    return found


def gettext(string: str, **variables: Any) -> str:
    """``string`` in the request's language, with ``variables`` put in (as Flask-Babel's)."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The form of ``singular``/``plural`` for ``num`` in the request's language, with
    ``num`` and ``variables`` put in (as Flask-Babel's)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables
