"""Uploaded photos: judged by content, refused with a clear message, stored without metadata.

Every image is made here with Pillow (no binary fixtures); the pixel bombs are PNGs written by
hand, since Pillow would have to allocate the pixels to save one.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import warnings
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, render_template_string
from PIL import Image, ImageCms, ImageFile, TiffImagePlugin

from partnership import create_app
from partnership.core.uploads import ALLOWED, CleanImage, UploadRejected, clean_image

MB = 1024 * 1024
LIMITS: dict[str, Any] = {"max_bytes": 8 * MB, "max_pixels": 40_000_000}

# Tags of the camera EXIF and its GPS IFD.
MAKE, MODEL, DATETIME, ORIENTATION, GPS_IFD = 0x010F, 0x0110, 0x0132, 0x0112, 0x8825
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4
# Seconds of latitude as stored: a rational easy to find among the file's bytes.
LATITUDE_SECONDS = TiffImagePlugin.IFDRational(40123, 1000)
COMMENT = b"Taken on the door team's phone at The Anchor"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
    b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
    b' xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,28.6687N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


@pytest.fixture(scope="module")
def message_app() -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40})


def encoded(image: Image.Image, fmt: str, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def photo(size: tuple[int, int] = (64, 48), seed: int = 1) -> Image.Image:
    """Noise, so that encoded files have some substance to cut short."""
    width, height = size
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(width * height * 3))


def clean(data: bytes, filename: str, **limits: Any) -> CleanImage:
    return clean_image(io.BytesIO(data), filename, **{**LIMITS, **limits})


def refusal(app: Flask, data: bytes, filename: str, **limits: Any) -> str:
    """The message shown to the user, in English."""
    with pytest.raises(UploadRejected) as caught:
        clean(data, filename, **limits)
    with app.test_request_context():
        return str(caught.value.message)


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    pixel = image.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    red, green, blue = (int(channel) for channel in pixel)
    return red, green, blue


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while True:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length


def png_declaring(width: int, height: int) -> bytes:
    """A valid, all-black bilevel PNG: tiny on disk, ``width * height`` pixels once decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" + bytes((width + 7) // 8)  # filter type 0, then the packed bits
    compressor = zlib.compressobj(1)
    rows_at_once = 1000
    idat = [compressor.compress(row * rows_at_once) for _ in range(height // rows_at_once)]
    idat += [compressor.compress(row * (height % rows_at_once)), compressor.flush()]
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(idat))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int]]]:
    """The sizes of the images whose pixels Pillow decoded."""
    sizes: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    yield sizes


# Metadata


