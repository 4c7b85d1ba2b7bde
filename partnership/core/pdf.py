"""PDF documents: a Jinja template with its own print stylesheet, drawn by WeasyPrint.

Nothing in a document is fetched from outside: WeasyPrint asks :class:`Resources` for
every URL it meets (images, stylesheets, ``@import``, fonts), and only the embedded
fonts and the images the caller handed over are served, from memory. ``file:``,
``http(s):``, ``data:`` and anything else are refused, and WeasyPrint leaves the
resource out. The font is DejaVu Sans, read from Debian's ``fonts-dejavu-core`` files
by the fetcher itself, so every machine draws the same glyphs (Welsh ŵ and ŷ included)
whatever its fontconfig holds.

WeasyPrint takes about half a second to import, so it is imported on the first
document a process draws, not when the app starts.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app

from partnership.core.catalogue import gettext as _

logger = logging.getLogger(__name__)

# Debian's fonts-dejavu-core.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
# The private scheme of everything a document may load; nothing else is served.
SCHEME = "portal-pdf"
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,80}")
PRINT_STYLESHEET = "pdf/print.css"
PAGE_STYLESHEET = "pdf/page.css"
_IMPORTING = threading.Lock()
# Per worker thread: WeasyPrint's font configuration with the embedded fonts loaded, and the
# print stylesheet parsed. Loading and parsing them is a third of a short document's time.
_PER_THREAD = threading.local()


class ResourceRefused(ValueError):
    """A URL a document asked for that is not on the allow-list."""


def font_url(name: str) -> str:
    """The URL of an embedded font (``regular`` or ``bold``), for the print stylesheet."""
    return f"{SCHEME}:font/{name}"


def image_url(key: str) -> str:
    """The URL a template gives an image the caller passed as ``images={key: ...}``."""
    return f"{SCHEME}:image/{key}"


@cache
def _font(name: str) -> bytes:
    return (FONT_DIR / FONT_FILES[name]).read_bytes()


def check_fonts() -> None:
    """Fail loudly, naming the package, if the embedded fonts cannot be read."""
    try:
        for name in FONT_FILES:
            _font(name)
    except OSError as error:
        raise RuntimeError(
            f"PDF fonts missing: install Debian's fonts-dejavu-core ({FONT_DIR})"
        ) from error


@dataclass
class Resources:
    """What one document may load: the fonts, and the images passed in (bytes and type).

    :meth:`resolve` is the allow-list; every URL it refuses is remembered in
    ``refused`` and logged, so a refusal is never silent to the operator.
    """

    images: Mapping[str, tuple[bytes, str]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def resolve(self, url: str) -> tuple[bytes, str]:
        """The bytes and media type behind ``url``; :class:`ResourceRefused` otherwise."""
        scheme, _sep, rest = url.partition(":")
        kind, _slash, key = rest.partition("/")
        if scheme == SCHEME and _KEY.fullmatch(key):
            if kind == "font" and key in FONT_FILES:
                return _font(key), "font/ttf"
            if kind == "image" and key in self.images:
                data, media_type = self.images[key]
                if media_type.startswith("image/"):
                    return data, media_type
        self.refused.append(url)
        logger.warning("PDF resource refused: %.200s", url)
        raise ResourceRefused(f"not an embedded resource: {url[:200]}")


@cache
def _weasyprint() -> Any:
    """The weasyprint module and a fetcher class built on it, imported once per process."""
    from PIL import ImageFile

    with _IMPORTING, warnings.catch_warnings():
        # Without Debian's libharfbuzz-subset0, WeasyPrint subsets fonts with fontTools
        # and warns that a future version will need the library: the PDF is the same.
        warnings.filterwarnings(
            "ignore", message="HarfBuzz-Subset will be required", category=DeprecationWarning
        )
        import weasyprint
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        # Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES, which
        # would let truncated uploads through partnership.core.uploads: back to the default.
        ImageFile.LOAD_TRUNCATED_IMAGES = False

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        """WeasyPrint's fetcher with every network and file handler out of reach: each
        URL goes to :meth:`Resources.resolve`. A refusal raises a plain exception, which
        WeasyPrint catches and logs, then draws the document without that resource."""

        def __init__(self, resources: Resources) -> None:
            super().__init__(
                timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False
            )
            self.resources = resources

        def fetch(self, url: str, headers: Any = None) -> Any:
            data, media_type = self.resources.resolve(url)
            return URLFetcherResponse(url, data, {"Content-Type": media_type})

    return weasyprint, SafeFetcher


def make_fetcher(resources: Resources) -> Any:
    """A WeasyPrint URL fetcher that serves ``resources`` and refuses everything else."""
    _module, fetcher_class = _weasyprint()
    return fetcher_class(resources)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: anything but letters, digits and spaces is
    written as a hex escape, so no text can end the string or the rule. (The space
    after each escape ends it and is not part of the text.)"""
    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):x} " for char in text
    )
    return f'"{escaped}"'


