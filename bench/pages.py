"""Drive the portal's pages under load, served as in production, at county scale.

For each database (SQLite, PostgreSQL) a county of 10,000 sightings and one of 1,000,000
(bench/county.py, seeded once and reused) are each served by gunicorn with 2 sync workers,
beside a bare Flask app (bench/floor.py) served the same way. The officer and the door
supervisor sign in through the real forms; every page is checked once, then driven with 8
connections (wrk when installed, else a bounded Python client) for a few seconds each, the
floor, /safety and every page one after another, in several rounds. The medians are printed
per database, with each page's growth from 10,000 to 1,000,000 rows and its throughput as a
share of /safety's, and marked against the targets; the run fails if any is missed.

.venv/bin/python bench/pages.py [--rows 1000000] [--small 10000] [--seconds 5] [--rounds 3]
    [--database sqlite|postgres|both] [--page "exclusions tonight"]
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.client import HTTPResponse
from pathlib import Path
from urllib.parse import urlencode

import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import county

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CONNECTIONS = 8
WRK_THREADS = 2
# A slow page is measured, not cut short: a request may take this long before it counts as
# a socket error.
REQUEST_TIMEOUT = 60
DEEP_PAGES = 20
SESSION_COOKIE = "partnership_session"
SEARCHED_NAME = county.SURNAMES[0]

TARGET_P95_MS = 50.0
TARGET_SHARE = 0.25  # of /safety's requests a second, in the same run
TARGET_GROWTH = 1.2  # the large county's p95 over the small one's

FLOOR = "floor (bare Flask)"
SAFETY = "/safety"
WRK_SCRIPT = """
local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("BENCH requests=%d seconds=%.6f p95_us=%d non2xx=%d errors=%d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(95), bad, errors))
end
"""


class BenchError(Exception):
    """A page or a server did not do what the bench needs: the run stops and says why."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: str


@dataclass(frozen=True)
class Page:
    """One page to drive: who asks for it (None: nobody signed in), where, and a pattern its
    body must hold when it answers as it should (a list that shows rows, say)."""

    name: str
    who: str | None
    path: str
    expect: str


@dataclass(frozen=True)
class Measure:
    """One drive of one page: requests a second, the 95th percentile latency, and the
    answers that were not 2xx and the socket errors (either fails the run)."""

    rps: float
    p95_ms: float
    non2xx: int = 0
    errors: int = 0


# Plain HTTP, one request at a time, for signing in and checking pages.


def request(
    port: int,
    method: str,
    path: str,
    cookie: str = "",
    form: dict[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Answer:
    """One request to 127.0.0.1:``port``, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Answer(response.status, dict(response.getheaders()), _cookies(response), text)
    finally:
        connection.close()


def _cookies(response: HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def csrf_token(body: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    if match is None:
        raise BenchError("no CSRF token in the sign-in form")
    return html.unescape(match.group(1))


def sign_in(port: int, who: str) -> str:
    """Sign ``who`` (a key of county.ACCOUNTS) in through /auth/login as a browser would:
    the form and its CSRF token, the password, then the security code if one is asked for
    (the next 30-second code if this one was already used). The session cookie to send."""
    first = request(port, "GET", "/auth/login")
    session = first.cookies.get(SESSION_COOKIE, "")
    cookie = f"{SESSION_COOKIE}={session}"
    sent = request(
        port,
        "POST",
        "/auth/login",
        cookie,
        {
            "email": county.ACCOUNTS[who],
            "password": county.PASSWORD,
            "csrf_token": csrf_token(first.body),
        },
    )
    if sent.status != 302:
        raise BenchError(f"{who}: the password was refused (answer {sent.status})")
    cookie = f"{SESSION_COOKIE}={sent.cookies.get(SESSION_COOKIE, session)}"
    if "/auth/two-factor" in sent.headers.get("Location", ""):
        cookie = _two_factor(port, who, cookie)
    dashboard = request(port, "GET", "/dashboard", cookie)
    if dashboard.status != 200:
        raise BenchError(f"{who}: signed in, but the dashboard answered {dashboard.status}")
    return cookie


def _two_factor(port: int, who: str, cookie: str) -> str:
    totp = pyotp.TOTP(county.TOTP_SECRET)
    for attempt in range(3):
        form = request(port, "GET", "/auth/two-factor", cookie)
        # Each code is accepted once: on a second sign-in within 30 s, the next one.
        moment = time.time() + 30 * min(attempt, 1)
        sent = request(
            port,
            "POST",
            "/auth/two-factor",
            cookie,
            {"code": totp.at(moment), "csrf_token": csrf_token(form.body)},
        )
        if sent.status == 302:
            return f"{SESSION_COOKIE}={sent.cookies.get(SESSION_COOKIE, cookie.split('=', 1)[1])}"
        if attempt == 1:
            time.sleep(30)
    raise BenchError(f"{who}: the security code was refused")


# Serving.


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def served(
    name: str, app: str, environ: dict[str, str], logs: Path, ready: str
) -> Iterator[Server]:
    """gunicorn serving ``app`` with 2 sync workers on a port the OS chose (a socket bound
    here and handed over, so no other process can take it in between), until it answers
    ``ready``; stopped afterwards."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    log = logs / f"{name}.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"fd://{listener.fileno()}",
        app,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, arguments built here)
            command,
            cwd=ROOT,
            env=environ,
            pass_fds=(listener.fileno(),),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    listener.close()
    server = Server(name, port, process, log)
    try:
        _wait_until_ready(server, ready)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name}: gunicorn stopped:\n{server.log.read_text()[-3000:]}")
        try:
            if request(server.port, "GET", path).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"{server.name}: not answering {path} after 60 s")


