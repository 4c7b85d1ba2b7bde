"""Red-flag search: any part of a searched column, whatever its letter case, in the columns
the user may see; the words are text, never operators; the index follows every edit and
forgets what erasure empties; and the database reads it instead of every subject."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from hypothesis import example, given, note
from hypothesis import strategies as st
from sqlalchemy import Select, delete, insert, text

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.subjects import service
from partnership.subjects.disclosure import erase_subject
from partnership.subjects.models import RedFlagNote, Subject
from partnership.subjects.search import POSTGRESQL_INDEXES, SEARCHED, SHORTEST_INDEXED
from partnership.subjects.visibility import SHAREABLE_PERSONAL
from tests.conftest import update
from tests.subjects.factories import NOW, add_subject

MakeUser = Callable[..., User]
TODAY = NOW.date()

# Each column holds a word no other column holds, so a search tells which column it read.
WORDS = {
    "reference": "RF-2026-7731",
    "description": "Leans on the jukebox",
    "clothing": "Zebrawood jacket",
    "distinguishing_features": "Tattooed kingfisher",
    "name": "Quentin Marlowe",
    "aliases": "Foxglove",
}
# A part of each word, in another letter case.
PARTS = {
    "reference": "7731",
    "description": "JUKEbox",
    "clothing": "ebRAwo",
    "distinguishing_features": "KINGFISH",
    "name": "marlOWE",
    "aliases": "xglo",
}


@pytest.fixture
def officer(make_user: MakeUser) -> User:
    return make_user(Role.OFFICER)


@pytest.fixture
def member(make_user: MakeUser) -> User:
    return make_user(Role.PREMISES_STAFF)


def found(app: Flask, user: User, words: str) -> list[str]:
    """The references of what ``user`` finds with ``words``, newest first."""
    with app.app_context():
        return [subject.reference for subject in service.search(user, words, TODAY)]


def subject_with(app: Flask, officer: User, **columns: str) -> int:
    """A subject members may see (a partnership note), with ``columns`` and nothing else."""
    values: dict[str, Any] = {"description": "", "name": "", **columns}
    subject_id, _ = add_subject(app, officer, "partnership", **values)
    return subject_id


def test_the_words_are_found_in_any_part_of_each_column_in_any_letter_case(
    app: Flask, officer: User, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject_with(app, officer, **WORDS)
    subject_with(app, officer, reference="RF-2026-0001", description="Someone else")
    for column, part in PARTS.items():
        assert found(app, officer, part) == ["RF-2026-7731"], column
        personal = column in SHAREABLE_PERSONAL
        assert found(app, member, part) == ([] if personal else ["RF-2026-7731"]), column
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_NAME_WITH_MEMBERS", True)
    for column in SHAREABLE_PERSONAL:
        assert found(app, member, PARTS[column]) == ["RF-2026-7731"], column


def test_newest_first_and_no_more_than_the_limit(app: Flask, officer: User) -> None:
    for number in range(1, 5):
        subject_with(app, officer, reference=f"RF-2026-000{number}", clothing="Grey hoodie")
    subject_with(app, officer, reference="RF-2026-0005", clothing="Blue coat")
    with app.app_context():
        shown = service.search(officer, "hoodie", TODAY, limit=3)
        assert [subject.reference for subject in shown] == [
            "RF-2026-0004",
            "RF-2026-0003",
            "RF-2026-0002",
        ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("50% off", ["RF-2026-0001"]),
        ("%", ["RF-2026-0001"]),
        ("0%", ["RF-2026-0001"]),
        ("a_b", ["RF-2026-0003"]),
        ("_", ["RF-2026-0003"]),
        ('"hi"', ["RF-2026-0005"]),
        ('"', ["RF-2026-0005"]),
        ('id "h', ["RF-2026-0005"]),
        ("star*", ["RF-2026-0007"]),
        ("*", ["RF-2026-0007"]),
        ("r*", ["RF-2026-0007"]),
        # What FTS5 would read as operators, column filters or a prefix search.
        ("hi OR star", []),
        ("axb NOT a", []),
        ("{name} : axb", []),
        ("name:", ["RF-2026-0009"]),
        ("NEAR(a b)", ["RF-2026-0009"]),
        ("^start", []),
        ("\\", ["RF-2026-0009"]),
    ],
)
def test_signs_in_the_words_are_text_not_operators(
    app: Flask, officer: User, words: str, expected: list[str]
) -> None:
    descriptions = [
        "Half: 50% off",
        "Sells 5000 offers",
        "Shouts a_b",
        "Shouts axb",
        'He said "hi" twice',
        "He said hi twice",
        "Wears a star* badge",
        "Wears a stars badge",
        "Says name: NEAR(a b) and a back\\slash",
    ]
    for number, description in enumerate(descriptions, start=1):
        subject_with(app, officer, reference=f"RF-2026-000{number}", description=description)
    assert found(app, officer, words) == expected


def test_searches_of_one_or_two_characters_still_find(app: Flask, officer: User) -> None:
    subject_with(app, officer, reference="RF-2026-0001", description="Wears a Q badge")
    subject_with(app, officer, reference="RF-2026-0002", description="Plain")
    assert len("q") < SHORTEST_INDEXED
    assert found(app, officer, "q") == ["RF-2026-0001"]
    assert found(app, officer, "Q B") == ["RF-2026-0001"]
    assert found(app, officer, " ai ") == ["RF-2026-0002"]
    assert found(app, officer, "IN") == ["RF-2026-0002"]


def test_an_edit_is_found_by_its_new_words_and_not_by_the_old(app: Flask, officer: User) -> None:
    subject_id = subject_with(app, officer, reference="RF-2026-0001", clothing="Zebrawood coat")
    update(app, Subject, subject_id, clothing="Mustard scarf")
    assert found(app, officer, "zebrawood") == []
    assert found(app, officer, "mustard") == ["RF-2026-0001"]
    # A change of a column that is not searched leaves the index as it was.
    update(app, Subject, subject_id, height="tall")
    assert found(app, officer, "mustard") == ["RF-2026-0001"]


def test_a_deleted_subject_is_not_found(app: Flask, officer: User) -> None:
    subject_id = subject_with(app, officer, reference="RF-2026-0001", clothing="Zebrawood coat")
    with app.app_context():
        db.session.execute(delete(Subject).where(Subject.id == subject_id))
        db.session.commit()
    assert found(app, officer, "zebrawood") == []


def indexed_terms(connection: Any) -> set[str]:
    """Every trigram SQLite's search index holds."""
    connection.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.subject_search_terms"
            " USING fts5vocab(main, subject_search, row)"
        )
    )
    return set(connection.scalars(text("SELECT term FROM temp.subject_search_terms")))


