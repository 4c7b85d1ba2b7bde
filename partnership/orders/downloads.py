"""Orders: downloading the paperwork as PDF, for every order's views.

``?language=en|cy|cy_en`` chooses each document's language; without it the document is in
the portal language the user is reading; any other value answers 404. (Not ``?lang=``: that
switches the portal's own language, and printing a Welsh notice must leave the officer's
portal as it was.)
"""

from __future__ import annotations

from flask import Response

from partnership.core import i18n
from partnership.core.enums import DocumentLanguage
from partnership.core.exports import download


def asked_language() -> DocumentLanguage:
    """The language asked for with ``?language=``, else the portal's; 404 for anything
    else."""
    return i18n.asked_language(DocumentLanguage)


def pdf_download(pdf: bytes, reference: str, language: DocumentLanguage) -> Response:
    """``pdf`` as a download named by reference and language, never cached."""
    return download(pdf, f"{reference}-{language.value}.pdf", "application/pdf")
