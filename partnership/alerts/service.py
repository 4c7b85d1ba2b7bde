"""Alerts: who sees which, what raises one, and marking them read.

(The bodies below are being written; the signatures are the contract other features call.)
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnership.sightings.models import Sighting
    from partnership.subjects.models import RedFlagNote, SubjectLink


def on_sighting_recorded(sighting: Sighting, now: datetime) -> None:
    """Raise the alerts a newly recorded sighting causes (busy venue, recurring description)."""


def on_subject_linked(link: SubjectLink, now: datetime) -> None:
    """Raise the alerts a new link between a subject and a record causes."""


def on_note_added(note: RedFlagNote, now: datetime) -> None:
    """Raise the alerts a new red-flag note causes (members whose venue saw the subject)."""
