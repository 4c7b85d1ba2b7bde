"""core/fields.py: the shared field makers, and WhenFields taking its place after the
form's own ``when`` choice so the fields (and the error summary) keep their order."""

from __future__ import annotations

from flask import Flask
from wtforms import DateField, RadioField, StringField
from wtforms.validators import Length, Optional

from partnership.core.fields import CLOCK_HINT, WhenFields, clock_field, limit, text_area
from partnership.orders.notices.forms import VenueBreachForm
from partnership.welfare.forms import SafeSpaceUseForm, WelfareNoteForm


def test_limit_says_the_most_in_the_words_every_form_uses(app: Flask) -> None:
    length = limit(300)
    assert isinstance(length, Length)
    assert length.max == 300
    with app.test_request_context():
        assert str(length.message) == "Keep this to 300 characters or fewer"


def test_the_makers_give_the_fields_the_forms_had(app: Flask) -> None:
    area = text_area("Notes", "Anything else", most=2000)
    assert area.kwargs["description"] == "Anything else"
    assert [v.max for v in area.kwargs["validators"]] == [2000]
    clock = clock_field("Start time")
    assert clock.field_class is StringField
    assert clock.kwargs["description"] is CLOCK_HINT
    assert [v.max for v in clock.kwargs["validators"]] == [5]


def test_the_when_fields_follow_the_forms_own_when_choice(app: Flask) -> None:
    with app.test_request_context():
        assert list(SafeSpaceUseForm()._fields)[:13] == [
            "age_band",
            "gender",
            "handed_to",
            "handed_to_organisation_id",
            "notes",
            "submission_key",
            "venue_id",
            "when",
            "day",
            "clock",
            "fold",
            "left",
            "left_day",
        ]
        assert list(WelfareNoteForm()._fields)[7:12] == ["place", "when", "day", "clock", "fold"]
        assert list(VenueBreachForm()._fields)[:6] == [
            "venue_id",
            "when",
            "day",
            "clock",
            "fold",
            "action",
        ]


def test_the_when_fields_are_a_date_a_time_and_which_0130(app: Flask) -> None:
    with app.test_request_context():
        form = VenueBreachForm()
        assert isinstance(form.day, DateField) and str(form.day.label.text) == "Date"
        assert isinstance(form.clock, StringField) and str(form.clock.label.text) == "Time"
        assert isinstance(form.fold, RadioField)
        assert str(form.fold.label.text) == "Which 01:00 to 02:00?"
        assert [type(v) for v in form.clock.validators] == [Optional, Length]
    # The mixin's own fields are untouched: each form has its own copies.
    assert WhenFields.day is not SafeSpaceUseForm.day
