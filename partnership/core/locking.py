"""Optimistic locking: every record people edit carries a version number.

A record's model mixes in :class:`Versioned`. Its ``version`` moves on by one with every
flush that changes one of its columns (``unversioned`` ones aside: bookkeeping such as
``updated_at`` or the time of a sign-in is not an edit), or that a service marks with
:func:`changed` (a row of its own added or decided, such as an appeal). Each move leaves a
:class:`RecordChange`: who, when, and the names of the fields changed (never their values).

SQLAlchemy's ``version_id_col`` makes every UPDATE of the row carry ``WHERE version = ?``
with the version this request read, so of two saves that reach the database together only
one can write; the other's flush raises ``StaleDataError``. A form that edits a record
carries the version it was opened on (:class:`VersionedForm`), and
:func:`partnership.core.saving.save_or_keep` refuses a save based on an older one, or one
that lost the race, with who changed what and when (:func:`explain`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, delete, event, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, Session, class_mapper, declared_attr, mapped_column
from sqlalchemy.orm.attributes import flag_dirty, instance_state
from wtforms import Field, HiddenField
from wtforms.fields.choices import SelectFieldBase

from partnership.core.catalogue import gettext as _
from partnership.core.forms import Form
from partnership.core.i18n import local_date, local_datetime
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db

# Where a service's :func:`changed` names wait for the next flush, on the record's state.
_PENDING = "locking.changed"
# A value shown longer than this is cut (an area's outline, a long description).
SHOWN_LENGTH = 200


class Versioned:
    """A record people edit: a version number that every edit moves on, checked by the
    database on every UPDATE (a save based on an older version writes nothing)."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=sql_text("1"))
    # Columns whose changes are bookkeeping rather than edits: they move no version on,
    # so an edit form opened before them still saves (their UPDATE is still checked).
    unversioned: ClassVar[frozenset[str]] = frozenset({"updated_at"})

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The version is moved on here (see _move_versions_on), not on every UPDATE.
        table = cls.__table__  # type: ignore[attr-defined]
        return {"version_id_col": table.c.version, "version_id_generator": False}


