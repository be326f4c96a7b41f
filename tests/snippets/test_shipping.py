"""The shipping example: its wheel is built, installed into a fresh venv and served.

The Dockerfile cannot be built here (no Docker engine), so the tests run what it
runs: its `pip install` line against the built wheel, then its CMD. The systemd
unit passes `systemd-analyze verify` once its ExecStart exists, and its
ExecStart serves the app.
"""

import email
import json
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from snippets.shipping import create_app
from tests.snippets.servers import clean_env, serve

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "snippets" / "shipping"
PROJECT = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
DOCKERFILE = EXAMPLE / "Dockerfile"
UNIT = EXAMPLE / "fieldnotes.service"
UNIT_VENV = "/opt/fieldnotes/venv"  # where the unit expects the app's venv
GUNICORN_PORT = r"Listening at: http://127\.0\.0\.1:(\d+)"


def get_json(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.status, json.loads(response.read())


# In process ---------------------------------------------------------------------------


def test_from_the_source_tree_the_package_is_not_installed():
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/about").json == {"package": "snippets.shipping", "version": "not installed"}
    assert client.get("/health").json == {"status": "ok"}


def test_the_factory_works_without_a_test_config():
    assert create_app().test_client().get("/health").headers["Cache-Control"] == "no-store"


# The files, read as their tools read them -----------------------------------------------


def logical_lines(text):
    """Lines with backslash continuations joined; comments and blank lines dropped.

    Dockerfiles and systemd units both continue a line with a trailing backslash.
    """
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    return re.sub(r"\\\n\s*", " ", "\n".join(lines)).splitlines()


def dockerfile_instructions():
    """(instruction, arguments) pairs, as Docker reads them."""
    return [tuple(line.split(None, 1)) for line in logical_lines(DOCKERFILE.read_text())]


def dockerfile(instruction):
    return [args for name, args in dockerfile_instructions() if name == instruction]


def unit_value(key):
    values = [
        line.split("=", 1)[1]
        for line in logical_lines(UNIT.read_text())
        if line.startswith(f"{key}=")
    ]
    assert len(values) == 1, f"{UNIT.name} should set {key} once"
    return values[0]


def test_the_image_python_satisfies_requires_python():
    (image,) = dockerfile("FROM")
    match = re.fullmatch(r"python:(3)\.(\d+)-slim", image)
    assert match, f"unexpected base image {image!r}"
    minimum = re.fullmatch(r">=3\.(\d+)", PROJECT["requires-python"])
    assert int(match[2]) >= int(minimum[1])


def test_the_image_runs_as_the_user_it_creates():
    (user,) = dockerfile("USER")
    assert any("useradd" in run and run.split()[-1] == user for run in dockerfile("RUN"))


def test_the_unit_and_the_image_start_the_same_app():
    cmd = json.loads(dockerfile("CMD")[0])
    exec_start = shlex.split(unit_value("ExecStart"))
    assert cmd[0] == "gunicorn"
    assert exec_start[0] == f"{UNIT_VENV}/bin/gunicorn"
    assert cmd[-1] == exec_start[-1] == f"{PROJECT['name']}:create_app()"
    assert "gunicorn" in " ".join(PROJECT["dependencies"])  # the wheel brings its server


# The wheel ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The example's wheel, built from a copy so that nothing is written into snippets/."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "fieldnotes"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = (tmp / "dist").glob("*.whl")
    return built


def test_the_wheel_holds_the_package_and_its_metadata(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"fieldnotes/__init__.py"} == {n for n in names if not n.startswith("fieldnotes-")}
    metadata = zipfile.ZipFile(wheel).read(f"fieldnotes-{PROJECT['version']}.dist-info/METADATA")
    required = email.message_from_bytes(metadata).get_all("Requires-Dist")
    assert {str(Requirement(r)) for r in required} == {
        str(Requirement(r)) for r in PROJECT["dependencies"]
    }


def test_the_dockerfile_copies_the_wheel_the_build_makes(wheel):
    (copy,) = dockerfile("COPY")
    source, _ = copy.split()
    assert source == f"dist/{wheel.name}"


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    """A fresh venv with the wheel installed by the Dockerfile's own pip install line."""
    path = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=120)
    (install,) = [run for run in dockerfile("RUN") if "pip install" in run]
    command = shlex.split(install.split("&&")[0])
    assert command[:2] == ["pip", "install"]
    command = [
        str(path / "bin" / "pip"),
        *[str(wheel) if a.endswith(".whl") else a for a in command[1:]],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return path


def test_flask_runs_the_installed_app_by_package_name(venv, tmp_path):
    # From an empty directory: the app can only come from the installed wheel.
    args = [
        str(venv / "bin" / "flask"),
        "--app",
        "fieldnotes",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
    with serve(
        args, r"Running on http://127\.0\.0\.1:(\d+)", cwd=tmp_path, env=clean_env()
    ) as port:
        status, about = get_json(port, "/about")
    assert status == 200
    assert about == {"package": "fieldnotes", "version": PROJECT["version"]}


def test_the_dockerfile_cmd_serves_the_installed_app(venv, tmp_path):
    cmd = json.loads(dockerfile("CMD")[0])
    cmd = [
        str(venv / "bin" / cmd[0]),
        *["127.0.0.1:0" if a == "0.0.0.0:8000" else a for a in cmd[1:]],
    ]
    with serve(cmd, GUNICORN_PORT, cwd=tmp_path, env=clean_env()) as port:
        assert get_json(port, "/health") == (200, {"status": "ok"})
        assert get_json(port, "/about")[1]["package"] == "fieldnotes"


# The systemd unit ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def systemd_analyze():
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is not installed: sudo apt-get install -y systemd")
    return found


def verify(systemd_analyze, unit):
    return subprocess.run(
        [systemd_analyze, "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_unit_as_shipped_fails_verify_until_the_venv_exists(systemd_analyze):
    result = verify(systemd_analyze, UNIT)
    assert result.returncode != 0
    assert f"{UNIT_VENV}/bin/gunicorn is not executable" in result.stderr


def test_the_unit_passes_verify_with_the_app_installed(systemd_analyze, venv, tmp_path):
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace(UNIT_VENV, str(venv)))
    result = verify(systemd_analyze, unit)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_units_exec_start_serves_the_installed_app(venv, tmp_path):
    command = shlex.split(unit_value("ExecStart").replace(UNIT_VENV, str(venv)))
    command = ["127.0.0.1:0" if a == "127.0.0.1:8000" else a for a in command]
    with serve(command, GUNICORN_PORT, cwd=tmp_path, env=clean_env()) as port:
        assert get_json(port, "/health") == (200, {"status": "ok"})
