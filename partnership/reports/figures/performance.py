"""The partnership's performance measures, drawn from the other sections."""

from __future__ import annotations

from dataclasses import dataclass

from partnership.reports.figures.common import Count


@dataclass(frozen=True)
class Performance:
    """The partnership's own measures."""

    intelligence_submitted: Count  # sightings
    dispersals: Count  # Section 35 directions given
    details_obtained: Count  # sightings whose details_obtained_at is in the period
    interventions: Count  # sightings with an action other than "no_action"
    safe_space_uses: Count
