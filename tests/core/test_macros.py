"""The portal's own form macros give the markup of the GOV.UK components they stand for."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from partnership.core.forms import Form, _escaped

COMPARE = """
{%- import "_macros.html" as m -%}
{%- from "govuk_frontend_jinja/components/select/macro.html" import govukSelect -%}
{%- set items = [] -%}
{%- for choice in field.iter_choices() -%}
  {%- set item = {"value": choice.value, "text": choice.label, "selected": choice.selected} -%}
  {%- set _discard = items.append(item) -%}
{%- endfor -%}
<ours>{{ m.select(field) }}</ours>
<theirs>{{ govukSelect({
  "id": field.id,
  "name": field.name,
  "label": {"text": field.label.text},
  "hint": {"text": field.description} if field.description else None,
  "items": items,
  "errorMessage": {"text": field.errors[0]} if field.errors else None,
}) }}</theirs>
"""


class VenueForm(Form):
    venue = SelectField(
        "Which venue?",
        description="Choose the venue <where> it happened",
        choices=[
            SelectChoice("", "All"),
            SelectChoice("1", "The Anchor & Crown"),
            SelectChoice("2", 'The "Quay" Bar'),
        ],
    )


def _tags(html: str) -> list[str]:
    """The markup as a list of tags and texts, whitespace between them ignored."""
    return [" ".join(part.split()) for part in re.split(r"(<[^>]+>)", html) if part.strip()]


def _both(app: Flask, **form_data: str) -> tuple[list[str], list[str]]:
    with app.test_request_context("/"):
        form = VenueForm(MultiDict(form_data), meta={"csrf": False})
        form.validate()
        if not form_data:
            form.venue.errors = ["Choose a venue"]
        html = render_template_string(COMPARE, field=form.venue)
    ours = html.split("<ours>")[1].split("</ours>")[0]
    theirs = html.split("<theirs>")[1].split("</theirs>")[0]
    return _tags(ours), _tags(theirs)


def test_select_with_a_choice_made_is_the_govuk_select(app: Flask) -> None:
    ours, theirs = _both(app, venue="2")
    assert ours == theirs
    assert '<option value="2" selected>' in ours
    assert "The &#34;Quay&#34; Bar" in ours


def test_select_with_an_error_and_a_hint_is_the_govuk_select(app: Flask) -> None:
    ours, theirs = _both(app)
    assert ours == theirs
    assert 'aria-describedby="venue-hint venue-error"' in " ".join(ours)
    assert "Choose the venue &lt;where&gt; it happened" in ours


class NumberedForm(Form):
    # A coerced value: its choices are read as they stand, not through WTForms' Choice objects.
    area = SelectField(
        "Which area?",
        coerce=int,
        choices=[SelectChoice(0, "None"), SelectChoice(1, "Quay & Docks"), SelectChoice(2, "<Old")],
    )


def test_select_of_coerced_values_marks_the_chosen_one(app: Flask) -> None:
    with app.test_request_context("/"):
        form = NumberedForm(MultiDict({"area": "2"}), meta={"csrf": False})
        form.validate()
        html = render_template_string(COMPARE, field=form.area)
    ours = _tags(html.split("<ours>")[1].split("</ours>")[0])
    theirs = _tags(html.split("<theirs>")[1].split("</theirs>")[0])
    assert ours == theirs
    assert '<option value="2" selected>' in ours
    assert "&lt;Old" in ours


INPUT_COMPARE = """
{%- import "_macros.html" as m -%}
{%- from "govuk_frontend_jinja/components/input/macro.html" import govukInput -%}
<ours>{{ m.input(field, type=type, autocomplete=autocomplete, classes=classes,
                 spellcheck=spellcheck, inputmode=inputmode, value=value) }}</ours>
<theirs>{{ govukInput({
  "label": {"text": field.label.text},
  "hint": {"text": field.description} if field.description else None,
  "id": field.id,
  "name": field.name,
  "type": type,
  "value": value if value is not none else (field._value() if type != "password" else ""),
  "autocomplete": autocomplete,
  "spellcheck": spellcheck,
  "inputmode": inputmode,
  "classes": classes,
  "errorMessage": {"text": field.errors[0]} if field.errors else None,
}) }}</theirs>
"""


class PlaceForm(Form):
    place = StringField("Where <exactly>?", description="A street & number", validators=[])
    code = StringField("Code")


@settings(max_examples=60, deadline=None)
@given(
    typed=st.text(alphabet='ab &"<>', max_size=6),
    type_=st.sampled_from(["text", "date", "password", "email"]),
    autocomplete=st.sampled_from([None, "off", "one-time-code"]),
    classes=st.sampled_from(["", "govuk-input--width-10"]),
    spellcheck=st.sampled_from([None, True, False]),
    inputmode=st.sampled_from([None, "numeric"]),
    value=st.sampled_from([None, "", "given & <kept>"]),
    with_hint=st.booleans(),
    with_error=st.booleans(),
)
def test_input_is_the_govuk_input(
    app: Flask,
    typed: str,
    type_: str,
    autocomplete: str | None,
    classes: str,
    spellcheck: bool | None,
    inputmode: str | None,
    value: str | None,
    with_hint: bool,
    with_error: bool,
) -> None:
    with app.test_request_context("/"):
        form = PlaceForm(MultiDict({"place": typed, "code": typed}), meta={"csrf": False})
        field = form.place if with_hint else form.code
        if with_error:
            field.errors = ["Enter where it happened <now>"]
        html = render_template_string(
            INPUT_COMPARE,
            field=field,
            type=type_,
            autocomplete=autocomplete,
            classes=classes,
            spellcheck=spellcheck,
            inputmode=inputmode,
            value=value,
        )
    ours = _tags(html.split("<ours>")[1].split("</ours>")[0])
    theirs = _tags(html.split("<theirs>")[1].split("</theirs>")[0])
    assert ours == theirs


@given(text=st.text())
def test_options_escape_plain_text_as_markupsafe_does(text: str) -> None:
    assert _escaped(text) == str(escape(text))