def camera_jpeg() -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[MODEL] = "Canon EOS 5D Mark IV"
    exif[DATETIME] = "2026:10:24 23:59:00"
    gps = exif.get_ifd(GPS_IFD)
    gps[GPS_LATITUDE_REF] = "N"
    gps[GPS_LATITUDE] = (51.0, 28.0, LATITUDE_SECONDS)
    gps[GPS_LONGITUDE_REF] = "W"
    gps[GPS_LONGITUDE] = (0.0, 7.0, 39.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encoded(
        photo(), "JPEG", exif=exif, icc_profile=icc, comment=COMMENT, xmp=XMP, quality=95
    )


def test_camera_and_location_data_are_not_kept() -> None:
    original = camera_jpeg()
    latitude_bytes = struct.pack(">LL", 40123, 1000)  # Pillow writes a JPEG's EXIF big-endian
    with Image.open(io.BytesIO(original)) as sent:  # the test photo carries it all
        assert sent.getexif()[MAKE] == "Canon"
        assert sent.getexif().get_ifd(GPS_IFD)[GPS_LATITUDE][2] == LATITUDE_SECONDS
        assert {"exif", "icc_profile", "comment", "xmp"} <= sent.info.keys()
    for needle in (b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"ICC_PROFILE", latitude_bytes):
        assert needle in original

    cleaned = clean(original, "IMG_0412.JPG")

    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.format == "JPEG"
        assert len(stored.getexif()) == 0
        assert not {"exif", "icc_profile", "comment", "xmp"} & stored.info.keys()
    for needle in (
        b"Exif\x00\x00",
        b"http://ns.adobe.com/xap",
        b"ICC_PROFILE",
        latitude_bytes,
        b"Canon",
        b"2026:10:24",
        COMMENT,
    ):
        assert needle not in cleaned.data
    # Header segments: the JFIF APP0 only; no APP1 (EXIF, XMP), APP2 (ICC) or COM.
    markers = jpeg_markers(cleaned.data)
    assert [m for m in markers if 0xE0 <= m <= 0xEF] == [0xE0]
    assert 0xFE not in markers


def test_the_bytes_sent_are_never_stored_as_they_are() -> None:
    original = encoded(photo(), "JPEG", quality=85)  # no metadata to strip: still re-encoded
    cleaned = clean(original, "photo.jpg")
    assert cleaned.data != original
    assert cleaned.content_type == "image/jpeg"


def test_a_photo_taken_sideways_is_stored_upright_without_the_orientation_tag() -> None:
    stored_sideways = Image.new("RGB", (60, 40), "blue")
    stored_sideways.paste((255, 0, 0), (0, 0, 30, 40))  # left half red
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: rotate 90 degrees clockwise to view
    cleaned = clean(encoded(stored_sideways, "JPEG", exif=exif, quality=95), "photo.jpg")

    assert (cleaned.width, cleaned.height) == (40, 60)
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.size == (40, 60)
        assert ORIENTATION not in stored.getexif()
        red, _, blue = rgb(stored, (20, 10))
        assert red > 200 and blue < 60  # what was on the left is now on top
        red, _, blue = rgb(stored, (20, 50))
        assert blue > 200 and red < 60


def test_corrupt_camera_data_does_not_stop_a_photo() -> None:
    broken_exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03\x00\x00"
    cleaned = clean(encoded(photo(), "JPEG", exif=broken_exif), "photo.jpg")
    assert b"Exif\x00\x00" not in cleaned.data


# What is accepted


@pytest.mark.parametrize(
    ("fmt", "filename"),
    [
        ("JPEG", "photo.jpg"),
        ("JPEG", "photo.jpeg"),
        ("JPEG", "IMG_0001.JPG"),
        ("PNG", "screenshot.png"),
        ("WEBP", "photo.webp"),
        ("MPO", "from-a-phone.jpg"),  # a JPEG with a second picture, as some cameras make
    ],
)
def test_each_accepted_kind_becomes_a_jpeg(fmt: str, filename: str) -> None:
    params: dict[str, Any] = {"save_all": True, "append_images": [photo(seed=2)]}
    cleaned = clean(encoded(photo(), fmt, **(params if fmt == "MPO" else {})), filename)

    assert cleaned.content_type == "image/jpeg"
    assert (cleaned.width, cleaned.height) == (64, 48)
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (64, 48))


def test_allowed_extensions() -> None:
    assert ALLOWED == {"jpeg": (".jpg", ".jpeg"), "png": (".png",), "webp": (".webp",)}


def test_sha256_is_of_the_stored_data_and_the_result_is_frozen() -> None:
    cleaned = clean(encoded(photo(), "PNG"), "photo.png")
    assert cleaned.sha256 == hashlib.sha256(cleaned.data).hexdigest()
    with pytest.raises(AttributeError):
        cleaned.data = b""  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fmt", "size", "max_side", "expected"),
    [
        ("PNG", (3000, 1500), None, (2048, 1024)),  # the default longest side
        ("JPEG", (1500, 3000), 1000, (500, 1000)),  # decoded at half scale, then resized
        ("PNG", (300, 200), 1000, (300, 200)),  # small photos are not enlarged
    ],
)
def test_big_photos_are_made_smaller(
    fmt: str, size: tuple[int, int], max_side: int | None, expected: tuple[int, int]
) -> None:
    side = {} if max_side is None else {"max_side": max_side}
    cleaned = clean(encoded(Image.new("RGB", size, "teal"), fmt), "big." + fmt.lower(), **side)

    assert (cleaned.width, cleaned.height) == expected
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.size == expected


