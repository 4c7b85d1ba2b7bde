"""Answers to the welfare forms, as a browser sends them; tests override what they test."""

from __future__ import annotations

from typing import Any

from partnership.venues.models import Venue


def safe_space_answers(venue: Venue | None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "submission_key": overrides.pop("key", "k" * 32),
        "venue_id": str(venue.id) if venue else "",
        "when": "30",
        "left": "still_here",
        "age_band": "18_24",
        "gender": "woman",
        "reasons": ["separated", "phone_dead"],
        "support": ["water", "phone_charge"],
        "handed_to": "friend",
        "handed_to_organisation_id": "",
        "notes": "Waited for her sister to collect her",
    }
    data.update(overrides)
    return data


def note_answers(venue: Venue | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "submission_key": overrides.pop("key", "n" * 32),
        "venue_id": str(venue.id) if venue else "",
        "place": "" if venue else "Bus stop on Kingsway",
        "when": "now",
        "age_band": "under_18",
        "gender": "not_given",
        "support": ["water", "listened"],
        "handed_to": "taxi",
        "handed_to_organisation_id": "",
        "notes": "Lost her friends; waited with her for the taxi",
    }
    data.update(overrides)
    return data