def page_of_pages() -> str:
    """The running footer "Page X of Y", translated, as a CSS ``content`` value: the
    translated sentence with its two placeholders replaced by the page counters."""
    page, pages = "\ue000", "\ue001"  # private-use marks no translation contains
    sentence = _("Page %(page)s of %(pages)s", page=page, pages=pages)
    parts: list[str] = []
    for piece in re.split(f"([{page}{pages}])", sentence):
        if piece == page:
            parts.append("counter(page)")
        elif piece == pages:
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def _render(template: str, **context: Any) -> str:
    """A template through the app's Jinja environment (its filters, ``_`` and autoescaping
    of ``.html``) but without the site's context processors: a document needs no
    navigation or request, so it can be drawn from the command line too."""
    return current_app.jinja_env.get_template(template).render(**context)


def _print_stylesheet(weasyprint: Any) -> tuple[Any, Any]:
    """This thread's font configuration, with the embedded fonts, and the parsed print
    stylesheet; made on the thread's first document. The fonts are fetched through a
    fetcher that serves nothing else."""
    made = getattr(_PER_THREAD, "print", None)
    if made is None:
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = weasyprint.CSS(
            string=_render(PRINT_STYLESHEET, font_url=font_url),
            base_url=None,
            url_fetcher=make_fetcher(Resources()),
            font_config=font_config,
        )
        made = _PER_THREAD.print = (font_config, css)
    return made


def render_pdf(
    template: str,
    *,
    title: str,
    lang: str,
    images: Mapping[str, tuple[bytes, str]] | None = None,
    **context: Any,
) -> bytes:
    """Render ``template`` (which extends ``pdf/_base.html``) to PDF bytes.

    Guarantees: the document's title and language metadata are ``title`` and ``lang``
    (``<html lang>`` too); it uses only the print stylesheet ``pdf/print.css``, never
    the site's; the text is in DejaVu Sans, embedded; every page has the translated
    footer "Page X of Y"; the only resources it can load are that font and ``images``
    (``{key: (bytes, media type)}``, shown with ``<img src="{{ image_url(key) }}">``).
    Text comes from the template and its context, escaped as in any page. Strings are
    translated in the current locale (wrap in ``force_locale`` for another one).
    """
    check_fonts()
    weasyprint, _fetcher_class = _weasyprint()
    font_config, print_css = _print_stylesheet(weasyprint)
    resources = Resources(images=dict(images or {}))
    fetcher = make_fetcher(resources)
    html = _render(
        template,
        title=title,
        lang=lang,
        image_url=image_url,
        service_name=current_app.config["SERVICE_NAME"],
        **context,
    )
    page_css = _render(PAGE_STYLESHEET, footer=page_of_pages(), title=css_string(title))
    # No base URL: a relative address in a template resolves to nothing at all.
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    page = weasyprint.CSS(string=page_css, base_url=None, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[print_css, page], font_config=font_config)
    return pdf
