"""Answers for the subjects' forms, and an officer recording a subject through them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from partnership.auth.models import User
from partnership.core.enums import Role

# What a red flag recorded with these answers (and a police note) holds that only police see,
# as it would show on a page.
CANARY_SECRETS = (
    "Canary Name",
    "Birdy",
    "1990-01-02",
    "2 January 1990",
    "1 Canary Street",
    "CANARY-POLICE-NOTE",
)


def subject_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": "Tall man who waits outside the toilets",
        "apparent_sex": "male",
        "age_band": "25_34",
        "clothing": "Grey hoodie",
        "name": "Canary Name",
        "aliases": "Birdy",
        "date_of_birth": "1990-01-02",
        "address": "1 Canary Street",
    }
    data.update(overrides)
    return data


def police_note(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "behaviours": ["aspb.loitering"],
        "text": "CANARY-POLICE-NOTE",
        "sharing": "police",
        "source_evaluation": "1",
        "intelligence_assessment": "B",
        "handling_code": "P",
    }
    data.update(overrides)
    return data


def partnership_note(text: str = "Shared: seen following women home") -> dict[str, Any]:
    return {"behaviours": ["aspb.following"], "text": text, "sharing": "partnership"}


def justify(client: FlaskClient, subject_id: int, **form: str) -> Any:
    return client.post(
        f"/subjects/{subject_id}/justify", data=form or {"reason": "checking_tonight"}
    )


def officer_records_subject(
    client: FlaskClient, login_as: Callable[..., User], *notes: dict[str, Any]
) -> int:
    """An officer records a subject and its notes; returns its id."""
    login_as(Role.OFFICER)
    response = client.post("/subjects/new", data=subject_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    subject_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    for note in notes:
        saved = client.post(f"/subjects/{subject_id}/notes/new", data=note)
        assert saved.status_code == 302, saved.get_data(as_text=True)
    return subject_id
