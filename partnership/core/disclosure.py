"""What a figure may disclose: the "<5" rule for small counts and the pseudonyms that stand
for people, for every page, file and document that shows counts or record-level rows (the
partnership report, its exports and pack, the public "we did" page, alert digests).

- **Small counts.** A count of 1 to :data:`SUPPRESS_BELOW` - 1 may pick someone out: police
  (officers and inspectors) see the number, everyone else (and the public, with no role)
  "<5" (:func:`suppressed`, :func:`shown_count`). A movement from the previous period is
  withheld when either side is such a count and the viewer may not see it, as the
  difference would give it away (:func:`change`).
- **Pseudonyms.** A person appears only as a code from a
  :class:`~partnership.core.exports.Pseudonymiser` made for that one page view, export or
  document (:func:`subject_pseudonym`), so codes differ every time and never equal a
  red-flag reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from partnership.core.catalogue import gettext as _
from partnership.core.enums import POLICE_ROLES, Role

if TYPE_CHECKING:
    from partnership.core.exports import Pseudonymiser

# Counts from 1 to SUPPRESS_BELOW - 1 are shown as "<5" to everyone but police.
SUPPRESS_BELOW: Final = 5
MINUS: Final = "\u2212"

Shown = int | str  # a count as the viewer may see it: the number, or "<5"


def sees_small_counts(viewer_role: Role | str | None) -> bool:
    """Police (officer, inspector) see counts under 5; nobody else does."""
    return viewer_role is not None and viewer_role in {role.value for role in POLICE_ROLES}


def is_small(value: int) -> bool:
    return 0 < value < SUPPRESS_BELOW


def suppressed(value: int, viewer_role: Role | str | None) -> str:
    """A count as a viewer may see it: "<5" for 1 to 4 unless they are police; 0 and 5 or
    more as the number."""
    if is_small(value) and not sees_small_counts(viewer_role):
        return f"<{SUPPRESS_BELOW}"
    return str(value)


def shown_count(value: int, viewer_role: Role | str | None) -> Shown:
    """The number, or "<5" where the viewer may not see a count of 1 to 4: a number stays a
    number, so charts draw it and spreadsheets can add it up."""
    text = suppressed(value, viewer_role)
    return value if text == str(value) else text


TrendKind = Literal["up", "down", "same", "new", "withheld"]


@dataclass(frozen=True)
class Trend:
    """How a count moved from the previous period.

    ``kind`` is ``up``, ``down``, ``same``, ``new`` (nothing before, something now) or
    ``withheld`` (either count is under 5 and the viewer may not see it, so the difference
    would give it away). ``percent`` is rounded half away from zero; None for ``new`` and
    ``withheld``.
    """

    kind: TrendKind
    difference: int | None = None
    percent: int | None = None

    @property
    def text(self) -> str:
        """ "+25%", "-10%" (with a real minus sign, U+2212), "0%", "new"; empty when withheld."""
        if self.kind == "withheld":
            return ""
        if self.kind == "new":
            return str(_("new"))
        percent = self.percent or 0
        if percent > 0:
            return f"+{percent}%"
        if percent < 0:
            return f"{MINUS}{-percent}%"
        return "0%"


def change(value: int, previous: int, viewer_role: Role | str | None) -> Trend:
    """The trend from ``previous`` to ``value`` as ``viewer_role`` may see it."""
    if not sees_small_counts(viewer_role) and (is_small(value) or is_small(previous)):
        return Trend("withheld")
    difference = value - previous
    if previous == 0:
        return Trend("same", 0, 0) if value == 0 else Trend("new", difference)
    ratio = difference * 100 / previous
    percent = int(math.copysign(math.floor(abs(ratio) + 0.5), ratio))
    kind: TrendKind = "up" if difference > 0 else "down" if difference < 0 else "same"
    return Trend(kind, difference, percent)


def subject_key(subject_id: int) -> str:
    """What a subject is pseudonymised by (apart from other kinds of id)."""
    return f"subject:{subject_id}"


def subject_pseudonym(pseudonymise: Pseudonymiser, subject_id: int) -> str:
    """The code that stands for subject ``subject_id`` in the page, file or document that
    ``pseudonymise`` was made for."""
    return pseudonymise(subject_key(subject_id))
