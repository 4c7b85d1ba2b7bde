"""What a downgrade would destroy, checked before it changes anything.

A revision's downgrade drops the tables and columns its upgrade added. Where those hold
data the older schema has nowhere to keep, the downgrade refuses, naming what would be lost
and how many rows, unless it is run with ``-x lose-data=yes``. Each revision says what its
downgrade drops in a module-level ``DROPS``::

    from keep_data import Drops

    DROPS = Drops(
        revision,
        tables=["public_reports"],                      # refuses while any row is left
        columns={"subjects.erased_at": None},           # refuses while any is not NULL
        disposable=["report_runs", "sighting_behaviours.night"],  # dropped without asking
    )

    def downgrade():
        DROPS.refuse_to_lose_data()
        ...

``columns`` maps ``table.column`` to the value that holds nothing (``None`` for NULL, or
e.g. ``""`` for a text column that is never NULL). ``disposable`` names tables and columns
whose content is worked out again by the upgrade or is a short-lived cache, so dropping them
loses nothing. tests/core/test_migrations.py checks that every table and column a downgrade drops
is named in one of the three.

Revisions import this module by name (alembic.ini puts this folder on ``sys.path``), so it
is kept import-stable: it never imports the portal's own code, and a change to it must keep
every existing revision working.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError

log = logging.getLogger("alembic.runtime.migration")

# `flask db downgrade -x lose-data=yes` drops what the older schema cannot hold.
LOSE_DATA = "lose-data"


class DataWouldBeLost(CommandError):
    """A downgrade refused before changing anything, because it would destroy data.

    A CommandError, so `flask db downgrade` prints the message and exits with status 1."""


@dataclass(frozen=True)
class Drops:
    """The tables and columns a revision's downgrade drops (see the module's docstring)."""

    revision: str
    tables: Sequence[str] = ()
    columns: Mapping[str, object] = field(default_factory=dict)
    disposable: Sequence[str] = ()

    def holding_data(self, connection: sa.Connection) -> list[tuple[str, int]]:
        """Each table with rows and each column with values, and how many rows."""
        found = []
        for name in self.tables:
            rows = connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            if rows:
                found.append((name, int(rows)))
        for name, empty in self.columns.items():
            table, column = name.split(".")
            rows_of = sa.table(table, sa.column(column))
            value = rows_of.c[column]
            holds = value.is_not(None) if empty is None else value != empty
            query = sa.select(sa.func.count()).select_from(rows_of).where(holds)
            rows = connection.scalar(query)
            if rows:
                found.append((name, int(rows)))
        return found

    def refuse_to_lose_data(self) -> None:
        """Raise DataWouldBeLost if anything this downgrade drops holds data, unless the
        command was given ``-x lose-data=yes``; then log what is deleted and go on."""
        found = self.holding_data(op.get_bind())
        if not found:
            return
        lines = [
            f"  {name}: {rows} row{'s' if rows != 1 else ''}"
            + (" with a value" if "." in name else "")
            for name, rows in found
        ]
        if _losing_data_allowed():
            log.warning(
                "Downgrade of %s deletes, as -x %s=yes asked:\n%s",
                self.revision,
                LOSE_DATA,
                "\n".join(lines),
            )
            return
        raise DataWouldBeLost(
            f"Downgrade of revision {self.revision} refused: the older schema has nowhere"
            " to keep\n"
            + "\n".join(lines)
            + "\nNothing was changed: the whole run was rolled back. Export what must be"
            " kept, delete those rows (or empty those columns) and run the downgrade again;"
            f" or run it with `-x {LOSE_DATA}=yes` to delete them with the tables and"
            " columns."
        )


def _losing_data_allowed() -> bool:
    answer = context.get_x_argument(as_dictionary=True).get(LOSE_DATA, "")
    return answer.strip().lower() in {"yes", "true", "1"}
