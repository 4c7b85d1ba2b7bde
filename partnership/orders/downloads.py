"""Orders: downloading the paperwork as PDF, for every order's views.

``?language=en|cy|cy_en`` chooses each document's language; without it the document is in
the portal language the user is reading; any other value answers 404. (Not ``?lang=``: that
switches the portal's own language, and printing a Welsh notice must leave the officer's
portal as it was.)
"""

from __future__ import annotations

from flask import Response, abort, request
from flask_babel import get_locale

from partnership.core.enums import DocumentLanguage


def asked_language() -> DocumentLanguage:
    """The language asked for with ``?language=``, else the portal's; 404 for anything
    else."""
    asked = request.args.get("language")
    if asked is None:
        return DocumentLanguage(str(get_locale()))
    try:
        return DocumentLanguage(asked)
    except ValueError:
        abort(404)


def pdf_download(pdf: bytes, reference: str, language: DocumentLanguage) -> Response:
    """``pdf`` as a download named by reference and language, never cached."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{reference}-{language.value}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
