"""The flask commands: accounts, demo data and the Welsh catalogue check."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from partnership import cli
from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind
from partnership.demo import USERS
from partnership.extensions import db


def test_demo_seed_loads_one_account_per_role_and_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "door@anchor.example" in result.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
        kinds = set(db.session.scalars(select(Organisation.kind)))
        venues = db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.kind == "licensed_premises")
        )
    assert roles == {
        "premises_staff",
        "welfare",
        "officer",
        "inspector",
        "coordinator",
        "analyst",
        "admin",
    }
    assert kinds == {k.value for k in OrgKind}
    assert venues == 3

    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "demo data not loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == len(USERS)

    refused = runner.invoke(args=["demo", "seed"])
    assert refused.exit_code != 0


def test_demo_seed_is_refused_in_production(other_app: Callable[..., Flask]) -> None:
    production = other_app(ENVIRONMENT="production", SESSION_COOKIE_SECURE=True)
    result = production.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code != 0
    assert "refused in production" in result.output
    with production.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_prints_a_one_time_link(
    app: Flask, make_org: Callable[..., Organisation]
) -> None:
    org = make_org(OrgKind.POLICE, "Dyfed-Powys Police")
    runner = app.test_cli_runner()
    args = [
        "users",
        "create",
        "--email",
        "Insp@Police.example",
        "--name",
        "Insp. Jones",
        "--organisation",
        "dyfed-powys police",
        "--role",
        "inspector",
        "--rank",
        "inspector",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/auth/set-password/" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "insp@police.example"))
        assert user is not None and user.organisation_id == org.id

    duplicate = runner.invoke(args=args)
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    wrong_rank = runner.invoke(
        args=[*args[:-4], "--role", "inspector", "--rank", "sergeant", "--email", "b@x.org"]
    )
    assert wrong_rank.exit_code != 0 and "inspector or above" in wrong_rank.output
    unknown = runner.invoke(args=[*args[:6], "--organisation", "Nowhere", "--role", "welfare"])
    assert unknown.exit_code != 0 and "No organisation" in unknown.output


def test_organisations_create_refuses_a_duplicate_name(app: Flask) -> None:
    runner = app.test_cli_runner()
    args = ["organisations", "create", "--name", "Gower Partnership", "--kind", "partnership"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=[*args[:3], "gower partnership", *args[4:]])
    assert again.exit_code != 0 and "already exists" in again.output
    assert runner.invoke(args=[*args[:5], "pub"]).exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 1


@pytest.fixture
def catalogue_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "messages.po"
    shutil.copy(cli.WELSH_PO, copy)
    monkeypatch.setattr(cli, "WELSH_PO", copy)
    return copy


def test_the_catalogue_check_passes_on_the_real_catalogue(app: Flask) -> None:
    with app.app_context():
        assert cli.catalogue_problems() == []


def test_the_catalogue_check_finds_untranslated_fuzzy_stale_and_missing_entries(
    app: Flask, catalogue_copy: Path
) -> None:
    text = catalogue_copy.read_text()
    text = text.replace('msgid "Sign in"\nmsgstr "Mewngofnodi"', 'msgid "Sign in"\nmsgstr ""', 1)
    text = text.replace('msgid "Dashboard"', '#, fuzzy\nmsgid "Dashboard"', 1)
    text = text.replace('msgid "Audit log"\n', 'msgid "Audit log"\n', 1)
    text += '\nmsgid "A string nobody uses any more"\nmsgstr "Llinyn"\n'
    start = text.index('msgid "Page not found"')
    end = text.index("\n\n", start)
    text = text[:start] + text[end + 2 :]
    catalogue_copy.write_text(text)
    with app.app_context():
        problems = "\n".join(cli.catalogue_problems())
    assert "untranslated: 'Sign in'" in problems
    assert "fuzzy: 'Dashboard'" in problems
    assert "stale (no longer in the source): 'A string nobody uses any more'" in problems
    assert "missing: 'Page not found'" in problems


def test_the_catalogue_check_finds_broken_placeholders(app: Flask, catalogue_copy: Path) -> None:
    text = catalogue_copy.read_text()
    start = text.index('msgid "%(name)s is added."')
    line_end = text.index("\n", text.index("msgstr", start))
    text = (
        text[:start] + 'msgid "%(name)s is added."\nmsgstr "Ychwanegwyd %(enw)s."' + text[line_end:]
    )
    catalogue_copy.write_text(text)
    with app.app_context():
        problems = cli.catalogue_problems()
    assert any("placeholder" in p and "%(name)s is added." in p for p in problems)