def test_an_erased_subject_is_never_found_and_its_words_leave_the_index(
    app: Flask, officer: User
) -> None:
    subject_id = subject_with(app, officer, **WORDS)
    subject_with(app, officer, reference="RF-2026-0001", description="Someone else")
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:
            assert {"juk", "zeb", "kin", "que", "fox"} <= indexed_terms(db.session)
        subject = db.session.get(Subject, subject_id)
        assert subject is not None
        erase_subject(officer, subject, "Erasure request ER-1", NOW)
        db.session.commit()
    for part in (*PARTS.values(), "RF-2026"):
        assert "RF-2026-7731" not in found(app, officer, part), part
    with app.app_context():
        if sqlite:
            # Only the reference, which erasure keeps, and the other subject's words.
            expected = {"rf-", "f-2", "-20", "202", "026", "26-", "6-7", "-77", "773", "731"}
            expected |= {"6-0", "-00", "000", "001", *trigrams("someone else")}
            assert indexed_terms(db.session) == expected
        else:
            # PostgreSQL's indexes are of the row's own columns, which erasure emptied.
            row = db.session.get(Subject, subject_id)
            assert row is not None
            assert all(getattr(row, name) == "" for name in SEARCHED if name != "reference")


def trigrams(words: str) -> set[str]:
    return {words[start : start + 3] for start in range(len(words) - 2)}


