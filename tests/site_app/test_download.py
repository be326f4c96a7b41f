"""Each example's zip: its files, pinned requirements, a README, the same bytes every build."""

from __future__ import annotations

import importlib.metadata as metadata
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile

from site_app.author.discover import discover
from site_app.execute import download
from tests.helpers import ROOT

APP = """\
import json

import yaml
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return json.dumps(yaml.safe_load("a: 1"))
"""


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_zip_holds_the_files_in_their_package_and_is_the_same_every_time(project):
    project.example("demo", {"app.py": APP, "templates/page.html": "<p>x</p>\n"})
    example = discover(project.snippets)["demo"]
    first = download.build(example)
    # Touch every file: new modification times must not change a byte.
    for path in example.source_files():
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert download.build(example) == first
    files = entries(first)
    assert sorted(files) == [
        "demo/README.md",
        "demo/requirements.txt",
        "demo/snippets/__init__.py",
        "demo/snippets/demo/__init__.py",
        "demo/snippets/demo/app.py",
        "demo/snippets/demo/templates/page.html",
    ]
    assert files["demo/snippets/demo/app.py"] == APP.encode()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    assert "flask --app snippets.demo.app run" in files["demo/README.md"].decode()


def test_requirements_pin_what_the_modules_import_and_what_that_needs(project):
    project.example("demo", {"app.py": APP, "test_app.py": "import pytest\n"})
    example = discover(project.snippets)["demo"]
    pinned = download.requirements(example).splitlines()
    assert f"Flask=={metadata.version('flask')}" in pinned
    assert f"PyYAML=={metadata.version('pyyaml')}" in pinned
    # Flask's own dependencies come along, pinned too.
    assert f"Werkzeug=={metadata.version('werkzeug')}" in pinned
    assert f"Jinja2=={metadata.version('jinja2')}" in pinned
    # The standard library is no distribution; a test's pytest is not the app's.
    assert not [line for line in pinned if line.lower().startswith(("json", "pytest"))]
    assert pinned == sorted(pinned, key=str.lower)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_hello_download_runs_with_its_readme_command(tmp_path):
    """Unzip the quickstart's example, install its requirements in a new venv, run it."""
    example = discover(ROOT / "snippets")["hello"]
    with zipfile.ZipFile(io.BytesIO(download.build(example))) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "hello"
    readme = (folder / "README.md").read_text()
    run = next(line for line in readme.splitlines() if line.startswith("flask "))
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    subprocess.run(
        ["uv", "venv", "-q", "--python", python, ".venv"], cwd=folder, env=env, check=True
    )
    venv = folder / ".venv"
    subprocess.run(
        [
            "uv",
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin/python"),
            "-r",
            "requirements.txt",
        ],
        cwd=folder,
        env=env,
        check=True,
    )
    port = free_port()
    args = [str(venv / "bin" / run.split()[0]), *run.split()[1:], "--port", str(port)]
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    server = subprocess.Popen(args, cwd=folder, env=env, stderr=subprocess.PIPE, text=True)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    body = answer.read().decode()
                    break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert body is not None, errors
    from snippets.hello.app import app

    assert body == app.test_client().get("/").text
    assert "Hello, Flask!" in body
