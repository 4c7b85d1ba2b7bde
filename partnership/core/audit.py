"""The one call every feature uses to leave an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from sqlalchemy import insert

from partnership.core import commits
from partnership.core.models import AuditEvent, utcnow
from partnership.extensions import db

if TYPE_CHECKING:
    from partnership.auth.models import User


def record(
    action: str,
    *,
    actor: User | None,
    object_type: str | None = None,
    object_id: object = None,
    justification: str | None = None,
    **details: Any,
) -> None:
    """Write one audit event in the request's transaction, after whatever the request has
    changed so far; the request's single commit makes both stick.

    ``action`` is a stable dotted code (``auth.login``, ``user.role_changed``).
    ``details`` must be JSON-serialisable and never hold a password or a code.

    The event is inserted as a row rather than added as an object: every page that shows
    records writes one, and the ORM's unit of work cost four times the insert itself.
    """
    if has_request_context():
        details.setdefault("path", request.path)
    db.session.flush()
    db.session.execute(
        _INSERT,
        {
            "created_at": utcnow(),
            "action": action,
            "actor_id": actor.id if actor is not None else None,
            "actor_email": actor.email if actor is not None else None,
            "organisation_id": actor.organisation_id if actor is not None else None,
            "organisation_name": actor.organisation.name if actor is not None else None,
            "object_type": object_type,
            "object_id": str(object_id) if object_id is not None else None,
            "justification": justification,
            "details": details,
        },
    )
    commits.wrote(db.session())


_INSERT = insert(AuditEvent.__table__)