def test_a_merged_profile_is_found_as_the_one_it_was_merged_into(app: Flask, officer: User) -> None:
    keep_id = subject_with(app, officer, reference="RF-2026-0001", description="Kept")
    absorb_id = subject_with(
        app, officer, reference="RF-2026-0002", description="Absorbed", name="Quentin Marlowe"
    )
    with app.app_context():
        keep = db.session.get(Subject, keep_id)
        absorb = db.session.get(Subject, absorb_id)
        assert keep is not None and absorb is not None
        service.merge_subjects(officer, keep, absorb, "Same person", NOW)
        db.session.commit()
    # The kept profile now has the other's name among its aliases, and its description.
    assert found(app, officer, "marlowe") == ["RF-2026-0001"]
    assert found(app, officer, "absorbed") == ["RF-2026-0001"]


# The query plan: with a county's worth of subjects, the database reads the index.

# PostgreSQL weighs the indexes against reading the table by their sizes, and reads a table
# of a few thousand subjects whole; SQLite takes the index's word for its cost, whatever the
# size (and deleting many subjects after the test is slow on SQLite).
SUBJECTS_IN_THE_PLAN_TEST = {"sqlite": 1_000, "postgresql": 10_000}


def many_subjects(app: Flask, officer: User) -> None:
    """Thousands of subjects with ordinary words, and one with :data:`WORDS`; the database's
    statistics brought up to date, as they would be on a county's database."""
    with app.app_context():
        dialect = db.engine.dialect.name
    rows = [
        {
            "reference": f"RF-2025-{number:05d}",
            "description": f"Person {number} who waits by the bar and follows women out",
            "clothing": "Black jacket",
            "name": f"Name {number}",
            "organisation_id": officer.organisation_id,
        }
        for number in range(SUBJECTS_IN_THE_PLAN_TEST[dialect])
    ]
    with app.app_context():
        ids = db.session.scalars(insert(Subject).returning(Subject.id), rows).all()
        notes = [
            {
                "subject_id": subject_id,
                "author_id": officer.id,
                "organisation_id": officer.organisation_id,
                "text": "Follows women out",
                "sharing": "partnership",
                "review_on": TODAY + timedelta(days=90),
            }
            for subject_id in ids
        ]
        db.session.execute(insert(RedFlagNote), notes)
        db.session.commit()
    subject_with(app, officer, **WORDS)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after many inserts: a GIN index keeps new entries in a
            # pending list, read in full by every search, until they are moved in.
            for name in POSTGRESQL_INDEXES:
                db.session.execute(text("SELECT gin_clean_pending_list(:name)"), {"name": name})
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def plan_of(query: Select[tuple[Subject]]) -> list[str]:
    """What the database says it does to answer ``query`` (its words written into it)."""
    sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        return [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    # No parameters, but given: the driver reads the doubled % of the written words as one.
    return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", {})]


@dataclass(frozen=True)
class ExpectedPlan:
    """What a plan that reads the index says, on each database."""

    reads: list[str]
    never: str

    @classmethod
    def of(cls, dialect: str, columns: list[str]) -> ExpectedPlan:
        if dialect == "sqlite":
            return cls(reads=["VIRTUAL TABLE INDEX"], never="SCAN subjects")
        reads = [f"ix_subjects_{name}_trigram" for name in columns]
        return cls(reads=reads, never="Seq Scan on subjects")


def test_the_search_reads_the_index_not_every_subject(
    app: Flask, officer: User, member: User
) -> None:
    many_subjects(app, officer)
    assert found(app, officer, "marlowe") == ["RF-2026-7731"]
    with app.app_context():
        for user, columns in ((officer, list(SEARCHED)), (member, list(SEARCHED[:4]))):
            plan = plan_of(service.search_query(user, "Zebrawood", TODAY))
            expected = ExpectedPlan.of(db.engine.dialect.name, columns)
            shown = "\n".join(plan)
            for step in expected.reads:
                assert step in shown, shown
            assert not any(expected.never in line for line in plan), shown


# The index gives the same answer as reading every subject with the plain rule.

ALPHABET = "abcAB xyz0%_\"*'-:{}()^\\"
TEXTS = st.text(alphabet=ALPHABET, max_size=12)


def plain_rule(subjects: list[dict[str, str]], columns: list[str], words: str) -> list[str]:
    """The search as it reads without an index: the references of the subjects with the
    stripped words inside one of ``columns``, ignoring letter case, newest first."""
    words = words.strip().lower()
    hits = [
        subject["reference"]
        for subject in subjects
        if any(words in subject[column].lower() for column in columns)
    ]
    return list(reversed(hits))[:50]


@dataclass
class Example:
    subjects: list[dict[str, str]]
    words: str


@st.composite
def examples(draw: st.DrawFn) -> Example:
    """Up to six subjects with random texts, and words that are often part of one."""
    count = draw(st.integers(min_value=1, max_value=6))
    subjects = [
        {
            "reference": f"R{number}{draw(st.text(alphabet=ALPHABET, max_size=10))}",
            **{column: draw(TEXTS) for column in SEARCHED if column != "reference"},
        }
        for number in range(count)
    ]
    if draw(st.booleans()):
        source = draw(st.sampled_from(subjects))[draw(st.sampled_from(SEARCHED))]
        start = draw(st.integers(min_value=0, max_value=len(source)))
        end = draw(st.integers(min_value=start, max_value=len(source)))
        words = source[start:end]
        words = draw(st.sampled_from([words, words.upper(), words.swapcase()]))
    else:
        words = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=5))
    return Example(subjects, words)


