"""Statements kept per reader (partnership.core.statements): a kept statement answers for
the reader it was built for, and the visibility rules read nothing of a user that its key
leaves out."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from partnership.alerts import service as alerts_service
from partnership.alerts.models import Audience
from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.statements import READER_ATTRIBUTES, PerReader
from partnership.extensions import db
from tests.alerts.factories import add_alert

PACKAGE = Path(__file__).resolve().parents[2] / "partnership"
# What a rule may read of a user: the key's columns, and the enums made of them.
READABLE = {*READER_ATTRIBUTES, "role_enum", "rank_enum"}


def test_visibility_rules_read_only_what_the_key_holds() -> None:
    read: dict[str, set[str]] = {}
    for module in PACKAGE.rglob("visibility.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"user", "actor", "reader", "viewer"}
            ):
                read.setdefault(node.attr, set()).add(str(module.relative_to(PACKAGE)))
    assert read, "no visibility rule read anything of a user: the scan is broken"
    assert {"role_enum", "organisation_id", "id"} <= set(read)
    beyond = {name: modules for name, modules in read.items() if name not in READABLE}
    assert beyond == {}, f"rules read more of a user than statements are kept under: {beyond}"


def test_unread_count_follows_the_readers_organisation(
    app: Flask,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
) -> None:
    anchor = make_org(OrgKind.LICENSED_PREMISES, "Anchor Ltd")
    neon = make_org(OrgKind.LICENSED_PREMISES, "Neon Ltd")
    staff = make_user(Role.PREMISES_STAFF, anchor)
    add_alert(app, Audience.ORGANISATION.value, anchor.id)
    add_alert(app, Audience.ORGANISATION.value, neon.id)
    add_alert(app, Audience.ORGANISATION.value, neon.id)
    with app.test_request_context("/"):
        user = db.session.get(User, staff.id)
        assert user is not None
        day = user.created_at.date()
        assert alerts_service.unread_count(user, day) == 1
        user.organisation_id = neon.id
        db.session.commit()
        assert alerts_service.unread_count(user, day) == 2
        user.role = Role.ANALYST.value  # no alerts for analysts
        assert alerts_service.unread_count(user, day) == 0


def test_a_statement_is_built_once_per_reader_and_arguments(
    app: Flask, make_user: Callable[..., User]
) -> None:
    built: list[tuple[int, int]] = []

    def build(user: User, day: int) -> tuple[int, int]:
        built.append((user.id, day))
        return (user.id, day)

    kept = PerReader(build, kept=2)
    first, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    with app.app_context():
        one, two = db.session.get(User, first.id), db.session.get(User, second.id)
        assert one is not None and two is not None
        assert [kept(one, 1), kept(one, 1), kept(two, 1), kept(one, 2)] == [
            (one.id, 1),
            (one.id, 1),
            (two.id, 1),
            (one.id, 2),
        ]
        assert built == [(one.id, 1), (two.id, 1), (one.id, 2)]
        kept(one, 1)  # the least recently used went when a third was kept
        assert built[-1] == (one.id, 1)
