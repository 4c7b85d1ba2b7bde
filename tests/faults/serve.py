"""The portal on a real server for the fault tests, in a process of its own.

Run as ``python -m tests.faults.serve``; settings come from the environment:
``PARTNERSHIP_*`` as for the portal, ``FAULT_PORT`` to listen on, ``FAULT_SEED=1`` to make the
schema and the accounts of :data:`ACCOUNTS`, and ``FAULT_STOP_FILE`` / ``FAULT_STOP_COMMAND``:
while the file exists, the next flush of any request first runs the command (which stops
the database) and deletes the file, so the database stops in the middle of that request.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from partnership import create_app
from partnership.admin import service as admin_service
from partnership.auth.models import Organisation
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.venues.models import Venue

PASSWORD = "correct horse battery staple"
ACCOUNTS = {"door@anchor.example": "en", "bar@neon.example": "cy"}


def seed() -> None:
    db.create_all()
    if db.session.scalar(select(Organisation).where(Organisation.name == "The Anchor Bar")):
        return
    org = admin_service.create_organisation(None, "The Anchor Bar", OrgKind.LICENSED_PREMISES)
    db.session.add(
        Venue(
            organisation=org,
            name="The Anchor Bar",
            address="1 Wind Street, Swansea",
            postcode="SA1 1DP",
            latitude=51.6197,
            longitude=-3.9405,
            has_safe_space=True,
        )
    )
    for email, locale in ACCOUNTS.items():
        admin_service.create_user(
            None,
            name=f"Staff {locale}",
            email=email,
            organisation=org,
            role=Role.PREMISES_STAFF,
            rank=None,
            designated_pcso=False,
            locale=locale,
            password=PASSWORD,
        )
    db.session.commit()


def stop_on_next_flush(stop_file: Path, command: str) -> None:
    @event.listens_for(Session, "before_flush")
    def stop_the_database(*_: Any) -> None:
        if stop_file.exists():
            stop_file.unlink()
            subprocess.run(shlex.split(command), check=True, capture_output=True)


def main() -> None:
    app = create_app(
        {
            "SECRET_KEY": "fault-tests-secret-" + "k" * 30,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    if os.environ.get("FAULT_SEED") == "1":
        with app.app_context():
            seed()
    if os.environ.get("FAULT_STOP_FILE"):
        stop_on_next_flush(Path(os.environ["FAULT_STOP_FILE"]), os.environ["FAULT_STOP_COMMAND"])
    server = make_server("127.0.0.1", int(os.environ["FAULT_PORT"]), app, threaded=True)
    print("serving", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
