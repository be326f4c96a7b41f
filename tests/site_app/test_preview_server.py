"""``python -m site_app preview`` as ``nox -s preview`` runs it: a real server on 127.0.0.1.

It serves a Flask, a Django and a FastAPI example, watches only the examples
and site_app (by polling, no inotify watch), and restarts when an example changes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ROOT

DJANGO = """
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

if not settings.configured:
    settings.configure(ROOT_URLCONF=__name__)


def book(request):
    return JsonResponse({"from": "django"})


urlpatterns = [path("book", book)]
"""
FASTAPI = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/book")
def book():
    return {"from": "fastapi"}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _inotify_watches(pid: int) -> int:
    folder = Path(f"/proc/{pid}/fd")
    return sum(1 for fd in folder.iterdir() if os.readlink(fd) == "anon_inode:inotify")


@pytest.fixture
def served(project):
    project.example("hello", {"app.py": project.HELLO})
    project.example("dj", {"app.py": DJANGO, "example.toml": '[build]\nframework = "django"\n'})
    project.example("fa", {"app.py": FASTAPI, "example.toml": '[build]\nframework = "fastapi"\n'})
    # What made the old reloader loop: big folders beside the examples.
    for folder in (".nox/tests/lib", "node_modules/pkg"):
        (project.root / folder).mkdir(parents=True)
        (project.root / folder / "module.py").write_text("x = 1\n")
    port = _free_port()
    log = project.root / "preview.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "site_app", "preview", "--port", str(port), "--interval", "0.2"],
            cwd=project.root,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield project, process, f"http://127.0.0.1:{port}", log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        print(log.read_text())


def test_the_preview_serves_every_framework_and_watches_only_its_folders(served):
    project, process, base, log = served
    deadline = time.monotonic() + 120
    status, index = _get(base + "/", deadline)
    assert status == 200
    assert "failed to load" not in index, index
    assert _get(base + "/examples/hello/", deadline) == (200, "<p>hi</p>")
    assert _get(base + "/examples/dj/book", deadline) == (200, '{"from": "django"}')
    assert _get(base + "/examples/fa/book", deadline) == (200, '{"from":"fastapi"}')

    first_line = log.read_text().splitlines()[0]
    assert first_line.startswith(" * watching "), first_line
    assert f"{project.snippets}/" in first_line
    assert ".nox" not in first_line
    assert "node_modules" not in first_line
    server = [
        int(pid)
        for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    ]
    assert len(server) == 1
    assert _inotify_watches(process.pid) == 0
    assert _inotify_watches(server[0]) == 0

    # A change under .nox/ does nothing; a change to an example restarts the server.
    (project.root / ".nox/tests/lib/module.py").write_text("x = 2\n")
    time.sleep(1)
    assert Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split() == [
        str(server[0])
    ]
    project.example("hello", {"app.py": project.HELLO.replace("hi", "hello again")})
    deadline = time.monotonic() + 120
    while _get(base + "/examples/hello/", deadline)[1] != "<p>hello again</p>":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    restarts = [line for line in log.read_text().splitlines() if "restarting" in line]
    assert len(restarts) == 1, restarts  # the change under .nox/ did not count
    assert f"{project.snippets}/hello/" in restarts[0]
    assert restarts[0].endswith("changed, restarting the preview")
    assert ".nox" not in log.read_text()


def test_a_second_django_example_is_listed_with_how_to_preview_it(project):
    # In a process of its own: Django, once configured, stays so for the whole process.
    project.example("dj", {"app.py": DJANGO, "example.toml": '[build]\nframework = "django"\n'})
    project.example("dk", {"app.py": DJANGO, "example.toml": '[build]\nframework = "django"\n'})
    script = (
        "import sys\n"
        "from site_app.execute.preview import create_app\n"
        "client = create_app(sys.argv[1]).test_client()\n"
        "print(client.get('/').get_data(as_text=True))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(project.snippets)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    index = done.stdout
    assert "Django is configured once per process: this preview already serves" in index
    assert "python -m site_app preview --only dk" in index


@pytest.mark.parametrize("debug", [False, True], ids=["default", "--debug"])
def test_the_debugger_runs_only_when_asked_and_the_instances_go_with_the_server(
    project, tmp_path, debug
):
    project.example("hello", {"app.py": project.HELLO})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    port = _free_port()
    command = [sys.executable, "-m", "site_app", "preview", "--no-reload", "--port", str(port)]
    process = subprocess.Popen(
        command + (["--debug"] if debug else []),
        cwd=project.root,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Werkzeug's debugger answers this itself (its script); without it the index page does.
    asked = f"http://127.0.0.1:{port}/?__debugger__=yes&cmd=resource&f=debugger.js"
    try:
        status, body = _get(asked, time.monotonic() + 60)
        assert [p.name[:23] for p in temporary.iterdir()] == ["flask-examples-preview-"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert status == 200
    assert ("Examples: live preview" not in body) is debug
    assert list(temporary.iterdir()) == []
