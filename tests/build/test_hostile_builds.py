"""Hostile examples in real strict builds: what only a whole `mkdocs build` shows.

A secret in the build's environment reaches no published or cached file, and
no process the build started is alive once it has exited.
"""

from __future__ import annotations

import re

import psutil
import pytest

from site_app.orchestrate import sandbox
from tests.helpers import FixtureSite, mkdocs_build

pytestmark = pytest.mark.build

SECRET = "ghp_HOSTILE0build0secret0value"

LEAKY = """
import os
import subprocess

from flask import Flask

app = Flask(__name__)
# A child forked at import, in the worker's session: it must not outlive the build.
FORKED = os.fork()
if FORKED == 0:
    import threading

    threading.Event().wait(600)
    os._exit(0)


@app.route("/")
def index():
    sleeper = subprocess.Popen(["sleep", "600"], start_new_session=True)
    daemon = subprocess.Popen(
        ["sh", "-c", "setsid sleep 600 & echo $!"], stdout=subprocess.PIPE, text=True
    )
    pids = [FORKED, sleeper.pid, int(daemon.stdout.readline())]
    variables = "".join(f"<li>{k}={v}</li>" for k, v in sorted(os.environ.items()))
    return f"<p>pids: {' '.join(map(str, pids))}</p><ul>{variables}</ul>"
"""


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_hostile_example_leaks_no_secret_and_leaves_no_process(
    fixture_site: FixtureSite, monkeypatch
):
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    fixture_site.write("snippets/hello/app.py", LEAKY)
    fixture_site.write(
        "docs/index.md",
        """
        # Hello

        ```flask-example
        example: hello
        requests:
          - GET /
        ```
        """,
    )
    built = fixture_site.build()
    assert built.returncode == 0, built.output

    page = (built.site / "index.html").read_text()
    pids = [int(pid) for pid in re.search(r"pids: ([\d ]+)", page)[1].split()]
    assert len(pids) == 3
    alive = [pid for pid in pids if not _gone(pid)]
    assert not alive, [psutil.Process(pid).cmdline() for pid in alive]

    assert "PATH=" in page  # the example did show its environment
    out = built.site.parent
    leaked = [
        path
        for path in [*out.rglob("*"), *fixture_site.root.rglob("*")]
        if path.is_file() and SECRET.encode() in path.read_bytes()
    ]
    assert leaked == []
    assert "workers: " in built.output


CLOCKS = """
import datetime
import sqlite3
import subprocess
import time

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    db = sqlite3.connect(":memory:").execute("select CURRENT_TIMESTAMP").fetchone()[0]
    date = subprocess.run(["date", "-u", "+%F %T"], capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    return f"<p>sqlite {db}; date {date}; python {now}; time {time.time()}</p>"
"""


@pytest.mark.skipif(sandbox.faketime_library() is None, reason="libfaketime is not installed")
def test_builds_a_day_apart_show_the_same_time(fixture_site: FixtureSite, monkeypatch, tmp_path):
    """The machine's clock (faked for the whole build) differs by a day; no answer does."""
    fixture_site.write("snippets/hello/app.py", CLOCKS)
    fixture_site.write(
        "docs/index.md",
        "# Hello\n\n```flask-example\nexample: hello\nrequests:\n  - GET /\n```\n",
    )
    monkeypatch.setenv("LD_PRELOAD", sandbox.faketime_library())
    pages = []
    for day in ("2026-05-01", "2026-05-02"):
        monkeypatch.setenv("FAKETIME", f"@{day} 12:00:00")
        out = tmp_path / day
        built = mkdocs_build(fixture_site.root / "mkdocs.yml", out / "site", cache=out / "cache")
        assert built.returncode == 0, built.output
        pages.append((out / "site" / "examples" / "hello" / "index.html").read_text())
    assert pages[0] == pages[1]
    assert (
        "sqlite 2026-01-01 00:00:00; date 2026-01-01 00:00:00; python 2026-01-01T00:00:00+00:00"
        in pages[0]
    )


WRITER = """
import os
from pathlib import Path

from flask import Flask

app = Flask(__name__)
ROOT = Path(__file__).resolve().parents[2]


@app.route("/")
def index():
    os.chdir(ROOT)
    for target in ("docs/index.md", "left-behind.txt", "../out/site/injected.html"):
        try:
            with open(target, "w") as file:
                file.write("defaced")
        except OSError:
            pass  # the example swallows the refusal: the build must fail all the same
    return "<p>wrote</p>"
"""


def test_with_contain_false_a_write_outside_fails_the_build_and_nothing_changes(
    fixture_site: FixtureSite,
):
    """The plugin's `contain: false`: no bubblewrap, the workers' audit hook alone."""
    config = fixture_site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - flask-examples:\n", "  - flask-examples:\n      contain: false\n"
        )
    )
    fixture_site.write("snippets/hello/app.py", WRITER)
    fixture_site.write(
        "docs/index.md", "# Hello\n\n```flask-example\nexample: hello\nrequests:\n  - GET /\n```\n"
    )
    site = fixture_site.root.parent / "out" / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<p>the last good site</p>")
    before = {p: p.read_bytes() for p in fixture_site.root.rglob("*") if p.is_file()}

    built = fixture_site.build()

    assert built.returncode == 1, built.output
    assert "workers: no sandbox (bubblewrap unavailable or off)" in built.output
    assert (
        "snippets/hello/app.py: example 'hello' tried to write outside its instance folder, "
        f"and the build refused it: docs/index.md, left-behind.txt, {site / 'injected.html'}"
    ) in built.output
    after = {p: p.read_bytes() for p in fixture_site.root.rglob("*") if p.is_file()}
    assert {p: after[p] for p in before} == before  # docs/index.md and every other file kept
    assert not (fixture_site.root / "left-behind.txt").exists()
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text() == "<p>the last good site</p>"
