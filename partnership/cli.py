"""``flask`` commands: users, demo data, backups and the Welsh catalogue."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import func, select

from partnership import demo
from partnership.admin import service as admin_service
from partnership.admin.visibility import membership_problems
from partnership.auth.models import Organisation
from partnership.config import ROOT
from partnership.core import backup
from partnership.core.enums import OrgKind, Rank, Role
from partnership.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")
organisations_cli = AppGroup("organisations", help="Manage member organisations.")
demo_cli = AppGroup("demo", help="Demo data for trying the portal out.")
backup_cli = AppGroup("backup", help="Back up and restore the database and the portal's files.")
translate_cli = AppGroup(
    "translate", help="Extract, update, compile and check the Welsh catalogue."
)

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
WELSH_PO = TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po"


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(organisations_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(translate_cli)


@organisations_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice([k.value for k in OrgKind]), required=True)
def create_organisation_command(name: str, kind: str) -> None:
    """Add an organisation (the first one, before anyone can sign in to add the rest)."""
    if admin_service.organisation_name_taken(name):
        raise click.ClickException(f"An organisation called {name!r} already exists.")
    org = admin_service.create_organisation(None, name, OrgKind(kind))
    db.session.commit()
    click.echo(f"Created {org.name} ({org.kind}).")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--organisation", "organisation_name", required=True, help="Name of an existing organisation"
)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--rank", type=click.Choice([r.value for r in Rank]), default=None)
@click.option("--designated-pcso", is_flag=True, default=False)
@click.option("--locale", type=click.Choice(["en", "cy"]), default="en")
@click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where the portal is served, for the set-password link",
)
def create_user_command(
    email: str,
    name: str,
    organisation_name: str,
    role: str,
    rank: str | None,
    designated_pcso: bool,
    locale: str,
    base_url: str,
) -> None:
    """Create an account and print its one-time set-password link."""
    org = db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == organisation_name.lower())
    )
    if org is None:
        raise click.ClickException(f"No organisation is called {organisation_name!r}.")
    role_enum, rank_enum = Role(role), Rank(rank) if rank else None
    problems = membership_problems(org, role_enum, rank_enum, designated_pcso)
    if problems:
        raise click.ClickException(" ".join(problems.values()))
    if admin_service.email_taken(email):
        raise click.ClickException(f"An account with the email address {email} already exists.")
    created = admin_service.create_user(
        None,
        name=name,
        email=email,
        organisation=org,
        role=role_enum,
        rank=rank_enum,
        designated_pcso=designated_pcso,
        locale=locale,
    )
    db.session.commit()
    with current_app.test_request_context(base_url=base_url):
        link = url_for("auth.set_password", token=created.token, _external=True)
    click.echo(f"Created {created.user.email} ({role}). One-time set-password link:\n{link}")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing if any organisation exists")
def seed_command(if_empty: bool) -> None:
    """Load a small demo partnership with one account per role (not in production)."""
    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("Demo data is refused in production.")
    if db.session.scalar(select(func.count(Organisation.id))):
        if if_empty:
            click.echo("The database already has data: demo data not loaded.")
            demo.print_logins()
            return
        raise click.ClickException("The database already has data; demo data goes in an empty one.")
    demo.seed()
    db.session.commit()
    click.echo("Demo partnership loaded.")
    demo.print_logins()


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def backup_create_command(path: Path | None) -> None:
    """Write a backup to PATH: a new file, or a folder to put a dated one in (default: here).

    It holds a consistent snapshot of the database, taken while the portal keeps working,
    and the files the portal keeps outside it. It holds personal data: keep it encrypted
    and off this machine.
    """
    try:
        created = backup.create_backup(current_app, path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"The backup could not be written: {error}.") from None
    db.session.commit()
    click.echo(f"Backup written to {created.path} ({created.size:,} bytes).")
    click.echo(f"SHA-256 {created.sha256}")
    click.echo("It holds:")
    for line in backup.describe(created.manifest):
        click.echo(f"  {line}")
    click.echo("It holds personal data: keep it encrypted and off this machine.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a database or files that are not empty (back them up first)",
)
def backup_restore_command(path: Path, force: bool) -> None:
    """Restore the backup at PATH into the configured database and the instance folder.

    Every checksum is checked first; a database or folder that is not empty is only
    replaced with --force. The database is then migrated to this version's schema.
    Stop the portal first.
    """
    try:
        restored = backup.restore_backup(current_app, path, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"The backup could not be restored: {error}.") from None
    db.session.commit()
    manifest = restored.manifest
    click.echo(
        f"Restored {path} (made {manifest.created_at} by version {manifest.portal_version}; "
        "every checksum matched):"
    )
    click.echo(f"  the database into {restored.database.label}")
    for folder, count in restored.files.items():
        click.echo(f"  {count} files into {Path(current_app.instance_path) / folder}")
    for setting, (target, named) in restored.setting_files.items():
        click.echo(f"  the {setting} file into {target}")
        if not named:
            click.echo(f"    (set {setting} to {target} for the portal to use it)")
    if restored.revision is None:
        click.echo("The database has no migration revision: it was not migrated.")
    elif restored.revision != manifest.revision:
        click.echo(f"Migrated the database from {manifest.revision} to {restored.revision}.")
    else:
        click.echo(f"The database is at this version's schema ({restored.revision}).")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def _extract(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--sort-output",
        "--project",
        "partnership",
        "--ignore-dirs",
        ".* _* node_modules instance tests bench migrations",
        "-o",
        str(target),
        str(ROOT),
    )


@translate_cli.command("extract")
def extract_command() -> None:
    """Write translations/messages.pot from the code and templates."""
    _extract(POT)


@translate_cli.command("update")
def update_command() -> None:
    """Extract, then merge new and changed strings into the Welsh catalogue."""
    _extract(POT)
    _pybabel(
        "update",
        "-i",
        str(POT),
        "-d",
        str(TRANSLATIONS),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "--no-wrap",
    )


@translate_cli.command("compile")
def compile_command() -> None:
    """Compile the catalogues the portal reads at run time."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


def catalogue_problems() -> list[str]:
    """Every Welsh entry missing, untranslated, fuzzy, stale or with broken placeholders."""
    with tempfile.TemporaryDirectory() as tmp:
        pot_path = Path(tmp) / "messages.pot"
        _extract(pot_path)
        with pot_path.open("rb") as f:
            template = read_po(f)
    with WELSH_PO.open("rb") as f:
        welsh = read_po(f, locale="cy")
    problems: list[str] = []
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    have = {}
    for message in welsh:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        have[key] = message
        if key not in wanted:
            problems.append(f"stale (no longer in the source): {key!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {key!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        for error in message.check(welsh):
            problems.append(f"placeholder error in {key!r}: {error}")
    for key in sorted(wanted - have.keys()):
        problems.append(f"missing: {key!r}")
    problems.extend(f"obsolete entry: {m.id!r}" for m in welsh.obsolete.values())
    if welsh.num_plurals != 6:
        problems.append(f"Welsh needs 6 plural forms, the catalogue has {welsh.num_plurals}")
    return problems


@translate_cli.command("check")
def check_command() -> None:
    """Fail if the Welsh catalogue is not complete and up to date."""
    problems = catalogue_problems()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problems in {WELSH_PO.relative_to(ROOT)}", err=True)
        sys.exit(1)
    click.echo("Welsh catalogue complete.")
