"""The portal's own form macros give the markup of the GOV.UK components they stand for."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from partnership.core.forms import Form

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
