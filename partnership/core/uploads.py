"""Photos sent from the front line, made safe to keep.

A photo is judged by its content, never its name, and nothing of the file as sent is stored: its
pixels are decoded and encoded again as a new JPEG, so EXIF (camera, time, GPS), XMP, ICC profiles
and comments are left behind with the original bytes.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from typing import IO, Any

from flask import Response, current_app
from PIL import Image, ImageOps

from partnership.core.lazy import lazy_gettext as _l

# Extensions a name may carry for each kind of photo we take.
ALLOWED: dict[str, tuple[str, ...]] = {
    "jpeg": (".jpg", ".jpeg"),
    "png": (".png",),
    "webp": (".webp",),
}

# Pillow's format names: the only decoders Pillow may try on an upload. A JPEG with a
# multi-picture index (common from phone cameras) opens as "MPO": it is a JPEG.
_KINDS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp"}
_DECODERS = ["JPEG", "PNG", "WEBP"]
_LABELS = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP"}

_QUALITY = 85
_NAME_LIMIT = 80  # characters of the file's name quoted back to the user


class UploadRejected(ValueError):
    """Why a file was refused, as a message for the user (a lazy translated string)."""

    message: Any

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str

    def stored(self) -> dict[str, Any]:
        """The columns of a :class:`partnership.core.models.StoredImage` holding this photo."""
        return {
            "content_type": self.content_type,
            "width": self.width,
            "height": self.height,
            "size": len(self.data),
            "sha256": self.sha256,
            "data": self.data,
        }


def clean_upload(upload: Any) -> CleanImage:
    """:func:`clean_image` for an uploaded file (a werkzeug ``FileStorage``), within this
    deployment's PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS."""
    config = current_app.config
    return clean_image(
        upload.stream,
        upload.filename or "",
        max_bytes=config["PHOTO_MAX_BYTES"],
        max_pixels=config["PHOTO_MAX_PIXELS"],
    )


def image_response(image: Any, filename: str) -> Response:
    """A stored photo (see :class:`partnership.core.models.StoredImage`) to show inline in
    the page, never kept by shared caches."""
    response = Response(image.data, mimetype=image.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def clean_image(
    stream: IO[bytes],
    filename: str,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int = 2048,
) -> CleanImage:
    """Check an uploaded photo and return it re-encoded as a JPEG without any metadata.

    Guarantees: at most ``max_bytes + 1`` bytes are read; the type comes from the content and must
    be JPEG, PNG or WebP, matching the name's extension; an image of more than ``max_pixels`` (or
    more than Pillow's own limit) is refused before its pixels are decoded; the result is upright
    (EXIF orientation applied), RGB on white, at most ``max_side`` on its longest side, and
    carries no EXIF, XMP, ICC profile or comment. Raises ``UploadRejected`` with a message for
    the user otherwise.
    """
    name = _display_name(filename)
    raw = _read_at_most(stream, max_bytes + 1)
    if len(raw) > max_bytes:
        raise UploadRejected(
            _l(
                "The photo %(name)s is larger than %(size)s MB. Send a smaller photo.",
                name=name,
                size=_megabytes(max_bytes),
            )
        )
    # Local to this call: Pillow's pixel-flood warning refuses the file, and its complaints about
    # malformed metadata (UserWarning) are moot since the metadata is thrown away. Pillow's global
    # MAX_IMAGE_PIXELS is left alone.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _decode(raw, filename, name, max_pixels, max_side)
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name) from None
        except Exception:
            # Untrusted input: Pillow's decoders fail with OSError, SyntaxError, ValueError,
            # EOFError, struct.error and others on truncated or crafted files.
            raise _not_a_photo(name) from None

    if image.mode not in ("RGB", "RGBA", "L", "LA") or "transparency" in image.info:
        # Palettes, bilevel, 16-bit, CMYK, colour keys: flatten first, since Pillow resizes a
        # palette by nearest pixel and resampling would blur a transparent colour key.
        image = _flatten(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image = _flatten(image)
    data = _encode(image)
    return CleanImage(
        data=data,
        content_type="image/jpeg",
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _decode(raw: bytes, filename: str, name: str, max_pixels: int, max_side: int) -> Image.Image:
    """Identify and check the upload, then decode it upright. Pillow's exceptions escape."""
    image = Image.open(io.BytesIO(raw), formats=_DECODERS)  # reads the header only
    actual = _KINDS.get(image.format or "")
    claimed = _claimed_kind(filename)
    if actual is None or claimed is None:
        raise _not_a_photo(name)
    if claimed != actual:
        raise UploadRejected(
            _l(
                "The file %(name)s says it is a %(claimed)s image but it is a %(actual)s."
                " Send the original photo.",
                name=name,
                claimed=_LABELS[claimed],
                actual=_LABELS[actual],
            )
        )
    limit = max_pixels
    if Image.MAX_IMAGE_PIXELS is not None:  # Pillow's own limit too, should a caller allow more
        limit = min(limit, Image.MAX_IMAGE_PIXELS)
    if image.width * image.height > limit:
        raise _too_many_pixels(name)
    # A big JPEG can be decoded straight at 1/2, 1/4 or 1/8 scale (still at least max_side on
    # each side): less memory and time. Other formats ignore this.
    image.draft(None, (max_side, max_side))
    image.load()  # decode now, so a truncated or corrupt file fails here
    ImageOps.exif_transpose(image, in_place=True)
    return image


def _not_a_photo(name: str) -> UploadRejected:
    return UploadRejected(
        _l("The file %(name)s is not a photo. Send a JPEG, PNG or WebP image.", name=name)
    )


def _too_many_pixels(name: str) -> UploadRejected:
    return UploadRejected(
        _l("The photo %(name)s has too many pixels to be a normal photo.", name=name)
    )


def _flatten(image: Image.Image) -> Image.Image:
    """Plain 8-bit RGB; anything transparent is laid on white."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        # 16-bit greyscale PNG: Pillow's conversion clips at 255, so scale it down first.
        # (A transparent colour key on such an image is not kept.)
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    # Pillow's JPEG writer copies a comment from ``info`` unless given one, and ``convert`` and
    # ``exif_transpose`` carry ``info`` over from the upload: empty it, and pass empty values.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=_QUALITY, optimize=True, exif=b"", comment=b"")
    return out.getvalue()


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _display_name(filename: str) -> str:
    """The name without any folder a browser sent, printable and short enough to quote."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(printable) > _NAME_LIMIT:
        return printable[: _NAME_LIMIT - 1] + "\u2026"
    return printable


def _claimed_kind(filename: str) -> str | None:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base:
        return None
    extension = "." + base.rsplit(".", 1)[1].strip().lower()
    for kind, extensions in ALLOWED.items():
        if extension in extensions:
            return kind
    return None


def _megabytes(size: int) -> str:
    """``size`` in MB (2**20 bytes), rounded down to one decimal, without a trailing ``.0``."""
    tenths = math.floor(size * 10 / (1024 * 1024)) / 10
    return f"{tenths:.1f}".removesuffix(".0")