def portal_environ(url: str, instance: Path) -> dict[str, str]:
    """The settings a production run needs (README, "Running in production"), on ``url``;
    no Redis: each worker counts its own rate limits."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PARTNERSHIP_", "FLASK_"))
    }
    environ.update(
        {
            "PARTNERSHIP_ENVIRONMENT": "production",
            "PARTNERSHIP_SECRET_KEY": secrets.token_urlsafe(48),
            "PARTNERSHIP_SESSION_COOKIE_SECURE": "true",
            "PARTNERSHIP_DATABASE_URL": url,
            "PARTNERSHIP_INSTANCE_PATH": str(instance),
        }
    )
    return environ


# Driving.


def drive_with_wrk(port: int, path: str, cookie: str, seconds: float, script: Path) -> Measure:
    """wrk with 2 threads and 8 connections for ``seconds``; its script's ``done()`` prints
    the requests, p95 and the answers that were not 2xx."""
    wrk = shutil.which("wrk")
    assert wrk is not None
    finished = subprocess.run(  # noqa: S603 (wrk, arguments built here)
        [
            wrk,
            f"-t{WRK_THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            f"{REQUEST_TIMEOUT}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_COOKIE": cookie},
        check=False,
    )
    match = re.search(
        r"BENCH requests=(\d+) seconds=([\d.]+) p95_us=(\d+) non2xx=(\d+) errors=(\d+)",
        finished.stdout,
    )
    if finished.returncode != 0 or match is None:
        raise BenchError(f"wrk failed on {path}:\n{finished.stdout}\n{finished.stderr}")
    done, elapsed, p95, non2xx, errors = match.groups()
    if not int(done):  # not one answer within the drive: its latency is longer than the drive
        return Measure(0.0, float("inf"), int(non2xx), int(errors))
    return Measure(int(done) / float(elapsed), int(p95) / 1000, int(non2xx), int(errors))


def drive_with_python(port: int, path: str, cookie: str, seconds: float) -> Measure:
    """8 threads, each with its own keep-alive connection (opened again when the server
    closes it), asking for ``path`` one request after another for ``seconds``."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    failures = {"non2xx": 0, "errors": 0}
    lock = threading.Lock()
    headers = {"Cookie": cookie} if cookie else {}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        mine: list[float] = []
        non2xx = errors = 0
        while (started := time.perf_counter()) < deadline:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                continue
            mine.append(time.perf_counter() - started)
            if not 200 <= response.status < 300:
                non2xx += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            failures["non2xx"] += non2xx
            failures["errors"] += errors

    started = time.perf_counter()
    clients = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - started
    if not latencies:  # not one answer within the drive: its latency is longer than the drive
        return Measure(0.0, float("inf"), failures["non2xx"], failures["errors"])
    p95 = statistics.quantiles(latencies, n=100)[94] if len(latencies) > 1 else latencies[0]
    return Measure(len(latencies) / elapsed, p95 * 1000, failures["non2xx"], failures["errors"])


def settle(port: int, p95_ms: float) -> None:
    """Let the workers finish what the last drive left queued before the next one starts:
    a request that comes back has waited behind every one before it; then as long as one
    more of the slowest requests still being served would take."""
    request(port, "GET", "/healthz", timeout=CONNECTIONS * REQUEST_TIMEOUT)
    time.sleep(min(p95_ms / 1000, 10))


# The pages.


