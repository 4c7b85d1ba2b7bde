"""Fixtures for the browser suite: a real server, one Chromium, axe, and a stand-in phone app.

The server runs in a subprocess on a free loopback port with its own throw-away
instance folder and demo data, so the suite never touches the developer's
``instance/`` and exercises the same code path as ``make run``.
Nothing here is autouse: the Python suite in ``tests/`` is unaffected.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    StorageState,
    ViewportSize,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

STARTUP_SECONDS = 30
SETUP_COMMAND_SECONDS = 120
# Fail fast in a browser step: every page here is local and small.
ACTION_TIMEOUT_MS = 10_000

# axe rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# The portal accepts a code one 30-second step ahead of its clock (see auth/service.py).
TOTP_INTERVAL = 30

_minor_findings_key = pytest.StashKey[list[str]]()


# --- The server -----------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """Where the portal under test answers, and where its output goes."""

    base_url: str
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    """A port nothing listens on now (the OS picks it), for the server to bind next."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _flask_script() -> Path:
    """The ``flask`` script of the venv running pytest, whichever venv that is."""
    script = Path(sys.executable).parent / "flask"
    if not script.exists():
        pytest.fail(f"No flask script next to {sys.executable}: install the project (make setup).")
    return script


def _server_env(instance: Path) -> dict[str, str]:
    """The caller's environment without its portal or Flask settings, plus ours.

    A developer's ``PARTNERSHIP_DATABASE_URL`` or ``FLASK_DEBUG`` must not leak into
    the server under test.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERSHIP_", "FLASK_"))}
    env.update(
        FLASK_APP="partnership",
        PARTNERSHIP_INSTANCE_PATH=str(instance),
        PARTNERSHIP_SECRET_KEY=secrets.token_urlsafe(48),
        PYTHONUNBUFFERED="1",
    )
    return env


def _run_setup(command: list[str], env: dict[str, str]) -> None:
    """Run a ``flask`` command to completion, failing the session with its output."""
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_COMMAND_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
            pytrace=False,
        )


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The portal, migrated and seeded with the demo partnership, served on loopback."""
    folder = tmp_path_factory.mktemp("browser-server")
    instance = folder / "instance"
    instance.mkdir()
    env = _server_env(instance)
    flask = str(_flask_script())
    _run_setup([flask, "db", "upgrade"], env)
    _run_setup([flask, "demo", "seed"], env)

    port = _free_port()
    log = folder / "server.log"
    command = [flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"]
    command += ["--no-debugger", "--with-threads"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(port):
            if process.poll() is not None:
                pytest.fail(f"The portal exited ({process.returncode}):\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The portal did not answer /healthz in {STARTUP_SECONDS} s:\n{log.read_text()}"
                )
            time.sleep(0.1)
        yield LiveServer(base_url=f"http://127.0.0.1:{port}", log=log)
    finally:
        _stop(process)


# --- The browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (Debian's, never a downloaded one)."""
    executable = Path(os.environ.get("PARTNERSHIP_CHROMIUM") or "/usr/bin/chromium")
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        pytest.fail(
            f"Chromium is not at {executable}: install Debian's chromium (make chromium) "
            "or set PARTNERSHIP_CHROMIUM to its path.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Browsing:
    """Makes fresh browser contexts for one test, watching each for script errors."""

    browser: Browser
    server: LiveServer
    contexts: list[BrowserContext] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)
    without_javascript: set[int] = field(default_factory=set)

    def new_page(
        self,
        *,
        viewport: ViewportSize = PHONE,
        javascript: bool = True,
        storage_state: StorageState | None = None,
    ) -> Page:
        """A page in a new context: own cookies, British English, the given screen size."""
        context = self.browser.new_context(
            base_url=self.server.base_url,
            viewport=viewport,
            locale="en-GB",
            timezone_id="Europe/London",
            java_script_enabled=javascript,
            storage_state=storage_state,
        )
        if not javascript:
            self.without_javascript.add(id(context))
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        self.contexts.append(context)
        errors = self.errors.setdefault(id(context), [])

        def on_console(message: ConsoleMessage) -> None:
            if message.type != "error":
                return
            # An error page's own 4xx status is logged too; that is the page working.
            page_url = message.page.url if message.page else ""
            if message.text.startswith("Failed to load resource") and (
                message.location.get("url") == page_url
            ):
                return
            errors.append(f"console: {message.text} ({message.location.get('url')})")

        context.on("console", on_console)
        context.on("weberror", lambda error: errors.append(f"script error: {error.error}"))
        return context.new_page()

    def errors_of(self, page: Page) -> list[str]:
        return self.errors.get(id(page.context), [])

    def scriptable_twin(self, page: Page) -> Page:
        """The same page, same session, as a browser without JavaScript draws it, but
        where axe can run: scripts are on, and the portal's own app.js is served empty.

        axe is JavaScript, so it cannot run in a context with JavaScript turned off
        (Playwright's evaluate would wait for ever).
        """
        twin = self.new_page(
            viewport=page.viewport_size or PHONE,
            storage_state=page.context.storage_state(),
        )
        twin.context.route(
            "**/static/app.js",
            lambda route: route.fulfill(body="", content_type="text/javascript"),
        )
        twin.goto(page.url)
        return twin

    def has_javascript(self, page: Page) -> bool:
        return id(page.context) not in self.without_javascript

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(chromium_browser: Browser, live_server: LiveServer) -> Iterator[Browsing]:
    """New contexts for this test only, closed at its end."""
    browsing = Browsing(chromium_browser, live_server)
    try:
        yield browsing
    finally:
        browsing.close()


# --- Accessibility --------------------------------------------------------------------


def _describe(violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def check_page(
    axe: Axe, browsing: Browsing, request: pytest.FixtureRequest
) -> Callable[[Page], None]:
    """Run axe (WCAG 2.x A and AA) on the page as shown, and check no script has failed.

    Serious and critical violations fail the test; lesser ones are listed at the
    end of the run so they are seen without blocking.
    """
    minor = request.config.stash.setdefault(_minor_findings_key, [])

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        where = f"{page.url} (html lang={page.locator('html').get_attribute('lang')})"
        if browsing.has_javascript(page):
            violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        else:
            where += " without JavaScript"
            twin = browsing.scriptable_twin(page)
            violations = axe.run(twin, options=AXE_OPTIONS).response["violations"]
            twin.context.close()
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        minor.extend(f"{where}: {_describe(v)}" for v in violations if v not in blocking)
        if blocking:
            listed = "\n".join(f"  - {_describe(v)}" for v in blocking)
            pytest.fail(f"axe found serious or critical violations on {where}:\n{listed}")
        errors = browsing.errors_of(page)
        assert not errors, f"Errors in the browser on {where}:\n" + "\n".join(errors)

    return check


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """List the moderate and minor axe findings, which do not fail the suite."""
    findings = config.stash.get(_minor_findings_key, [])
    if findings:
        terminalreporter.section("axe: moderate and minor findings (not failing)")
        for line in sorted(set(findings)):
            terminalreporter.write_line(line)


# --- Two-factor codes -----------------------------------------------------------------


class Authenticator:
    """Plays each user's authenticator app: holds their secrets and never repeats a step.

    The portal refuses a step it has already accepted for a user; it also accepts
    the step after its current one (one step of clock drift), so a second sign-in
    within the same 30 seconds uses the next step's code rather than waiting.
    """

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}
        self._last_step: dict[str, int] = {}

    def enrol(self, email: str, secret: str) -> None:
        self._secrets[email] = secret.replace(" ", "")

    def code(self, email: str) -> str:
        secret = self._secrets.get(email)
        if secret is None:
            pytest.fail(f"{email} has two-factor sign-in on, but this session never set it up.")
        step = max(self._now(), self._last_step.get(email, -1) + 1)
        deadline = time.monotonic() + 2 * TOTP_INTERVAL
        while step > self._now() + 1:  # bounded: at most one step's wait
            assert time.monotonic() < deadline, "the clock did not reach the next TOTP step"
            time.sleep(0.2)
        self._last_step[email] = step
        return pyotp.TOTP(secret).at(step * TOTP_INTERVAL)

    @staticmethod
    def _now() -> int:
        return int(time.time()) // TOTP_INTERVAL


@pytest.fixture(scope="session")
def authenticator() -> Authenticator:
    return Authenticator()
