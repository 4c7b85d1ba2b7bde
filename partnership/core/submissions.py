"""Submission keys: a form that makes a record carries a key, made when the form is drawn,
so that a double tap (or a send repeated after a lost connection) makes one record, not two.

The record keeps its key and a digest of the answers it was made from. A key that comes
back with the same answers shows the record already made; a key that comes back with
other answers (the person went back, changed them and sent again) is refused with a
message and a fresh key, so those answers are saved by the next send and never silently
dropped. A missing or malformed key is refused the same way. Records a person makes are
unique by author and key, so one person's key never blocks another's record.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import request

from partnership.core.lazy import lazy_gettext as _l

# What a key may look like: printable ASCII without spaces, as long as the column allows.
# The portal makes 32 hexadecimal digits.
KEY = re.compile(r"[!-~]{1,64}")

MALFORMED = _l(
    "This form could not be matched to the page it came from, so nothing has been saved "
    "yet. Your answers are still here: check them and send the form again."
)
REUSED = _l(
    "This form was sent before with different answers, and those were saved. These "
    "answers have not been saved yet: check them and send the form again to save them too."
)

# Fields left out of the digest: the form token changes when a session is renewed.
_NOT_ANSWERS = {"csrf_token"}


@dataclass(frozen=True)
class Submission:
    """The key a form came back with and a digest of everything sent with it."""

    key: str
    digest: str


T = TypeVar("T")


def new_key() -> str:
    return uuid.uuid4().hex


def received(form: Any) -> Submission | None:
    """The key ``form`` came back with and the digest of this request's answers; None if
    the key is missing or malformed, in which case the form says so and holds a fresh key.
    Call it before validating ``form``, so a key with control characters in it gets this
    message alone."""
    field = form.submission_key
    key = field.data if isinstance(field.data, str) else ""
    if field.process_errors or not KEY.fullmatch(key):
        field.process_errors = []
        field.errors = []
        refuse(form, MALFORMED)
        return None
    return Submission(key, digest())


def same_answers(existing: Any, sent: Submission) -> bool:
    """``existing`` (the record already saved under ``sent``'s key) was made from these
    same answers: the form was sent twice, and the record made the first time is shown.
    A record saved before digests were kept counts as the same."""
    kept: str | None = existing.submission_digest
    return kept is None or kept == sent.digest


def earlier(existing: T | None, sent: Submission) -> T | None:
    """``existing`` if it was made from these same answers (two taps of one form racing each
    other: the second answers with the first one's record), else None."""
    if existing is not None and same_answers(existing, sent):
        return existing
    return None


def refuse(form: Any, message: Any = REUSED) -> None:
    """Put ``message`` above ``form`` and give it a fresh key: nothing was saved, and the
    next send saves the answers as they are then."""
    form.form_errors.append(message)
    form.submission_key.data = new_key()


def digest() -> str:
    """A SHA-256 of this request's answers: every field but the form token, in a fixed
    order, and each file's name and content."""
    hashed = hashlib.sha256()
    pairs = sorted(
        (name, value) for name, value in request.form.items(multi=True) if name not in _NOT_ANSWERS
    )
    for name, value in pairs:
        hashed.update(_framed(name) + _framed(value))
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        content = upload.stream.read()
        upload.stream.seek(0)
        hashed.update(_framed(name) + _framed(upload.filename or "") + _framed(content))
    return hashed.hexdigest()


def _framed(value: str | bytes) -> bytes:
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return len(data).to_bytes(8, "big") + data
