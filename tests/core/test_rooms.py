"""The house rules of the code (docs/architecture.md), read from the source itself.

- Who may see which record is decided in one visibility module per record type: every
  ``visible_*`` and ``find_visible_*`` function lives in a ``visibility.py``, each name once.
- Role names appear only where access is decided: ``core/enums.py`` (where the roles are
  defined), ``core/access.py``, the visibility modules and the navigation; templates name
  none (they ask ``may_open`` or take a flag the view worked out).
- No module of the portal is over 600 lines.
"""

from __future__ import annotations

import ast
import re

from partnership.config import ROOT
from partnership.core.enums import Role

PACKAGE = ROOT / "partnership"
TEMPLATES = ROOT / "templates"
MOST_LINES = 600

ROLE_HOMES = {"core/enums.py", "core/access.py", "core/navigation.py"}
# The demo accounts are data: each names the role it is made with.
ROLE_DATA = {"demo.py"}
ROLE_VALUES = {role.value for role in Role}


def modules() -> list[tuple[str, str]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def role_names_in(source: str) -> list[int]:
    """The lines of ``source`` that name a role: ``Role.OFFICER``, or a role's stored value
    compared with something (``role == "officer"``, ``role in ("officer", ...)``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Role"
            and node.attr in Role.__members__
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                items = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                if any(
                    isinstance(item, ast.Constant) and item.value in ROLE_VALUES for item in items
                ):
                    lines.append(node.lineno)
    return sorted(set(lines))


def allowed_to_name_roles(relative: str) -> bool:
    return relative in ROLE_HOMES | ROLE_DATA or relative.endswith("/visibility.py")


def test_the_role_check_finds_a_role_named_outside_the_rules() -> None:
    source = (
        "from partnership.core.enums import Role\n"
        "def f(user):\n"
        "    if user.role_enum is Role.OFFICER:\n"
        "        return 1\n"
        "    if user.role in ('premises_staff', 'welfare'):\n"
        "        return 2\n"
        "    return user.role == 'analyst'\n"
        "KEY = 'welfare'  # a key that happens to spell a role is not a rule\n"
    )
    assert role_names_in(source) == [3, 5, 7]


def test_roles_are_named_only_where_access_is_decided() -> None:
    found = [
        f"{relative}:{line}"
        for relative, source in modules()
        if not allowed_to_name_roles(relative)
        for line in role_names_in(source)
    ]
    assert found == [], "name a group or predicate of the feature's visibility module instead"


def template_role_names(text: str) -> list[int]:
    """The lines of a template whose tags compare a role or list roles' stored values."""
    values = "|".join(sorted(ROLE_VALUES))
    naming = re.compile(rf"role(_enum)?(\.value)?\s*(==|!=|in|not in)|[\"']({values})[\"']\s*[,)]")
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if any(naming.search(tag) for tag in re.findall(r"{%.*?%}|{{.*?}}", line))
    ]


def test_the_template_check_finds_a_role_list() -> None:
    text = (
        '{% if current_user.role_enum.value in ("premises_staff", "officer") %}x{% endif %}\n'
        "<p>The officer said no.</p>\n"
        '{% if report.role not in ("officer", "inspector") %}y{% endif %}\n'
        "{% if may_open('sightings.create') %}z{% endif %}\n"
    )
    assert template_role_names(text) == [1, 3]


def test_templates_name_no_role() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number in template_role_names(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "ask may_open(endpoint) or pass a flag from the view"


def test_who_may_see_a_record_is_decided_in_one_visibility_module() -> None:
    homes: dict[str, list[str]] = {}
    for relative, source in modules():
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith(
                ("visible_", "find_visible_")
            ):
                homes.setdefault(node.name, []).append(relative)
    assert homes, "the visibility functions were not found"
    outside = {
        name: where for name, where in homes.items() if where[0].split("/")[-1] != ("visibility.py")
    }
    twice = {name: where for name, where in homes.items() if len(where) > 1}
    assert outside == {} and twice == {}
    for record in ("sightings", "subjects", "public_reports", "directions", "notices"):
        assert f"visible_{record}" in homes


def test_no_module_is_over_600_lines() -> None:
    long = {
        relative: count
        for relative, source in modules()
        if (count := len(source.splitlines())) > MOST_LINES
    }
    assert long == {}
