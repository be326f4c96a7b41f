"""Hostile examples in real strict builds: what only a whole `mkdocs build` shows.

A secret in the build's environment reaches no published or cached file, and
no process the build started is alive once it has exited.
"""

from __future__ import annotations

import re

import psutil
import pytest

from tests.helpers import FixtureSite

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