def test_the_index_finds_what_reading_every_subject_finds(
    app: Flask, officer: User, member: User
) -> None:
    """ASCII only: SQLite's ``lower()`` folds no other letters (its short searches use it),
    where its index and PostgreSQL fold them all."""

    @given(examples())
    @example(Example([{**WORDS}], "ebRAwo"))
    @example(Example([{**WORDS, "description": "50% off"}], "0% o"))
    @example(Example([{**WORDS, "aliases": 'say "x" y'}], '"x" '))
    def search_the_same(drawn: Example) -> None:
        with app.app_context():
            db.session.execute(delete(Subject))
            db.session.commit()
        for columns in drawn.subjects:
            subject_with(app, officer, **columns)
        note(f"words {drawn.words!r}")
        everything = [*drawn.subjects]
        assert found(app, officer, drawn.words) == plain_rule(
            everything, list(SEARCHED), drawn.words
        )
        assert found(app, member, drawn.words) == plain_rule(
            everything, list(SEARCHED[:4]), drawn.words
        )

    search_the_same()


def test_a_member_finds_only_subjects_with_an_active_partnership_note(
    app: Flask, officer: User, member: User
) -> None:
    subject_with(app, officer, reference="RF-2026-0001", clothing="Zebrawood coat")
    add_subject(
        app,
        officer,
        "police",
        reference="RF-2026-0002",
        clothing="Zebrawood hat",
        name="",
    )
    add_subject(
        app,
        officer,
        "partnership",
        reference="RF-2026-0003",
        clothing="Zebrawood scarf",
        review_on=TODAY - timedelta(days=1),
    )
    assert found(app, member, "zebrawood") == ["RF-2026-0001"]
    assert found(app, officer, "zebrawood") == ["RF-2026-0003", "RF-2026-0002", "RF-2026-0001"]
