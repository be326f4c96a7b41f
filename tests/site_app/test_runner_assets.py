"""site_app.render.runner: the runner's files, checked by hash, with clear errors.

These tests run offline: each builds a small project whose cache already
holds every pinned file, or points pip at a local folder instead of an index.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import io
import json
import sys
import zipfile
from pathlib import Path

import pytest

from site_app.render.runner import (
    PYODIDE_FILES,
    PYODIDE_VERSION,
    BrowserAssetsError,
    install_runner,
    pyodide_files,
    read_pins,
    wheels,
)
from tests.helpers import ROOT


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _project(tmp_path: Path, wheel_bytes: dict[str, bytes], pins: dict[str, bytes]) -> Path:
    """A project whose browser/requirements.txt pins ``pins`` and whose cache holds ``wheel_bytes``.

    Keys are wheel file names: ``demo-1.0-py3-none-any.whl``.
    """
    project = tmp_path / "project"
    (project / "browser").mkdir(parents=True)
    lines = ["# test pins"]
    for name, data in pins.items():
        dist, version = name.split("-")[:2]
        lines.append(f"{dist}=={version} --hash=sha256:{_sha(data)}")
    (project / "browser" / "requirements.txt").write_text("\n".join(lines) + "\n")
    cache = project / ".cache" / "browser-wheels"
    cache.mkdir(parents=True)
    for name, data in wheel_bytes.items():
        (cache / name).write_bytes(data)
    return project


def _runtime(project: Path, version: str = PYODIDE_VERSION) -> None:
    package = project / "node_modules" / "pyodide"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "pyodide", "version": version}))
    for name in PYODIDE_FILES:
        (package / name).write_bytes(f"runtime file {name}".encode())


WHEELS = {
    "zeta-2.0-py3-none-any.whl": b"zeta",
    "flask_demo-1.0-py3-none-any.whl": b"demo",
}


def test_a_missing_runtime_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(BrowserAssetsError) as caught:
        pyodide_files(tmp_path)
    assert "the Pyodide runtime is missing: there is no node_modules/pyodide/" in str(caught.value)
    assert "run `npm ci`" in str(caught.value)


def test_another_pyodide_version_is_refused(tmp_path: Path) -> None:
    _runtime(tmp_path, version="0.27.0")
    with pytest.raises(BrowserAssetsError, match=r"is version 0\.27\.0, the runner needs 314"):
        pyodide_files(tmp_path)


def test_a_runtime_file_missing_is_named(tmp_path: Path) -> None:
    _runtime(tmp_path)
    (tmp_path / "node_modules" / "pyodide" / "python_stdlib.zip").unlink()
    with pytest.raises(BrowserAssetsError, match=r"lacks python_stdlib\.zip"):
        pyodide_files(tmp_path)


def test_a_wheel_whose_hash_differs_stops_with_the_pin(tmp_path: Path) -> None:
    project = _project(tmp_path, {**WHEELS, "zeta-2.0-py3-none-any.whl": b"tampered"}, WHEELS)
    with pytest.raises(BrowserAssetsError) as caught:
        wheels(project)
    message = str(caught.value)
    assert message.startswith("browser/requirements.txt:2: ")
    assert f"has sha256 {_sha(b'tampered')}" in message
    assert f"zeta==2.0 is pinned to {_sha(b'zeta')}" in message
    assert "delete .cache/browser-wheels/zeta-2.0-py3-none-any.whl" in message


def test_an_unreadable_pin_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("# pins\n\nflask>=3.0\n")
    with pytest.raises(BrowserAssetsError, match=r"requirements.txt:3: cannot read 'flask>=3.0'"):
        read_pins(path, tmp_path)


def test_a_wheel_built_from_source_is_checked_against_built_txt(tmp_path: Path) -> None:
    project = _project(tmp_path, WHEELS, WHEELS)
    browser = project / "browser"
    (browser / "sources.txt").write_text(f"markupsafe==3.0.4 --hash=sha256:{_sha(b'sdist')}\n")
    (browser / "built.txt").write_text(f"markupsafe-3.0.4-py3-none-any.whl sha256:{_sha(b'a')}\n")
    built = project / ".cache" / "browser-wheels" / "built"
    built.mkdir()
    (built / "markupsafe-3.0.4-py3-none-any.whl").write_bytes(b"b")
    with pytest.raises(BrowserAssetsError) as caught:
        wheels(project)
    assert str(caught.value).startswith("browser/built.txt: markupsafe-3.0.4-py3-none-any.whl")
    assert f"has sha256 {_sha(b'b')}, but browser/built.txt expects {_sha(b'a')}" in str(
        caught.value
    )
    (built / "markupsafe-3.0.4-py3-none-any.whl").write_bytes(b"a")
    assert "markupsafe-3.0.4-py3-none-any.whl" in [p.name for p in wheels(project)]


def test_install_runner_writes_the_same_folder_every_time(tmp_path: Path) -> None:
    project = _project(tmp_path, WHEELS, WHEELS)
    _runtime(project)
    destination = tmp_path / "site" / "runner"
    destination.mkdir(parents=True)
    (destination / "kept.txt").write_text("not ours")
    copied = install_runner(destination, project, compiled=False)
    manifest = json.loads((destination / "manifest.json").read_text())
    digest, sizes = manifest.pop("digest"), manifest.pop("sizes")
    assert manifest == {
        "pyodide": PYODIDE_VERSION,
        "wheels": {
            "flask_demo": "wheels/flask_demo-1.0-py3-none-any.whl",
            "zeta": "wheels/zeta-2.0-py3-none-any.whl",
        },
    }
    # Every file the worker fetches, with its size: the progress line's totals.
    assert sizes == {
        path.relative_to(destination).as_posix(): path.stat().st_size
        for path in destination.rglob("*")
        if path.is_file() and path.name not in ("manifest.json", "kept.txt")
    }
    for name in PYODIDE_FILES:
        assert (destination / "pyodide" / name).read_bytes() == f"runtime file {name}".encode()
    for name in ("run.js", "runner.js", "worker.js", "driver.py"):
        source = ROOT / "site_app" / "render" / "assets" / "runner" / name
        assert (destination / name).read_bytes() == source.read_bytes()
    # The browser submits forms, shows cookies, pins config, makes the instance folder and shows answers with the build's own modules.
    for name in (
        "execute/forms.py",
        "execute/cookies.py",
        "execute/pinned.py",
        "execute/instance.py",
        "execute/django_send.py",
        "shown.py",
    ):
        shared = ROOT / "site_app" / name
        assert (destination / Path(name).name).read_bytes() == shared.read_bytes()
    assert (destination / "kept.txt").read_text() == "not ours"
    before = {p: p.read_bytes() for p in destination.rglob("*") if p.is_file()}
    again = install_runner(destination, project, compiled=False)
    assert again.files == copied.files
    assert {p: p.read_bytes() for p in destination.rglob("*") if p.is_file()} == before

    # Another wheel is another build: the digest, which names the browser's cache, changes.
    (project / ".cache" / "browser-wheels" / "zeta-2.0-py3-none-any.whl").write_bytes(b"zeta 2")
    (project / "browser" / "requirements.txt").write_text(
        f"zeta==2.0 --hash=sha256:{_sha(b'zeta 2')}\n"
        f"flask_demo==1.0 --hash=sha256:{_sha(b'demo')}\n"
    )
    install_runner(destination, project, compiled=False)
    assert json.loads((destination / "manifest.json").read_text())["digest"] != digest


def test_the_pins_are_the_versions_the_build_runs() -> None:
    """An unedited example answers alike in the browser only on the same library versions."""
    pins = read_pins(ROOT / "browser" / "requirements.txt", ROOT)
    pins += read_pins(ROOT / "browser" / "sources.txt", ROOT)
    differ = [
        f"{pin.name}: pinned {pin.version}, installed {importlib.metadata.version(pin.name)}"
        for pin in pins
        if importlib.metadata.version(pin.name) != pin.version
    ]
    assert differ == [], "update browser/requirements.txt (and its hashes): " + "; ".join(differ)


def _wheel(file_name: str, note: str) -> bytes:
    """A small real wheel (pip reads its metadata); ``note`` changes its bytes."""
    dist, version = file_name.split("-")[:2]
    info = f"{dist}-{version}.dist-info"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{dist}/__init__.py", f"# {note}\n")
        archive.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
        )
        archive.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        archive.writestr(f"{info}/RECORD", "")
    return buffer.getvalue()


def test_pip_refusing_a_download_names_the_requirements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel not yet cached is fetched by pip with --require-hashes; other bytes stop it."""
    real = {name: _wheel(name, "as pinned") for name in WHEELS}
    project = _project(tmp_path, {}, real)
    index = tmp_path / "index"
    index.mkdir()
    for name, data in {**real, "zeta-2.0-py3-none-any.whl": _wheel("zeta-2.0-", "other")}.items():
        (index / name).write_bytes(data)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    with pytest.raises(BrowserAssetsError) as caught:
        wheels(project)
    message = str(caught.value)
    assert message.startswith("browser/requirements.txt: `pip download` of the runner's wheels")
    assert "DO NOT MATCH THE HASHES" in message
    assert "a hash mismatch means the file differs from the pin" in message


