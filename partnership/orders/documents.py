"""Orders: the paperwork's frame, shared by every order's documents. The Section 35 notice
handed to the person (``directions/documents.py``), the Section 34 authorisation record
(``authorisations/documents.py``), the partnership exclusion notice letter and the appeal
outcome letter (``notices/documents.py``) are each a PDF in English, Welsh, or both with
the Welsh first.

Each language version is rendered in its own locale (``force_locale``) from a template in
templates/orders/pdf/, and the versions are put in one document by
``orders/pdf/document.html`` through :func:`partnership.core.pdf.render_pdf`, whose
fetcher loads nothing but the embedded font and the images given here: the map, SVG
drawn from the stored shape (:func:`partnership.core.maps.draw_map`, vector paths in the
PDF), and the person's photo on a notice letter, where allowed. Every document produced is
a disclosure, so each leaves one ``<kind>.document_produced`` audit event (the kind of
order: direction, authorisation, notice) with the document, the language and the
reference (:func:`produced`); the view commits.

The Section 35 notice is handed over at the roadside, so it is kept to one page of plain
paragraphs in one font weight: bench/notice_pdf.py times it against a bare page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.enums import DocumentLanguage
from partnership.core.maps import MapDrawing
from partnership.core.pdf import image_url, render_pdf

# The map on a notice or record: the page's full width.
MAP_WIDTH_MM, MAP_HEIGHT_MM = 174, 52
# The locales of each document language, in the order they are printed.
LOCALES: dict[DocumentLanguage, tuple[str, ...]] = {
    DocumentLanguage.ENGLISH: ("en",),
    DocumentLanguage.WELSH: ("cy",),
    DocumentLanguage.BILINGUAL: ("cy", "en"),
}
FRAME = "orders/pdf/document.html"


@dataclass(frozen=True)
class Version:
    """One language's version of a document: its language, title and body."""

    lang: str
    title: str
    body: Markup


def _version_body(template: str, context: Mapping[str, Any]) -> Markup:
    """One version's body in the current locale, through the app's Jinja environment
    (autoescaped like any page) without the site's context processors, as render_pdf does."""
    body = current_app.jinja_env.get_template(template).render(
        image_url=image_url,
        service_name=current_app.config["SERVICE_NAME"],
        **context,
    )
    return Markup(body)  # noqa: S704 (an autoescaped template's output)


def produce(
    template: str,
    language: DocumentLanguage,
    title: Callable[[], str],
    images: Mapping[str, tuple[bytes, str]] | None = None,
    **context: Any,
) -> bytes:
    """``template`` as a PDF in ``language``: each locale's version rendered in that locale,
    Welsh first when bilingual, titled with each version's ``title()`` in turn. The whole
    document's language (``<html lang>``, the PDF's /Lang) is its first version's, and its
    page footer is in that language too."""
    versions: list[Version] = []
    for locale in LOCALES[language]:
        with force_locale(locale):
            versions.append(Version(locale, title(), _version_body(template, context)))
    first = versions[0].lang
    with force_locale(first):
        return render_pdf(
            FRAME,
            title=" / ".join(version.title for version in versions),
            lang=first,
            images=images,
            versions=versions,
        )


def map_image(drawing: MapDrawing) -> dict[str, tuple[bytes, str]]:
    """The map, for ``render_pdf``'s images: SVG, so it is drawn as vector paths. Given as
    an image rather than inline, WeasyPrint lays it out faster, and the one drawing (it has
    no words) serves every language version."""
    return {"map": (drawing.svg.encode(), "image/svg+xml")}


def produced(
    actor: User,
    kind: str,
    object_id: int,
    *,
    document: str,
    reference: str,
    language: DocumentLanguage,
    **details: Any,
) -> None:
    audit.record(
        f"{kind}.document_produced",
        actor=actor,
        object_type=kind,
        object_id=object_id,
        document=document,
        reference=reference,
        language=language.value,
        **details,
    )
