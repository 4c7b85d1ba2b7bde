"""Fixtures for the fault tests: throwaway PostgreSQL and Redis servers, the portal on a
real server in a process of its own, and a browser-like client that reads and sends forms."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.throwaway import ThrowawayPostgres, ThrowawayRedis, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres().create()
    yield server
    server.destroy()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(tmp_path).start()
    yield server
    server.stop()


@dataclass
class Portal:
    """The portal served by a process of its own."""

    base_url: str
    process: subprocess.Popen[str]
    stop_file: Path
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop_database_on_next_flush(self) -> None:
        self.stop_file.touch()

    def log_text(self) -> str:
        return self.log.read_text()


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Portal]]:
    """Start the portal with settings (``PARTNERSHIP_*`` without the prefix); stopped after
    the module's tests."""
    started: list[Portal] = []
    tmp_path = tmp_path_factory.mktemp("portals")

    def start(stop_command: str = "true", **settings: str) -> Portal:
        port = free_port()
        folder = tmp_path / f"portal{len(started)}"
        folder.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERSHIP_", "FLASK_"))}
        env.update({f"PARTNERSHIP_{name}": value for name, value in settings.items()})
        env.update(
            PARTNERSHIP_INSTANCE_PATH=str(folder),
            FAULT_PORT=str(port),
            FAULT_SEED="1",
            FAULT_STOP_FILE=str(folder / "stop-database"),
            FAULT_STOP_COMMAND=stop_command,
            PYTHONUNBUFFERED="1",
        )
        log = folder / "server.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.faults.serve"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
        portal = Portal(f"http://127.0.0.1:{port}", process, folder / "stop-database", log)
        started.append(portal)

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the portal stopped:\n{log.read_text()}")
            return "serving" in log.read_text()

        wait_for(ready, "the portal")
        return portal

    yield start
    for portal in started:
        portal.process.terminate()
        portal.process.wait(timeout=10)


class _Forms(HTMLParser):
    """Every form of a page: its action and the values it would send as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "id": a.get("id"), "fields": []})
            return
        if not self.forms:
            return
        fields: list[tuple[str, str]] = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("file", "submit"):
                return
            fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            fields.append((a.get("name", ""), ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            fields = self.forms[-1]["fields"]
            name, value = fields[-1]
            fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(page: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def form_of(
    page: str, action: str | None = None, form_id: str | None = None, having: str | None = None
) -> dict[str, Any]:
    """The page's form with this id, or this action, or a field of this name."""
    for form in forms_of(page):
        if (
            (form_id and form["id"] == form_id)
            or (action and form["action"].startswith(action))
            or (having and any(name == having for name, _ in form["fields"]))
        ):
            return form
    raise AssertionError(f"no form {form_id or action} on the page:\n{page[:2000]}")


class Browser(requests.Session):
    """A browser without JavaScript: cookies, no redirects followed unless asked."""

    def __init__(self, portal: Portal) -> None:
        super().__init__()
        self.portal = portal

    def open(self, path: str, **kwargs: Any) -> requests.Response:
        return self.get(self.portal.url(path), allow_redirects=True, timeout=30, **kwargs)

    def send_form(
        self,
        path: str,
        fields: list[tuple[str, str]],
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    ) -> requests.Response:
        return self.post(
            self.portal.url(path),
            data=fields,
            files=files or None,
            allow_redirects=False,
            timeout=30,
        )

    def sign_in_fields(self, email: str, password: str) -> list[tuple[str, str]]:
        """The sign-in form as the page gives it, filled in."""
        page = self.open("/auth/login").text
        return replace(
            form_of(page, action="/auth/login")["fields"], email=email, password=password
        )

    def sign_in(self, email: str, password: str) -> requests.Response:
        return self.send_form("/auth/login", self.sign_in_fields(email, password))


def replace(fields: list[tuple[str, str]], **values: str | list[str]) -> list[tuple[str, str]]:
    """``fields`` with each of ``values`` in place of what the page held."""
    kept = [(name, value) for name, value in fields if name not in values]
    for name, value in values.items():
        for one in [value] if isinstance(value, str) else value:
            kept.append((name, one))
    return kept