def portal_pages(port: int, officer: str, door: str) -> list[Page]:
    """The pages of one served county, found and checked as a person would: the deep page
    by following the list's "Older" link, the sighting the newest on the first page."""
    first = request(port, "GET", "/sightings/", officer).body
    newest = re.search(r'href="/sightings/(\d+)"', first)
    if newest is None:
        raise BenchError("the officer's sightings list shows no sightings")
    deep = "/sightings/"
    for _page in range(DEEP_PAGES):
        body = request(port, "GET", deep, officer).body
        older = re.search(r'href="([^"]+)" rel="next"', body)
        if older is None:
            raise BenchError(f"the sightings list has no older page after {deep}")
        deep = html.unescape(older.group(1))
    listed = r'href="/sightings/\d+"'
    return [
        Page(SAFETY, None, "/safety", r"<h1"),
        Page("officer: sightings list", "officer", "/sightings/", listed),
        Page("officer: sightings list, a deep page", "officer", deep, listed),
        Page("officer: one sighting", "officer", f"/sightings/{newest.group(1)}", r"Venue \d+"),
        Page("officer: dashboard", "officer", "/dashboard", listed),
        Page("officer: subjects list", "officer", "/subjects/", r"RF-\d{4}-\d{4}"),
        Page(
            "officer: subjects search",
            "officer",
            "/subjects/?" + urlencode({"q": SEARCHED_NAME}),
            r"RF-\d{4}-\d{4}",
        ),
        Page(
            "officer: exclusions tonight",
            "officer",
            "/orders/tonight",
            r"(?=.*PEN-\d{4})(?=.*S35-\d{4})",
        ),
        Page("door supervisor: sightings list", "door supervisor", "/sightings/", listed),
        Page(
            "door supervisor: dashboard",
            "door supervisor",
            "/dashboard",
            r"logged by your organisation tonight",
        ),
        Page(
            "door supervisor: exclusions tonight",
            "door supervisor",
            "/orders/tonight",
            r"PEN-\d{4}",
        ),
    ]


def check(port: int, page: Page, cookie: str) -> None:
    """Fail loudly unless ``page`` answers 200 with what it should show."""
    answer = request(port, "GET", page.path, cookie)
    if answer.status != 200:
        raise BenchError(f"{page.name}: {page.path} answered {answer.status}")
    if re.search(page.expect, answer.body, re.DOTALL) is None:
        raise BenchError(f"{page.name}: {page.path} does not show {page.expect!r}")


# The run.


@dataclass
class Served:
    """One county being served: its size, port and the two signed-in sessions."""

    rows: int
    port: int
    cookies: dict[str, str]
    pages: list[Page]


Driver = Callable[[int, str, str, float], Measure]


def measure_database(
    kind: str, sizes: list[int], args: argparse.Namespace, floor: Server, drive: Driver
) -> tuple[dict[tuple[str, int], list[Measure]], list[str]]:
    """Serve ``kind``'s county at each size, check every page, then drive the floor and
    each page at each size in turn, ``args.rounds`` times. The drives of each page at each
    size, and the page names in order."""
    # The small county is the large one's latest sightings: the same nights' density and
    # the same orders in force, so both serve the same pages and only the tables differ.
    largest = max(sizes)
    urls = {
        rows: county.county_database(kind, rows, like=largest if rows < largest else None)
        for rows in sizes
    }
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        servers = []
        for rows, url in urls.items():
            instance = Path(folder) / f"instance_{rows}"
            instance.mkdir()
            environ = portal_environ(url, instance)
            servers.append(
                stack.enter_context(
                    served(
                        f"{kind}_{rows}",
                        "partnership:create_app()",
                        environ,
                        Path(folder),
                        "/healthz",
                    )
                )
            )
        counties = []
        for rows, server in zip(sizes, servers, strict=True):
            cookies = {
                "officer": sign_in(server.port, "officer"),
                "door supervisor": sign_in(server.port, "door supervisor"),
            }
            pages = [
                page
                for page in portal_pages(
                    server.port, cookies["officer"], cookies["door supervisor"]
                )
                if page.name == SAFETY or not args.page or any(p in page.name for p in args.page)
            ]
            for page in pages:
                check(server.port, page, cookies.get(page.who or "", ""))
            counties.append(Served(rows, server.port, cookies, pages))
        if len(counties[0].pages) == 1 and args.page:
            raise BenchError(f"no page matches {args.page}")
        results: dict[tuple[str, int], list[Measure]] = {}
        for round_number in range(1, args.rounds + 1):
            print(f"{kind}: round {round_number} of {args.rounds}", flush=True)
            results.setdefault((FLOOR, 0), []).append(drive(floor.port, "/", "", args.seconds))
            for index in range(len(counties[0].pages)):
                for served_county in counties:
                    page = served_county.pages[index]
                    cookie = served_county.cookies.get(page.who or "", "")
                    measured = drive(served_county.port, page.path, cookie, args.seconds)
                    results.setdefault((page.name, served_county.rows), []).append(measured)
                    if measured.non2xx or measured.errors:
                        raise BenchError(
                            f"{kind} {served_county.rows:,}: {page.name}: {measured.non2xx} "
                            f"answers not 2xx and {measured.errors} socket errors"
                        )
                    settle(served_county.port, measured.p95_ms)
        return results, [FLOOR] + [page.name for page in counties[0].pages]


