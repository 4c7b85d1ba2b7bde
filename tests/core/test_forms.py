"""The rules every form follows (partnership/core/forms.py): control characters are taken
out with a message on their field, dates outside the sane range are refused and read as no
date, a JSON body is an empty form; and the safe reading of ids and whole numbers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from partnership.core.forms import (
    CONTROL_MESSAGE,
    DATE_MESSAGE,
    MAX_ID,
    Form,
    record_id,
    whole_number,
)


class _Sample(Form):
    name = StringField("Name", validators=[DataRequired("Enter a name")])
    notes = TextAreaField("Notes", validators=[Optional()])
    codes = SelectMultipleField(
        "Codes", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")], validators=[Optional()]
    )
    day = DateField("Day", validators=[Optional()])
    key = HiddenField()


def _posted(app: Flask, data: Any, **kwargs: Any) -> _Sample:
    with app.test_request_context("/", method="POST", data=data, **kwargs):
        form = _Sample()
        form.validate()
        return form


def test_a_nul_byte_is_taken_out_with_a_message_on_its_field(app: Flask) -> None:
    form = _posted(app, {"name": "Ann\x00e", "notes": "ok"})
    assert form.name.data == "Anne"
    assert form.name.errors == [CONTROL_MESSAGE]
    assert form.notes.errors == []


def test_other_control_characters_are_taken_out_too(app: Flask) -> None:
    form = _posted(app, {"name": "A\x1b[31mnn\x7f\u0085e", "codes": ["a\x00", "b"]})
    assert form.name.data == "A[31mnne"
    assert form.name.errors[0] == CONTROL_MESSAGE
    assert form.codes.data == ["a", "b"]
    assert form.codes.errors == [CONTROL_MESSAGE]


def test_tabs_and_line_breaks_are_text(app: Flask) -> None:
    form = _posted(app, {"name": "Anne", "notes": "line one\r\nline\ttwo\n"})
    assert form.notes.data == "line one\r\nline\ttwo\n"
    assert form.errors == {}


@pytest.mark.parametrize(
    ("body", "content_type", "read"),
    [
        (b"name=A%ff%fenne", "application/x-www-form-urlencoded", "A%FF%FEnne"),
        (
            b'--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\n'
            b"A\xff\xfenne\r\n--XX--\r\n",
            "multipart/form-data; boundary=XX",
            "A\ufffd\ufffdnne",
        ),
    ],
)
def test_bytes_that_are_not_utf8_arrive_as_text_and_are_kept(
    app: Flask, body: bytes, content_type: str, read: str
) -> None:
    """Werkzeug keeps them as their %XX escapes (urlencoded) or as U+FFFD (multipart):
    characters a database stores like any other."""
    with app.test_request_context("/", method="POST", data=body, content_type=content_type):
        form = _Sample()
        assert form.validate()
        assert form.name.data == read


def test_a_hidden_field_with_control_characters_fails_validation(app: Flask) -> None:
    form = _posted(app, {"name": "Anne", "key": "abc\x00"})
    assert form.key.errors == [CONTROL_MESSAGE]


class _Choice(Form):
    rank = SelectField(
        "Rank", choices=[SelectChoice("", "None"), SelectChoice("a", "A")], validators=[Optional()]
    )


@pytest.mark.parametrize(("raw", "read"), [("\r\n", ""), (" ", ""), (" a\t", "a"), ("a", "a")])
def test_a_choice_loses_the_spaces_around_it(app: Flask, raw: str, read: str) -> None:
    """Optional() reads a value of spaces as empty and skips the list of choices: the data
    must then be empty too, not spaces a view would take for an answer."""
    with app.test_request_context("/", method="POST", data={"rank": raw}):
        form = _Choice()
        assert form.validate()
        assert form.rank.data == read


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "1899-12-31", "2100-01-01"])
def test_a_date_outside_the_years_1900_to_2099_is_refused_and_read_as_none(
    app: Flask, raw: str
) -> None:
    form = _posted(app, {"name": "Anne", "day": raw})
    assert form.day.data is None
    assert form.day.errors == [DATE_MESSAGE]
    assert raw in form.day()  # the form shows what was typed


@pytest.mark.parametrize("raw", ["1900-01-01", "2099-12-31", "2026-11-27"])
def test_a_date_inside_the_range_is_kept(app: Flask, raw: str) -> None:
    form = _posted(app, {"name": "Anne", "day": raw})
    assert form.day.data == date.fromisoformat(raw)
    assert form.day.errors == []


def test_a_date_given_by_the_code_is_not_checked(app: Flask) -> None:
    """Only what was sent is refused; a form filled from a record shows it as it is."""
    with app.test_request_context("/"):
        form = _Sample(data={"day": date(2200, 1, 1)})
        assert form.day.data == date(2200, 1, 1)
        assert form.day.process_errors == []


@pytest.mark.parametrize("body", [{"name": 1, "codes": {"x": 1}}, [1, 2], "text"])
def test_a_json_body_is_read_as_an_empty_form(app: Flask, body: Any) -> None:
    form = _posted(app, json.dumps(body), content_type="application/json")
    assert form.name.data is None
    assert form.name.errors == ["Enter a name"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9223372036854775807", None),
        ("99999999999999999999999", None),
        ("0", None),
        ("-1", None),
        (" 1", None),
        ("1.0", None),
        ("\u00b2", None),  # str.isdigit() accepts it; int() does not
        ("\u0661", None),  # an Arabic-Indic one: int() reads it, but it is no id
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_record_id(raw: object, expected: int | None) -> None:
    assert record_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19", 19),
        (" 19 ", 19),
        ("0", 0),
        ("120", 120),
        ("121", None),
        ("99999999999999999999999", None),
        ("-1", None),
        ("\u00b2", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_number(raw: object, expected: int | None) -> None:
    assert whole_number(raw, largest=120) == expected


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_form_of_the_portal_follows_the_rules(app: Flask) -> None:
    """A form that is a plain FlaskForm would let control characters and absurd dates
    through: every form class in the portal derives from partnership.core.forms.Form."""
    portal = [c for c in _subclasses(FlaskForm) if c.__module__.startswith("partnership.")]
    assert len(portal) > 20  # the app imported them all
    assert [c.__qualname__ for c in portal if not issubclass(c, Form)] == []
