"""PDF documents: Welsh letters, metadata, the page footer, and a URL fetcher that loads
nothing but the embedded font and the images the caller hands over."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import urllib.request

import pytest
from flask import Flask
from flask_babel import force_locale
from jinja2 import ChoiceLoader, DictLoader
from PIL import Image, ImageFile
from pypdf import PdfReader

from partnership.core import pdf
from partnership.core.pdf import ResourceRefused, Resources, render_pdf
from tests.conftest import RecordingServer
from tests.factories import jpeg_bytes

DOCUMENT = """{% extends "pdf/_base.html" %}{% block content %}
<h1>{{ heading }}</h1>
<p>{{ user_text }}</p>
{% for line in lines %}<p>{{ line }}</p>{% endfor %}
{% endblock %}"""

# Markup a template author might write by mistake: every address must be refused.
HOSTILE = """{% extends "pdf/_base.html" %}{% block content %}
<style>@import url("http://127.0.0.1:{{ port }}/imported.css"); @import "file:///etc/passwd";</style>
<link rel="stylesheet" href="http://127.0.0.1:{{ port }}/linked.css">
<h1>Hostile</h1>
<img src="file:///etc/passwd" alt="">
<img src="http://127.0.0.1:{{ port }}/image.png" alt="">
<img src="data:image/png;base64,{{ png }}" alt="">
<img src="portal-pdf:image/not-given" alt="">
<img src="portal-pdf:font/../../../etc/passwd" alt="">
<img src="relative.png" alt="">
<p style="background: url('http://127.0.0.1:{{ port }}/background.png')">Styled</p>
{% endblock %}"""

PHOTO = """{% extends "pdf/_base.html" %}{% block content %}
<h1>Photo</h1><img src="{{ image_url('photo-1') }}" alt="">
{% endblock %}"""


@pytest.fixture
def templates(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """This file's documents, beside the app's own templates, for this test only."""
    loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "tests/document.html": DOCUMENT,
                    "tests/hostile.html": HOSTILE,
                    "tests/photo.html": PHOTO,
                }
            ),
            app.jinja_env.loader,  # type: ignore[list-item]
        ]
    )
    monkeypatch.setattr(app.jinja_env, "loader", loader)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def document(app: Flask, locale: str = "en", **context: object) -> bytes:
    values: dict[str, object] = {"heading": "Heading", "user_text": "", "lines": []}
    values.update(context)
    with app.test_request_context(), force_locale(locale):
        return render_pdf(
            "tests/document.html", title="A test document: one", lang=locale, **values
        )


def text_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def image_count(data: bytes) -> int:
    """Distinct images (pypdf lists an image shared by the pages under each of them)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return len({image.data for page in pages for image in page.images})


@pytest.mark.usefixtures("templates")
def test_welsh_letters_survive_in_the_embedded_font(app: Flask) -> None:
    data = document(app, heading="Dŵr a thŷ: ŵ ŷ Ŵ Ŷ")
    (page,) = text_of(data)
    assert "Dŵr a thŷ: ŵ ŷ Ŵ Ŷ" in page
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    # Named after the @font-face family: the font our fetcher served, not a system one.
    assert names and all("+Portal-Sans" in name for name in names), names


@pytest.mark.usefixtures("templates")
def test_the_title_and_language_are_set(app: Flask) -> None:
    for locale in ("en", "cy"):
        reader = PdfReader(io.BytesIO(document(app, locale)))
        assert reader.metadata is not None
        assert reader.metadata.title == "A test document: one"
        assert reader.trailer["/Root"]["/Lang"] == locale


@pytest.mark.usefixtures("templates")
def test_every_page_says_page_x_of_y(app: Flask) -> None:
    pages = text_of(document(app, lines=[f"Line {number}" for number in range(150)]))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "A test document: one" in text


def test_the_footer_is_one_translated_sentence_with_the_counters(app: Flask) -> None:
    with app.test_request_context():
        assert pdf.page_of_pages() == '"Page " counter(page) " of " counter(pages)'
    assert pdf.css_string('a"b</style> c') == '"a\\22 b\\3c \\2f style\\3e  c"'