def median(measures: list[Measure]) -> Measure:
    return Measure(
        statistics.median(m.rps for m in measures), statistics.median(m.p95_ms for m in measures)
    )


def short(rows: int) -> str:
    """10000 as 10k, 1000000 as 1M."""
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows >= 1_000 and rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def report(
    kind: str,
    small: int,
    large: int,
    names: list[str],
    results: dict[tuple[str, int], list[Measure]],
) -> list[str]:
    """Print the table of one database and mark each page against the targets; the misses."""
    medians = {key: median(value) for key, value in results.items()}
    s, l = short(small), short(large)  # noqa: E741
    print()
    print(f"{kind}: medians of {len(next(iter(results.values())))} rounds")
    print(
        f"{'page':<40} {s + ' req/s':>10} {s + ' p95 ms':>10} {l + ' req/s':>10} "
        f"{l + ' p95 ms':>10} {l + '/' + s + ' p95':>11} {'of /safety':>10}  targets"
    )
    missed = []
    for name in names:
        if name == FLOOR:
            floor = medians[(FLOOR, 0)]
            print(f"{name:<40} {floor.rps:>10,.0f} {floor.p95_ms:>10.1f}")
            continue
        little, big = medians[(name, small)], medians[(name, large)]
        # A page with no answer within a drive has an unbounded p95 ("inf"): it misses all.
        unbounded = big.p95_ms == float("inf") or not little.p95_ms
        growth = float("inf") if unbounded else big.p95_ms / little.p95_ms
        share = big.rps / medians[(SAFETY, large)].rps
        problems = []
        if name != SAFETY:
            if big.p95_ms > TARGET_P95_MS:
                problems.append(f"p95 > {TARGET_P95_MS:.0f} ms")
            if share < TARGET_SHARE:
                problems.append(f"req/s < {TARGET_SHARE} x /safety")
            if growth > TARGET_GROWTH:
                problems.append(f"{l} > {TARGET_GROWTH} x {s}")
        mark = "" if name == SAFETY else ("MISSED: " + ", ".join(problems) if problems else "met")
        if problems:
            missed.append(f"{kind}: {name}: {', '.join(problems)}")
        print(
            f"{name:<40} {little.rps:>10,.1f} {little.p95_ms:>10.1f} {big.rps:>10,.1f} "
            f"{big.p95_ms:>10.1f} {growth:>11.2f} {share:>10.2f}  {mark}"
        )
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="the large county")
    parser.add_argument("--small", type=int, default=10_000, help="the small county")
    parser.add_argument("--seconds", type=float, default=5, help="each drive of each page")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--page", action="append", help="drive only pages whose name holds this (repeatable)"
    )
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    sizes = [args.small, args.rows]
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bench.lua"
        script.write_text(WRK_SCRIPT)
        if shutil.which("wrk"):
            drive: Driver = lambda port, path, cookie, seconds: drive_with_wrk(  # noqa: E731
                port, path, cookie, seconds, script
            )
            tool = "wrk"
        else:
            drive, tool = drive_with_python, "a Python client (wrk is not installed)"
        print(
            f"gunicorn, {WORKERS} sync workers; {CONNECTIONS} connections with {tool}; "
            f"{args.seconds:g} s a page, {args.rounds} rounds; counties of "
            f"{args.small:,} and {args.rows:,} sightings",
            flush=True,
        )
        missed = []
        try:
            with served("floor", "bench.floor:app", dict(os.environ), Path(folder), "/") as floor:
                for kind in kinds:
                    results, names = measure_database(kind, sizes, args, floor, drive)
                    missed += report(kind, args.small, args.rows, names, results)
        except BenchError as error:
            print(f"\nThe bench could not run: {error}", file=sys.stderr)
            return 2
    print()
    if missed:
        print(
            f"{len(missed)} targets missed (p95 <= {TARGET_P95_MS:.0f} ms at {short(args.rows)}, "
            f"req/s >= {TARGET_SHARE} x /safety, {short(args.rows)} within {TARGET_GROWTH} x "
            f"{short(args.small)}):"
        )
        for line in missed:
            print(f"  {line}")
        return 1
    print("Every page met its targets.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
