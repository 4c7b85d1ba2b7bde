from partnership.core.enums import TITLES, TitledEnum


def test_every_enum_member_has_a_title() -> None:
    enums = {cls for cls in TITLES}
    for enum in enums:
        assert set(TITLES[enum]) == {member.value for member in enum}, enum.__name__
    assert set(TitledEnum.__subclasses__()) == enums