class RecordChange(db.Model):  # type: ignore[name-defined]
    """One saved change of a versioned record: the version it made, who, when, and the
    names of the fields it changed. Values are never copied here: the record and its own
    history (audit trail, revisions) hold them, under their own access rules."""

    __tablename__ = "record_changes"
    __table_args__ = (Index("ix_record_changes_record", "record_type", "record_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Copied, not joined: the name as it was, even after the account changes or goes.
    changed_by_name: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)


def changed(record: Versioned, *names: str) -> None:
    """Count a change that is not in ``record``'s own columns (a row of its own added,
    changed or removed) as a change of ``record`` named ``names``: the next flush moves
    its version on, so a form opened before it is refused."""
    pending = instance_state(record).info.setdefault(_PENDING, set())
    pending.update(names)
    flag_dirty(record)


def _changed_fields(record: Versioned) -> set[str]:
    state = instance_state(record)
    names = set(state.info.pop(_PENDING, ()))
    skipped = {"version", *record.unversioned}
    for attribute in state.mapper.column_attrs:
        if attribute.key not in skipped and state.attrs[attribute.key].history.has_changes():
            names.add(attribute.key)
    return names


def _changed_by() -> tuple[int | None, str]:
    """The signed-in person making this request, or nobody (the command line, a job)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None, ""
    return current_user.id, current_user.name


@event.listens_for(Session, "before_flush")
def _move_versions_on(session: Session, _context: Any, _instances: Any) -> None:
    with session.no_autoflush:
        for record in list(session.dirty):
            if not isinstance(record, Versioned) or record in session.deleted:
                continue
            names = _changed_fields(record)
            if not names:
                continue
            record.version += 1
            who, name = _changed_by()
            session.add(
                RecordChange(
                    record_type=type(record).__tablename__,  # type: ignore[attr-defined]
                    record_id=record.id,  # type: ignore[attr-defined]
                    version=record.version,
                    changed_by_id=who,
                    changed_by_name=name,
                    fields=sorted(names),
                )
            )
        for record in list(session.deleted):
            if isinstance(record, Versioned):
                session.execute(
                    delete(RecordChange).where(
                        RecordChange.record_type == type(record).__tablename__,  # type: ignore[attr-defined]
                        RecordChange.record_id == record.id,  # type: ignore[attr-defined]
                    )
                )


def changes_since(record: Versioned, version: int) -> list[RecordChange]:
    """The changes saved to ``record`` after ``version``, oldest first."""
    return list(
        db.session.scalars(
            select(RecordChange)
            .where(
                RecordChange.record_type == type(record).__tablename__,  # type: ignore[attr-defined]
                RecordChange.record_id == record.id,  # type: ignore[attr-defined]
                RecordChange.version > version,
            )
            .order_by(RecordChange.version, RecordChange.id)
        )
    )


class VersionedForm(Form):
    """A form that edits a record: it carries the version the page was opened on.

    ``change_labels`` names, for the message about someone else's change, a record's
    field that this form shows under another name (a time shown as a date and a clock), or
    leaves one out (None: worked out from others, such as a night from its time). A
    field of the same name as the record's is named by its own label.
    """

    change_labels: ClassVar[dict[str, Any]] = {}

    # The version the page was opened on: a save over someone else's change is refused.
    version = HiddenField()

    def opened_on(self, record: Versioned) -> None:
        """Carry ``record``'s version as it is now."""
        self.version.data = str(record.version)


@dataclass(frozen=True)
class Shown:
    """A changed field, as it is saved now: its label and its value as text."""

    label: str
    value: str


def _label(form: Any, name: str) -> str | None:
    labels = getattr(form, "change_labels", {})
    if name in labels:
        return None if labels[name] is None else str(labels[name])
    field = getattr(form, name, None)
    if isinstance(field, Field) and not isinstance(field, HiddenField):
        return str(field.label.text)
    return None


def _as_text(value: Any, field: Any) -> str:
    if isinstance(field, SelectFieldBase):
        choices = {str(choice[0]): str(choice[1]) for choice in field.iter_choices() or ()}
        values = value if isinstance(value, list | tuple | set) else [value]
        text = ", ".join(choices.get(str(one), str(one)) for one in values if one not in ("", None))
    elif isinstance(value, bool):
        text = _("Yes") if value else _("No")
    elif isinstance(value, datetime):
        text = local_datetime(value)
    elif isinstance(value, date):
        text = local_date(value)
    elif isinstance(value, list | tuple):
        text = ", ".join(str(one) for one in value)
    elif isinstance(value, dict):
        text = json.dumps(value)
    else:
        text = "" if value is None else str(value)
    text = text.strip() or _("(empty)")
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def _shows_value(record: Versioned, name: str, field: Any) -> bool:
    """Whether the value of ``record``'s ``name`` can be shown beside its label: a column
    the form shows under its own name, or one that is not a bare id of another record."""
    columns = class_mapper(type(record)).columns
    if name not in columns:
        return False  # a change of its own rows (appeals, behaviours): the page shows them
    return isinstance(field, Field) or not columns[name].foreign_keys


def _names_in_form_order(form: Any, names: Iterable[str]) -> list[str]:
    order = {field.name: index for index, field in enumerate(form)}
    return sorted(set(names), key=lambda name: (order.get(name, len(order)), name))


def explain(form: Any, record: Versioned | None, since: int | None) -> None:
    """Tell ``form``'s reader that someone else changed ``record`` after ``since`` (the
    version their form was opened on, or the one their request read): who, when and
    which fields, and each of those fields as it is saved now (``form.stale_now``); the
    form then carries the current version, so sending it again (having seen the record
    as it is) saves. ``record`` must be read afresh (after the rollback)."""
    changes = changes_since(record, since) if record is not None and since is not None else []
    shown: list[Shown] = []
    if changes:
        people: list[str] = []
        for change in reversed(changes):  # the latest first
            person = change.changed_by_name or _("the portal itself")
            if person not in people:
                people.append(person)
        names = _names_in_form_order(form, (name for c in changes for name in c.fields))
        labels: list[str] = []
        for name in names:
            label = _label(form, name)
            if label is None or label in labels:
                continue
            labels.append(label)
            field = getattr(form, name, None)
            if record is not None and _shows_value(record, name, field):
                shown.append(Shown(label, _as_text(getattr(record, name), field)))
        message = _(
            "Someone else changed this while you were editing it: %(who)s changed %(what)s"
            " (%(when)s). Nothing you sent was saved, and your answers are still here: check"
            " what is saved now, then send them again.",
            who=", ".join(people),
            what=", ".join(labels) if labels else _("some details"),
            when=local_datetime(changes[-1].changed_at),
        )
    else:
        message = _(
            "Someone else changed this while you were editing it. Nothing you sent was saved,"
            " and your answers are still here: check what is saved now, then send them again."
        )
    form.form_errors.append(message)
    form.stale_now = shown
    if record is not None and hasattr(form, "version"):
        form.version.data = str(record.version)
