"""Who may read the partnership report, download its files and make its pack, and which
sightings a record-level export holds (DESIGN.md sections 2 and 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import Select, false, select

from partnership.core.enums import Role
from partnership.sightings.models import Sighting
from partnership.sightings.visibility import visible_sightings

if TYPE_CHECKING:
    from partnership.auth.models import User

# Who may open the report and download its figures (CSV, XLSX, GeoJSON).
READERS: Final = (Role.ANALYST, Role.COORDINATOR, Role.OFFICER, Role.INSPECTOR)
# Who may make the review pack (a PDF of the same figures).
PACK_MAKERS: Final = READERS
# Who may download record-level rows of sightings.
RECORD_EXPORTERS: Final = (Role.ANALYST, Role.OFFICER, Role.INSPECTOR)
# Who export every sighting, by design: analysts work on reports and exports only, as
# pseudonymised rows with no free text about people, which is all the export writes.
WHOLE_RECORD_EXPORTERS: Final = (Role.ANALYST,)


def may_export_records(user: User) -> bool:
    """Whether ``user`` may download the record-level sightings export."""
    return user.role_enum in RECORD_EXPORTERS


def exportable_sightings(user: User) -> Select[tuple[Sighting]]:
    """The sightings ``user`` may export as record-level rows: every sighting for an
    analyst (:data:`WHOLE_RECORD_EXPORTERS`); for any other record exporter, the sightings
    they may see (:func:`~partnership.sightings.visibility.visible_sightings`, the sightings'
    own rule); none for anyone else, coordinators included."""
    if user.role_enum in WHOLE_RECORD_EXPORTERS:
        return select(Sighting)
    if may_export_records(user):
        return visible_sightings(user)
    return select(Sighting).where(false())