def test_a_big_jpeg_is_decoded_at_a_smaller_scale(decoded: list[tuple[int, int]]) -> None:
    big = encoded(Image.new("RGB", (4000, 3000), "teal"), "JPEG")
    cleaned = clean(big, "big.jpg", max_side=700)
    assert decoded[0] == (1000, 750)  # a quarter: the smallest scale still 700 or more a side
    assert (cleaned.width, cleaned.height) == (700, 525)


def see_through(mode: str) -> Image.Image:
    """Transparent all over but for an opaque red square in the middle."""
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (10, 10, 30, 30))
    if mode == "P":
        return image.convert("P")  # keeps transparency as a palette entry
    return image.convert(mode)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_laid_on_white(mode: str) -> None:
    original = see_through(mode)
    cleaned = clean(encoded(original, "PNG"), "sticker.png")

    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.mode == "RGB"
        assert all(channel > 245 for channel in rgb(stored, (2, 2)))
        red, green, blue = rgb(stored, (20, 20))
        if mode == "LA":  # grey: red becomes a dark grey
            assert max(red, green, blue) < 120
        else:
            assert red > 200 and green < 60 and blue < 60


def test_a_sixteen_bit_grey_png_keeps_its_tones() -> None:
    grey = Image.new("I;16", (16, 16), 32768)  # half way
    cleaned = clean(encoded(grey, "PNG"), "scan.png")
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert all(120 <= channel <= 136 for channel in rgb(stored, (8, 8)))


# What is refused, and the message the user sees


def test_a_png_named_as_a_jpeg_is_refused(message_app: Flask) -> None:
    message = refusal(message_app, encoded(photo(), "PNG"), "photo.jpg")
    assert message == (
        "The file photo.jpg says it is a JPEG image but it is a PNG. Send the original photo."
    )


def test_a_webp_named_as_a_png_is_refused(message_app: Flask) -> None:
    message = refusal(message_app, encoded(photo(), "WEBP"), "photo.png")
    assert message == (
        "The file photo.png says it is a PNG image but it is a WebP. Send the original photo."
    )


def truncated_jpeg() -> bytes:
    whole = encoded(photo((200, 200)), "JPEG", quality=95)
    return whole[: len(whole) // 2]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"Door staff notes: nothing to report.\n", "notes.jpg"),
        (b"", "empty.jpg"),
        (truncated_jpeg(), "cut-short.jpg"),
        (encoded(photo(), "GIF"), "animation.gif"),
        (encoded(photo(), "GIF"), "animation.jpg"),
        (encoded(photo(), "BMP"), "old.png"),
        (encoded(photo(), "TIFF"), "scan.tiff"),
        (encoded(photo(), "JPEG"), "photo.heic"),  # a name we do not take
        (encoded(photo(), "JPEG"), "photo"),  # no extension: nothing to check the content by
    ],
    ids=["text", "empty", "truncated", "gif", "gif-as-jpg", "bmp", "tiff", "heic-name", "no-ext"],
)
def test_what_is_not_a_photo_is_refused(message_app: Flask, data: bytes, filename: str) -> None:
    assert refusal(message_app, data, filename) == (
        f"The file {filename} is not a photo. Send a JPEG, PNG or WebP image."
    )


def test_a_file_too_big_is_refused_after_reading_one_byte_more(message_app: Flask) -> None:
    stream = io.BytesIO(bytes(3 * MB))
    with pytest.raises(UploadRejected) as caught:
        clean_image(stream, "huge.jpg", max_bytes=MB, max_pixels=40_000_000)
    assert stream.tell() == MB + 1
    with message_app.test_request_context():
        assert str(caught.value.message) == (
            "The photo huge.jpg is larger than 1 MB. Send a smaller photo."
        )


