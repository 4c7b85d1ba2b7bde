"""No module-level import circle anywhere in partnership/, and the check that says so finds
one when there is one (scripts/check_imports.py, also run by `make lint`)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_imports.py"


@pytest.fixture(scope="module")
def check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_partnership_has_no_import_circle(check: ModuleType) -> None:
    graph = check.import_graph("partnership")
    assert "partnership.alerts.triggers" in graph
    assert check.circles(graph) == []


def _package(root: Path, name: str, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def made_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("circled")]:
        del sys.modules[name]


def test_a_circle_is_found_and_named(
    check: ModuleType, made_up: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _package(
        made_up,
        "circled",
        {
            "__init__.py": "",
            "one.py": "from circled import two\n",
            "two.py": "from circled.three import X\n",
            "three.py": "import circled.one\nX = 1\n",
            # Type-only imports run no code: no circle.
            "four.py": "import typing\nif typing.TYPE_CHECKING:\n    import circled.five\n",
            "five.py": "import circled.four\n",
        },
    )
    assert check.main(["check_imports.py", "circled"]) == 1
    said = capsys.readouterr().out
    assert "circled.one, circled.three, circled.two" in said
    assert "circled.one -> circled.two -> circled.three -> circled.one" in said
    assert "circled.four" not in said


def test_a_circle_through_a_package_that_imports_its_views(
    check: ModuleType, made_up: Path
) -> None:
    """Importing ``circled.feature.models`` runs ``circled.feature`` first, whose views
    import the module that imported the models: a circle, though no file names another
    twice."""
    _package(
        made_up,
        "circled",
        {
            "__init__.py": "def create_app():\n    import circled.feature.views\n",
            "feature/__init__.py": "from circled.feature import views\n",
            "feature/models.py": "",
            "feature/views.py": "from circled import other\n",
            "other.py": "from circled.feature.models import *\n",
        },
    )
    found = check.circles(check.import_graph("circled"))
    assert found == [["circled.feature", "circled.feature.views", "circled.other"]]


def test_a_package_importing_its_own_modules_is_no_circle(check: ModuleType, made_up: Path) -> None:
    _package(
        made_up,
        "circled",
        {
            "__init__.py": "from circled import config\n",
            "config.py": "",
            "feature/__init__.py": "",
            "feature/models.py": "",
            "feature/views.py": "from circled.feature import models\n",
        },
    )
    assert check.circles(check.import_graph("circled")) == []
