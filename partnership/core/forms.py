"""The rules every form follows, whatever its fields, and the safe reading of ids and whole
numbers sent by a browser.

Every form in the portal is a :class:`Form`. Before its fields read what was sent:

- control characters (NUL and the other C0 and C1 controls; tab and line breaks are
  text) are taken out, and the field says so: PostgreSQL cannot store a NUL, no one types
  the others, and the person gets the form back with the cleaned answer to check;
- the value of a choice (a select, radios, checkboxes) loses the spaces around it: no
  option has any, and ``Optional`` would otherwise let "\\r\\n" past the list of choices;
- a date outside :data:`FIRST_DATE` to :data:`LAST_DATE` is refused on its field and
  read as no date, so no later sum (an end 48 hours on, a review 90 days on) overflows;
- a JSON body is read as an empty form: the portal's forms are posted by browsers.

Bytes that are not UTF-8 reach a form as text: Werkzeug keeps them as their %XX escapes in
a urlencoded body and reads them as U+FFFD in a multipart one. Those are characters like
any other and are kept: a browser always sends UTF-8, so only a broken or hostile client
sends such bytes, and what it gets stored is readable and harmless.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice, SelectField, SelectFieldBase

from partnership.core.lazy import lazy_gettext as _l

# The largest id there can be: ids are INTEGER columns, which PostgreSQL keeps in 32 bits
# (SQLite in 64), and it refuses a larger number in a comparison with one, so a larger
# number names no record. (Were ids ever BIGINT, this would be 2**63 - 1.)
MAX_ID = 2**31 - 1

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2099, 12, 31)

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_MESSAGE = _l(
    "This answer had invisible control characters in it, which cannot be saved. They have "
    "been taken out: check the answer and send the form again."
)
DATE_MESSAGE = _l(
    "Enter a real date between the years %(first)d and %(last)d",
    first=FIRST_DATE.year,
    last=LAST_DATE.year,
)


def without_controls(text: str) -> str:
    """``text`` with its control characters taken out."""
    return _CONTROL.sub("", text)


def has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None


def record_id(raw: object) -> int | None:
    """The id ``raw`` names: a whole number from 1 to :data:`MAX_ID` written in ASCII
    digits (a form's value) or given as an int; None for anything else, which names no
    record (``str.isdigit`` also accepts "²", which is not a number)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit():
        value = int(raw)
    else:
        return None
    return value if 1 <= value <= MAX_ID else None


def whole_number(raw: object, largest: int, smallest: int = 0) -> int | None:
    """``raw`` (surrounding spaces aside) as a whole number from ``smallest`` to
    ``largest``, in ASCII digits; None if it is anything else."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        return None
    value = int(text)
    return value if smallest <= value <= largest else None


def _cleaned(formdata: Any, choices: set[str]) -> tuple[Any, set[str]]:
    """``formdata`` with control characters taken out of its text and the spaces around
    the values of the ``choices`` fields, and the names of the fields that had control
    characters. (No option's value has spaces around it; and ``Optional`` reads a value of
    spaces as empty, so the field's data must be empty too.)"""
    if formdata is None or not hasattr(formdata, "items"):
        return formdata, set()
    affected: set[str] = set()
    changed = False
    items: list[tuple[str, Any]] = []
    for name, value in formdata.items(multi=True):
        if isinstance(value, str):
            kept = value
            if has_controls(kept):
                affected.add(name)
                kept = without_controls(kept)
            if name in choices:
                kept = kept.strip()
            changed = changed or kept != value
            value = kept
        items.append((name, value))
    return (MultiDict(items) if changed else formdata), affected


class Form(FlaskForm):
    """A Flask-WTF form with the portal's rules for what any field may hold (see the
    module's docstring). Every form in the portal derives from it; a test fails on one
    that does not."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            automatic = formdata is not None and not hasattr(formdata, "getlist")
            if automatic and has_request_context() and request.is_json:
                return MultiDict()
            return super().wrap_formdata(form, formdata)

    def process(
        self,
        formdata: Any = None,
        obj: Any = None,
        data: Any = None,
        extra_filters: Any = None,
        **kwargs: Any,
    ) -> None:
        choices = {f.name for f in self._fields.values() if isinstance(f, SelectFieldBase)}
        formdata, affected = _cleaned(self.meta.wrap_formdata(self, formdata), choices)
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        for field in self:
            if field.name in affected:
                field.process_errors.append(CONTROL_MESSAGE)
            if _out_of_range(field.data) and field.raw_data:
                field.data = None
                field.process_errors.append(DATE_MESSAGE)


def _out_of_range(value: Any) -> bool:
    if not isinstance(value, date):
        return False
    day = value.date() if isinstance(value, datetime) else value
    return not FIRST_DATE <= day <= LAST_DATE


def select_options(field: SelectFieldBase) -> Markup:
    """The ``<option>`` elements of a select, for templates. Written here rather than in a
    Jinja loop because a list of every venue is rendered on many pages: this costs a tenth
    of the loop. A plain list of ``SelectChoice`` is read as it stands, each marked
    selected as WTForms would (``coerce(value) == data``), without the ``Choice`` WTForms
    makes of every option on every render."""
    choices = getattr(field, "choices", None)
    if isinstance(choices, list) and type(field).iter_choices is SelectField.iter_choices:
        coerce, data = field.coerce, field.data
        options = []
        for choice in choices:
            if not isinstance(choice, SelectChoice) or choice.render_kw or choice.optgroup:
                return _options_of(field)  # WTForms' own reading of anything else
            value, label = choice.value, choice.label
            selected = " selected" if coerce(value) == data else ""
            options.append(
                f'<option value="{_escaped(value)}"{selected}>{_escaped(label)}</option>'
            )
        return Markup("".join(options))  # noqa: S704 (every value and label is escaped here)
    return _options_of(field)


def _escaped(value: Any) -> str:
    """``markupsafe.escape(value)``, with plain strings (names from the database, codes)
    escaped by ``str.replace``: the same text, at a fraction of the cost for a list of 200."""
    if type(value) is not str:
        return str(escape(value))
    return (
        value.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def _options_of(field: SelectFieldBase) -> Markup:
    return Markup(  # noqa: S704 (every value and label is escaped here)
        "".join(
            f'<option value="{escape(choice.value)}"{" selected" if choice.selected else ""}>'
            f"{escape(choice.label)}</option>"
            for choice in field.iter_choices()
        )
    )
