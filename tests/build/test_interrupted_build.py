"""Ctrl-C or SIGTERM in the middle of a real `mkdocs build` leaves the previous site whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.build

SLOW = """
import time

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    time.sleep(50)  # the build is interrupted while it waits for this answer
    return "<p>slow</p>"
"""


def _takes_ctrl_c() -> None:
    """In the build's process before it starts: SIGINT as a terminal's Ctrl-C finds it.

    A shell starts a command run in the background (`&`) from a script with SIGINT
    ignored, and Python then leaves it ignored: run that way, the suite would see a
    build that never hears the signal (it ran its 150 s example to the end).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def tree(path):
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_build_leaves_the_previous_site(fixture_site, signum):
    fixture_site.write("docs/index.md", "# Hi\n\n```flask-example\nexample: hello\n```\n")
    first = fixture_site.build()
    assert first.returncode == 0, first.output
    before = tree(first.site)

    fixture_site.example("slow", {"app.py": SLOW})
    fixture_site.write("tests/test_slow.py", "import snippets.slow.app\n")
    fixture_site.write(
        "docs/index.md", "# Hi\n\n```flask-example\nexample: slow\nrequests: [GET /]\n```\n"
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env["FLASK_EXAMPLES_CACHE"] = str(first.site.parent / "examples-cache")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["-f", str(fixture_site.root / "mkdocs.yml"), "-d", str(first.site)]
    with subprocess.Popen(
        command,
        cwd=first.site.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_takes_ctrl_c,
    ) as build:
        assert build.stdout is not None
        seen = []
        for line in build.stdout:  # MkDocs says so once the site was moved aside
            seen.append(line)
            if "Building documentation to directory" in line:
                break
        assert (first.site.parent / "site.previous").is_dir(), seen
        build.send_signal(signum)
        # Its output ends once every process that holds it has ended: a worker left
        # running its example (which waits 50 s) would hold it past this limit.
        rest, _ = build.communicate(timeout=30)
        assert build.returncode != 0
    assert "was left as it was" in rest
    assert tree(first.site) == before
    leftovers = sorted(p.name for p in first.site.parent.iterdir() if p.name.startswith("site"))
    assert leftovers == ["site"]  # no site.previous, no half-built copy
