"""The one call every feature uses to leave an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import has_request_context, request

from partnership.core.models import AuditEvent
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
) -> AuditEvent:
    """Add one audit event and flush it; the request's single commit makes it stick.

    ``action`` is a stable dotted code (``auth.login``, ``user.role_changed``).
    ``details`` must be JSON-serialisable and never hold a password or a code.
    """
    if has_request_context():
        details.setdefault("path", request.path)
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None,
        organisation_id=actor.organisation_id if actor is not None else None,
        organisation_name=actor.organisation.name if actor is not None else None,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        justification=justification,
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event