def test_only_the_fonts_and_the_images_given_are_served() -> None:
    photo = jpeg_bytes((40, 30), "blue")
    resources = Resources(images={"photo-1": (photo, "image/jpeg")})
    assert resources.resolve("portal-pdf:image/photo-1") == (photo, "image/jpeg")
    regular, media_type = resources.resolve("portal-pdf:font/regular")
    assert media_type == "font/ttf" and regular[:4] == b"\x00\x01\x00\x00"
    assert resources.resolve("portal-pdf:font/bold")[0] != regular
    refused = [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.org/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.org/x",
        "portal-pdf:image/photo-2",
        "portal-pdf:font/../../etc/passwd",
        "portal-pdf:font/italic",
        "portal-pdf://127.0.0.1/font/regular",
        "relative.png",
        "/etc/passwd",
    ]
    for url in refused:
        with pytest.raises(ResourceRefused):
            resources.resolve(url)
    assert resources.refused == refused
    not_an_image = Resources(images={"photo-1": (b"<svg/>", "text/html")})
    with pytest.raises(ResourceRefused):
        not_an_image.resolve("portal-pdf:image/photo-1")


@pytest.mark.usefixtures("templates")
def test_a_document_loads_nothing_from_files_the_network_or_data_urls(
    app: Flask, server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    import base64

    port = server.server_address[1]
    caplog.set_level(logging.WARNING, logger="partnership.core.pdf")
    with app.test_request_context():
        data = render_pdf(
            "tests/hostile.html",
            title="Hostile",
            lang="en",
            port=port,
            png=base64.b64encode(png()).decode(),
        )
    (page,) = text_of(data)
    assert "Hostile" in page and "Styled" in page
    assert "root:" not in page
    assert image_count(data) == 0
    assert server.seen == []
    refused = {record.args[0] for record in caplog.records if record.name == pdf.logger.name}  # type: ignore[index]
    base = f"http://127.0.0.1:{port}"
    assert {
        f"{base}/imported.css",
        f"{base}/linked.css",
        f"{base}/image.png",
        f"{base}/background.png",
        "file:///etc/passwd",
        "portal-pdf:image/not-given",
    } <= refused
    assert any(url.startswith("data:image/png") for url in refused)
    # The server was there all along: a plain request reaches it.
    with urllib.request.urlopen(f"{base}/probe", timeout=5) as response:  # noqa: S310
        assert response.status == 200
    assert server.seen == ["/probe"]


@pytest.mark.usefixtures("templates")
def test_text_a_user_typed_is_printed_not_obeyed(
    app: Flask, server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    port = server.server_address[1]
    typed = (
        '<img src="file:///etc/passwd"> <style>@import url(http://127.0.0.1:'
        f"{port}/x.css);</style> <link rel=stylesheet href=http://127.0.0.1:{port}/y.css>"
    )
    caplog.set_level(logging.WARNING, logger="partnership.core.pdf")
    data = document(app, heading=typed, user_text=f"@import url(http://127.0.0.1:{port}/x.css)")
    (page,) = text_of(data)
    assert '<img src="file:///etc/passwd">' in page
    assert f"@import url(http://127.0.0.1:{port}/x.css)" in page
    assert image_count(data) == 0
    assert server.seen == []
    assert [r for r in caplog.records if r.name == pdf.logger.name] == []  # nothing even tried


@pytest.mark.usefixtures("templates")
def test_images_the_caller_gives_are_embedded(app: Flask) -> None:
    with app.test_request_context():
        data = render_pdf(
            "tests/photo.html",
            title="Photo",
            lang="en",
            images={"photo-1": (jpeg_bytes((40, 30), "blue"), "image/jpeg")},
        )
        without = render_pdf("tests/photo.html", title="Photo", lang="en")
    assert image_count(data) == 1
    assert image_count(without) == 0


def test_weasyprint_is_imported_only_when_a_document_is_drawn() -> None:
    code = (
        "import sys\n"
        "from partnership import create_app\n"
        "create_app({'TESTING': True, 'SECRET_KEY': 'x' * 64, 'DATABASE_URL': 'sqlite://'})\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported with the app'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.usefixtures("templates")
def test_drawing_a_document_leaves_pillow_strict_about_truncated_uploads(app: Flask) -> None:
    document(app)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
