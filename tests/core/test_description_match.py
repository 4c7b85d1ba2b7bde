"""Comparing two described people: when they may be the same person, and why."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from partnership.core.description import DescriptionMatch, match_description


def person(**described: str) -> Any:
    fields = {
        "apparent_sex": "",
        "age_band": "",
        "height": "",
        "build": "",
        "clothing": "",
        "distinguishing_features": "",
    }
    fields.update(described)
    return SimpleNamespace(**fields)


def test_three_coded_fields_agreeing_are_a_match() -> None:
    one = person(apparent_sex="male", age_band="25_34", height="tall", build="slim")
    other = person(apparent_sex="male", age_band="25_34", height="tall")
    assert match_description(one, other) == DescriptionMatch(
        ("apparent_sex", "age_band", "height"), ()
    )


def test_two_fields_need_a_shared_distinctive_word() -> None:
    one = person(apparent_sex="male", build="heavy", clothing="Grey hoodie, white trainers")
    other = person(
        apparent_sex="male", build="heavy", distinguishing_features="hoodie with a spider"
    )
    assert match_description(one, other) == DescriptionMatch(("apparent_sex", "build"), ("hoodie",))
    no_word = person(apparent_sex="male", build="heavy", clothing="Black coat")
    assert match_description(one, no_word) is None


def test_common_and_short_words_are_not_shared_words() -> None:
    one = person(apparent_sex="male", build="heavy", clothing="Wearing a dark top with red cap")
    other = person(apparent_sex="male", build="heavy", clothing="dark top, wearing a red hat")
    assert match_description(one, other) is None


def test_one_disagreeing_field_rules_out_a_match() -> None:
    one = person(apparent_sex="male", age_band="25_34", height="tall", build="slim")
    other = person(apparent_sex="male", age_band="25_34", height="tall", build="heavy")
    assert match_description(one, other) is None


def test_a_sparse_description_matches_nothing() -> None:
    one = person(apparent_sex="male", clothing="Spider tattoo hoodie")
    other = person(apparent_sex="male", age_band="25_34", clothing="Spider tattoo hoodie")
    assert match_description(one, other) is None
    assert match_description(person(), person()) is None


def test_blank_fields_neither_agree_nor_disagree() -> None:
    one = person(apparent_sex="male", age_band="25_34", height="tall")
    other = person(apparent_sex="male", age_band="25_34", height="tall", build="heavy")
    assert match_description(one, other) == match_description(other, one)
    assert match_description(one, other) is not None


def test_not_sure_neither_agrees_nor_disagrees() -> None:
    unsure = person(apparent_sex="not_sure", age_band="not_sure", height="tall", build="slim")
    sure = person(apparent_sex="male", age_band="25_34", height="tall", build="slim")
    assert match_description(unsure, sure) is None  # only two known fields agree, no words
    both_unsure = person(apparent_sex="not_sure", age_band="not_sure", height="not_sure")
    assert match_description(both_unsure, both_unsure) is None
    three = person(apparent_sex="not_sure", age_band="25_34", height="tall", build="slim")
    assert match_description(three, sure) == DescriptionMatch(("age_band", "height", "build"), ())
