"""The real guide, built for real with --strict, checked against its examples."""

import datetime
import hashlib
import html
import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import psutil
import pytest

from site_app.author.discover import discover
from site_app.orchestrate import sandbox
from tests.helpers import ROOT, mkdocs_build

pytestmark = pytest.mark.build


class CodeText(HTMLParser):
    """The text of every <code> element, and every iframe's src."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.iframes: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "code":
            self._depth += 1
            self.codes.append("")
        if tag == "iframe":
            self.iframes.append(dict(attrs)["src"])

    def handle_endtag(self, tag):
        if tag == "code":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.codes[-1] += data


def parse(path: Path) -> CodeText:
    parser = CodeText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def clean_build(tmp_path_factory, name, wrapper=(), measured=True):
    folder = tmp_path_factory.mktemp(name)
    built = mkdocs_build(
        ROOT / "mkdocs.yml",
        folder / "site",
        cache=folder / "cache",
        wrapper=wrapper,
        measured=measured,
    )
    assert built.returncode == 0, built.output
    return built


def digests(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


# A process that keeps one core of the machine busy while a build runs.
BUSY = "while True: pass"
# Runs the build under it, after printing the date the build's processes read.
# Says the date its clock shows, then runs the build and waits for it. Python, not
# a shell: the first process that loads libfaketime makes a shared memory object
# and a semaphore in /dev/shm and removes them in its exit handler (ft_cleanup),
# which an exec skips; `sh -c` left the pair behind after each run, with or
# without exec, and Python exiting normally does not.
SAYS_THE_DATE = [
    sys.executable,
    "-c",
    "import datetime, subprocess, sys\n"
    "print(f'build clock: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}', flush=True)\n"
    "sys.exit(subprocess.call(sys.argv[1:]))",
]


def test_a_build_a_day_later_on_a_busy_machine_is_byte_identical(guide, tmp_path_factory):
    """The shared clean build, and a second clean one with the machine's clock a day
    ahead (libfaketime preloaded into mkdocs) while a loop on each core keeps the
    machine busy: the same files, byte for byte.

    The examples' own clock (the workers' libfaketime, 2026-01-01) wins over the
    build's: the logging chapter shows its records' time. A correct example is not
    failed by a busy machine: its limit is its own CPU time.
    """
    library = sandbox.faketime_library()
    if library is None:
        pytest.fail(
            "libfaketime is not installed: this test builds the guide with the machine's "
            "clock a day ahead through it; install Debian's faketime (apt-get install "
            "faketime), as .ci/run does"
        )
    day = datetime.timedelta(days=1)
    wait_ms = sandbox.FAKETIME_SETTINGS["FAKETIME_WAIT_MS"]
    started = datetime.datetime.now(datetime.timezone.utc)
    idle_before = psutil.cpu_times().idle
    cores = len(os.sched_getaffinity(0))
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(cores)]
    try:
        second = clean_build(
            tmp_path_factory,
            "a-day-later",
            # libfaketime preloaded, as `faketime -f +1d` would, but not through that
            # wrapper: it refuses to start ("sem_open: File exists") when a process
            # killed under libfaketime left a semaphore named by a PID that is reused.
            # FAKETIME_WAIT_MS as the workers have it (sandbox.FAKETIME_SETTINGS), so
            # the build's own threads do not spin in libfaketime's timed waits.
            wrapper=[
                "env",
                f"LD_PRELOAD={library}",
                "FAKETIME=+1d",
                f"FAKETIME_WAIT_MS={wait_ms}",
                *SAYS_THE_DATE,
            ],
            # The shared build measured the same code; tracing this one too would only
            # make the suite slower.
            measured=False,
        )
        idle = psutil.cpu_times().idle - idle_before
    finally:
        for process in busy:
            process.kill()
            process.wait()
    # Each loop ran through the build: it was still running when it was killed.
    assert [p.returncode for p in busy] == [-signal.SIGKILL] * cores
    ended = datetime.datetime.now(datetime.timezone.utc)
    clock = re.search(r"build clock: (\S+)", second.output)
    assert clock is not None, second.output
    assert clock[1] in {f"{started + day:%Y-%m-%d}", f"{ended + day:%Y-%m-%d}"}
    # The cores were busy for the build's length: a loop on each, so whatever else
    # the machine runs, they are seldom idle (the loops' own share of them depends
    # on that other load, so it is not what is checked).
    seconds = (ended - started).total_seconds()
    assert idle < 0.2 * cores * seconds, (idle, cores, seconds)
    first, again = digests(guide.site), digests(second.site)
    differing = sorted(
        name for name in first.keys() | again.keys() if first.get(name) != again.get(name)
    )
    assert differing == []
    assert len(first) > 50
    logging = (second.site / "logging/index.html").read_text(encoding="utf-8")
    assert "2026-01-01T00:00:00Z INFO snippets.logging_errors.app" in logging


def test_reports_how_long_the_plugin_took(guide):
    assert re.search(r"the plugin took [\d.]+ s of a [\d.]+ s build \(\d+ %\)", guide.output)


def test_captured_json_appears_in_the_page(guide):
    from snippets.json_api.app import create_app

    expected = create_app().test_client().get("/api/items").get_json()
    codes = parse(guide.site / "json-api/index.html").codes
    body = json.dumps(expected, indent=2)
    assert any(body in code for code in codes), "the JSON of GET /api/items is not on the page"


def test_frozen_pages_of_the_starter_examples(guide):
    from snippets.hello.app import app

    # The app answers a fragment; the site publishes it as a complete document.
    fragment = app.test_client().get("/").data
    frozen = (guide.site / "examples/hello/index.html").read_bytes()
    assert not fragment.lstrip().lower().startswith(b"<!doctype")
    assert frozen.startswith(b'<!doctype html>\n<html lang="en">')
    assert b"<body>\n" + fragment + b"\n</body>" in frozen
    # An extensionless JSON URL is captured for the page but not published:
    # a static host would serve it as application/octet-stream.
    assert not (guide.site / "examples/json_api/api/items").exists()


def test_every_preview_points_at_a_frozen_file(guide):
    pages = sorted(guide.site.rglob("*.html"))
    frames = 0
    for page in pages:
        for src in parse(page).iframes:
            frames += 1
            url = urljoin(page.relative_to(guide.site).as_posix(), src)
            assert (guide.site / url).is_file(), f"{page}: iframe {src} points at nothing"
    assert frames >= 1


def test_every_block_was_expanded(guide):
    for page in guide.site.rglob("*.html"):
        assert "language-flask-example" not in page.read_text(encoding="utf-8"), page


def test_an_example_that_cannot_run_says_why_once_a_page(guide):
    """Under its first block that sends requests, not under every block of it."""
    notes = Counter(
        (page.relative_to(guide.site).as_posix(), note)
        for page in guide.site.rglob("*.html")
        for note in re.findall(
            r'class="ffg-run-note ffg-run-off">([^<]*)<', page.read_text(encoding="utf-8")
        )
    )
    reason = discover(ROOT / "snippets", ROOT)["dashboard"].settings.browser_reason
    note = html.escape(f"This example does not run in the browser: {reason}", quote=False)
    assert notes[("dashboards/index.html", note)] == 1, sorted(notes)
    assert set(notes.values()) == {1}, notes


def test_the_comparison_table_shows_what_each_framework_answered(guide):
    """Row by row, the table on where-flask-fits holds each app's own answer."""
    from fastapi.testclient import TestClient

    from snippets.compare_fastapi.app import app as fastapi_app
    from snippets.compare_flask.app import app as flask_app

    page = (guide.site / "where-flask-fits/index.html").read_text(encoding="utf-8")
    table = page[page.index("<th>request</th>") :]
    table = table[: table.index("</table>")]
    rows = [
        re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    no_year = next(row for row in rows if "Emma&quot;}" in row[0])  # the POST without a year
    flask = flask_app.test_client().post("/api/books", json={"title": "Emma"})
    with TestClient(fastapi_app) as client:
        fastapi = client.post("/api/books", json={"title": "Emma"})
    assert f"<strong>{flask.status}</strong>" in no_year[1]
    assert f"<strong>{fastapi.status_code} UNPROCESSABLE ENTITY</strong>" in no_year[2]
    assert "Field required" in no_year[2]
    assert len(rows) == 4  # a row per request
