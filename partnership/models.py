"""Every model, imported once so the metadata (migrations, create_all) knows all tables."""

from partnership.alerts.models import Alert, AlertRead
from partnership.auth.models import Organisation, SetPasswordLink, User
from partnership.core.locking import RecordChange
from partnership.core.models import AuditEvent
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DirectionChange, DispersalDirection
from partnership.orders.notices.models import (
    ExclusionNotice,
    ExclusionNoticeIncident,
    NoticeAppeal,
    NoticeVenue,
)
from partnership.public.models import PublicReport, PublicReportBehaviour, PublicReportPhoto
from partnership.reports.models import ReportRun
from partnership.sightings.models import Attachment, Sighting, SightingBehaviour, SightingRevision
from partnership.subjects.models import (
    NoteRenewal,
    RedFlagNote,
    Subject,
    SubjectLink,
    SubjectPhoto,
)
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote

__all__ = [
    "Alert",
    "AlertRead",
    "Area",
    "Attachment",
    "AuditEvent",
    "Breach",
    "DirectionChange",
    "DispersalAuthorisation",
    "DispersalDirection",
    "ExclusionNotice",
    "ExclusionNoticeIncident",
    "NoteRenewal",
    "NoticeAppeal",
    "NoticeVenue",
    "Organisation",
    "PublicReport",
    "PublicReportBehaviour",
    "PublicReportPhoto",
    "RecordChange",
    "RedFlagNote",
    "ReportRun",
    "SafeSpaceUse",
    "SetPasswordLink",
    "Sighting",
    "SightingBehaviour",
    "SightingRevision",
    "Subject",
    "SubjectLink",
    "SubjectPhoto",
    "User",
    "Venue",
    "WelfareNote",
]
