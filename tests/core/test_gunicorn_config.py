"""The production command in README.md runs gunicorn with the repository's own settings,
which give a long download the time it needs (docs/decisions.md, "Reports")."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"


def test_the_production_command_uses_the_repositorys_gunicorn_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"\.venv/bin/gunicorn (.*)", readme)
    assert command is not None
    assert "--config gunicorn.conf.py" in command.group(1)


def test_a_worker_is_given_longer_than_gunicorns_default_for_one_request() -> None:
    default = Config().timeout
    settings = runpy.run_path(str(CONFIG))  # as gunicorn reads it: a Python file
    config = Config()
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    assert config.timeout > default