def test_pip_fetches_what_the_cache_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = {name: _wheel(name, "as pinned") for name in WHEELS}
    project = _project(tmp_path, {}, real)
    index = tmp_path / "index"
    index.mkdir()
    for name, data in real.items():
        (index / name).write_bytes(data)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    found = wheels(project)
    assert [path.name for path in found] == [
        "flask_demo-1.0-py3-none-any.whl",
        "zeta-2.0-py3-none-any.whl",
    ]
    assert all(path.read_bytes() == real[path.name] for path in found)


def test_compiling_without_node_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, WHEELS, WHEELS)
    _runtime(project)
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(BrowserAssetsError, match=r"Node\.js is missing") as caught:
        install_runner(tmp_path / "site", project)
    assert "install Node.js (npm ci needs it too)" in str(caught.value)


def test_a_failed_compile_shows_node_s_own_words(tmp_path: Path) -> None:
    project = _project(tmp_path, WHEELS, WHEELS)
    _runtime(project)  # files that are not Pyodide: Node cannot load them
    with pytest.raises(BrowserAssetsError) as caught:
        install_runner(tmp_path / "site", project)
    message = str(caught.value)
    assert (
        message.startswith("site_app/render/assets/runner/precompile.mjs")
        or "precompile.mjs" in message
    )
    assert "compiling the runner's wheels with Pyodide under Node failed" in message


@pytest.mark.parametrize(
    ("name", "allowed"), [("forms.py", set()), ("cookies.py", {"werkzeug"}), ("pinned.py", set())]
)
def test_the_build_modules_the_browser_loads_import_no_more_than_it_has(
    name: str, allowed: set[str]
) -> None:
    """The worker loads these files alone into Pyodide: no site_app there, and Flask's wheels only."""
    tree = ast.parse((ROOT / "site_app" / "execute" / name).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0] if not node.level else "." * node.level
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported - {"__future__"} <= sys.stdlib_module_names | allowed, imported
