"""What happened, told to whoever listens: alerts now; notifications and webhooks later.

A service sends its signal after it has added and flushed what it wrote, in the same
transaction, so a receiver that writes (an alert) commits or rolls back with it. The
sender is the saved record; ``now`` is passed as a keyword, with anything else the
receivers need. Receivers connect in their own feature (``alerts/triggers.py``), so
the sending feature never imports the receiving one.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

sighting_saved = _signals.signal("sighting-saved")
"""A sighting was recorded (sender: the Sighting)."""

note_shared = _signals.signal("note-shared")
"""A red-flag note was added to a subject (sender: the RedFlagNote)."""

subject_linked = _signals.signal("subject-linked")
"""A record was linked to a subject (sender: the SubjectLink)."""

handover_made = _signals.signal("handover-made")
"""Someone was handed over to another organisation (sender: the Safe Space use or
welfare note)."""

direction_given = _signals.signal("direction-given")
"""A Section 35 direction was given (sender: the DispersalDirection)."""

notice_issued = _signals.signal("notice-issued")
"""A partnership exclusion notice was issued (sender: the ExclusionNotice)."""

breach_recorded = _signals.signal("breach-recorded")
"""A breach of a direction or notice was recorded (sender: the breach record)."""

public_report_received = _signals.signal("public-report-received")
"""An anonymous public report was stored (sender: the PublicReport)."""