@pytest.mark.parametrize(
    ("max_bytes", "shown"),
    [(8 * MB, "8"), (MB + MB // 2, "1.5"), (MB * 99 // 10 + 5000, "9.9"), (MB // 2, "0.5")],
)
def test_the_size_limit_is_shown_in_mb_with_at_most_one_decimal(
    message_app: Flask, max_bytes: int, shown: str
) -> None:
    message = refusal(message_app, bytes(max_bytes + 1), "big.jpg", max_bytes=max_bytes)
    assert f"larger than {shown} MB." in message


def test_a_file_of_exactly_the_limit_is_read_whole() -> None:
    data = encoded(photo(), "PNG")
    assert clean(data, "photo.png", max_bytes=len(data)).width == 64


def test_the_name_quoted_is_without_folders(message_app: Flask) -> None:
    message = refusal(message_app, encoded(photo(), "JPEG"), "C:\\Users\\door\\photo.png")
    assert message.startswith("The file photo.png says it is a PNG image but it is a JPEG.")


# Pixel bombs


def test_more_pixels_than_allowed_is_refused_before_decoding(
    message_app: Flask, decoded: list[tuple[int, int]]
) -> None:
    bomb = png_declaring(5000, 5000)  # 25 million pixels in a few kilobytes
    assert len(bomb) < 100_000
    message = refusal(message_app, bomb, "bomb.png", max_pixels=20_000_000)
    assert message == "The photo bomb.png has too many pixels to be a normal photo."
    assert decoded == []


def test_a_pillow_sized_bomb_is_refused_before_decoding(
    message_app: Flask, decoded: list[tuple[int, int]]
) -> None:
    bomb = png_declaring(20000, 20000)  # 400 million pixels: past Pillow's own hard limit
    assert Image.MAX_IMAGE_PIXELS is not None
    assert 2 * Image.MAX_IMAGE_PIXELS < 20000 * 20000
    message = refusal(message_app, bomb, "bomb.png", max_pixels=10**12)
    assert message == "The photo bomb.png has too many pixels to be a normal photo."
    assert decoded == []


def test_pillows_warning_refuses_even_where_warnings_are_ignored(
    message_app: Flask, decoded: list[tuple[int, int]]
) -> None:
    # Past Pillow's warning limit, short of its error, and allowed by the caller's limit.
    assert Image.MAX_IMAGE_PIXELS is not None
    side = int((1.5 * Image.MAX_IMAGE_PIXELS) ** 0.5)
    bomb = png_declaring(side, side)
    limit_before = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as a production server might run
        filters_before = list(warnings.filters)
        message = refusal(message_app, bomb, "bomb.png", max_pixels=10**12)
        assert warnings.filters == filters_before
    assert message == "The photo bomb.png has too many pixels to be a normal photo."
    assert decoded == []
    assert limit_before == Image.MAX_IMAGE_PIXELS


def test_an_image_within_the_limit_is_decoded(decoded: list[tuple[int, int]]) -> None:
    cleaned = clean(png_declaring(400, 300), "plain.png", max_pixels=400 * 300)
    assert decoded and set(decoded) == {(400, 300)}
    assert (cleaned.width, cleaned.height) == (400, 300)


def test_the_name_quoted_is_escaped_when_shown(message_app: Flask) -> None:
    # flask_babel's lazy strings declare themselves safe HTML (``__html__``); the name is not.
    with pytest.raises(UploadRejected) as caught:
        clean(b"not an image", "<img src=x onerror=alert(1)>.jpg")
    template = (
        '{% from "govuk_frontend_jinja/components/error-message/macro.html"'
        " import govukErrorMessage %}"
        '{{ govukErrorMessage({"text": message}) }} <p>{{ message }}</p>'
    )
    with message_app.test_request_context():
        shown = render_template_string(template, message=caught.value.message)
        text = str(caught.value.message)
    assert "<img" not in shown
    assert shown.count("The file &lt;img src=x onerror=alert(1)&gt;.jpg is not a photo.") == 2
    assert text.startswith("The file <img src=x onerror=alert(1)>.jpg is not a photo.")
