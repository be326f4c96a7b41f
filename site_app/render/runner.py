"""The files a site needs to run examples in the reader's browser, all self-hosted.

Three kinds of files go into one folder of the site:

- the Pyodide runtime, from the pinned npm package (``npm ci`` puts it in
  ``node_modules/pyodide/``);
- pure-Python wheels, pinned by version and sha256 in ``browser/requirements.txt``
  and fetched with ``pip download --require-hashes`` into ``.cache/browser-wheels/``;
  libraries with no pure wheel (``browser/sources.txt``) are built from their
  pinned source distribution with no C compiler, and the built wheel is checked
  against ``browser/built.txt``;
- bytecode of those wheels, compiled by the same Pyodide under Node at build
  time (``precompile.mjs``), one zip per distribution, and the standard
  library's zip with bytecode beside each module (it replaces Pyodide's own):
  the browser then imports Flask without compiling it first;
- the runner itself (``site_app/render/assets/runner/``: ``run.js`` on every
  page, ``runner.js`` loaded by the first click, ``worker.js``, ``driver.py``)
  and ``manifest.json``, which maps each distribution (``flask``,
  ``flask_sqlalchemy``) to its wheel, so the worker installs what a job needs.

Nothing here imports Flask or MkDocs. Every file is checked by hash before it is
copied, and the same inputs give the same folder, byte for byte.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..author.sources import without_section_markers
from ..errors import BuildFailed, Location, SiteAppError
from ..model import Example, Output

RUNNER_ASSETS = Path(__file__).parent / "assets" / "runner"
RUNNER_FILES = ("run.js", "runner.js", "worker.js", "driver.py")
# Modules of the build's that the driver uses in the browser too, so both send
# the same form, show the same cookies, pin the same config, give an app the
# same instance folder, send Django's requests and show an answer by the same
# rules. Files, not imports: this layer never imports the one that runs examples.
EXECUTE = Path(__file__).parents[1] / "execute"
SHARED = {
    "forms.py": EXECUTE / "forms.py",
    "cookies.py": EXECUTE / "cookies.py",
    "pinned.py": EXECUTE / "pinned.py",
    "instance.py": EXECUTE / "instance.py",
    "django_send.py": EXECUTE / "django_send.py",
    "shown.py": Path(__file__).parents[1] / "shown.py",
}
# What loadPyodide() fetches: the loader, the compiled interpreter, the
# standard library and the lock file (read at start-up even when unused).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
PYODIDE_VERSION = "314.0.8"
# The interpreter Pyodide 314 runs: wheels must install on it.
PYODIDE_PYTHON = "3.14"
# Zip timestamps of a wheel built from source: the build's fixed clock (2026-01-01).
SOURCE_DATE_EPOCH = "1767225600"

_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)\s+"
    r"--hash=sha256:(?P<sha256>[0-9a-f]{64})\s*$"
)
_BUILT = re.compile(r"^(?P<file>\S+\.whl)\s+sha256:(?P<sha256>[0-9a-f]{64})\s*$")


class BrowserAssetsError(SiteAppError):
    """The in-browser runner's files are missing, or differ from what is pinned."""


@dataclass(frozen=True)
class Pin:
    """One pinned distribution: ``flask==3.1.3 --hash=sha256:...``."""

    name: str
    version: str
    sha256: str
    where: Location

    @property
    def key(self) -> str:
        """The name as wheel file names spell it (PEP 427): ``flask_sqlalchemy``."""
        return normalize(self.name)


@dataclass(frozen=True)
class RunnerFiles:
    """What :func:`install_runner` wrote, relative to its destination."""

    destination: Path
    files: tuple[str, ...]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def read_pins(path: Path, project: Path) -> list[Pin]:
    """The pins of a requirements file; every other line must be blank or a comment."""
    pins = []
    shown = _display(path, project)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        match = _PIN.match(text)
        if not match:
            raise BrowserAssetsError(
                f"cannot read {text!r}",
                where=Location(shown, number),
                fix="write one pin a line: NAME==VERSION --hash=sha256:HEX",
            )
        pins.append(Pin(match["name"], match["version"], match["sha256"], Location(shown, number)))
    return pins


def pyodide_files(project: Path) -> dict[str, Path]:
    """The runtime's files in ``node_modules/pyodide``; a clear error when npm ci has not run."""
    package = project / "node_modules" / "pyodide"
    if not package.is_dir():
        raise BrowserAssetsError(
            f"the Pyodide runtime is missing: there is no {_display(package, project)}/",
            where=Location("package.json"),
            fix="run `npm ci` in the project folder (it needs Node.js and npm)",
        )
    manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if manifest.get("version") != PYODIDE_VERSION:
        raise BrowserAssetsError(
            f"node_modules/pyodide is version {manifest.get('version')}, "
            f"the runner needs {PYODIDE_VERSION}",
            where=Location("package.json"),
            fix=f'pin "pyodide": "{PYODIDE_VERSION}" in package.json and run `npm ci`',
        )
    missing = [name for name in PYODIDE_FILES if not (package / name).is_file()]
    if missing:
        raise BrowserAssetsError(
            f"node_modules/pyodide lacks {', '.join(missing)}",
            where=Location("package.json"),
            fix="delete node_modules/ and run `npm ci` again",
        )
    return {name: package / name for name in PYODIDE_FILES}


def wheels(project: Path, cache: Path | None = None) -> list[Path]:
    """Every wheel the runner installs, fetched or built once into the cache, checked by hash,
    sorted by file name."""
    browser = project / "browser"
    cache = cache or project / ".cache" / "browser-wheels"
    cache.mkdir(parents=True, exist_ok=True)
    requirements = browser / "requirements.txt"
    pins = read_pins(requirements, project)
    if any(_cached(pin, cache) is None for pin in pins):
        _pip(
            project,
            "download",
            "--no-deps",
            "--require-hashes",
            "--only-binary",
            ":all:",
            "--python-version",
            PYODIDE_PYTHON,
            "--platform",
            "any",
            "--implementation",
            "py",
            "--dest",
            str(cache),
            "--requirement",
            str(requirements),
        )
    found = [_checked(pin, cache, project) for pin in pins]
    found += _built_from_source(project, cache)
    return sorted(found, key=lambda path: path.name)


def install_runner(
    destination: Path, project: Path, cache: Path | None = None, *, compiled: bool = True
) -> RunnerFiles:
    """Copy the runner, the Pyodide runtime and the wheels into ``destination``.

    Layout: ``run.js``, ``runner.js``, ``worker.js``, ``driver.py``, ``forms.py``,
    ``cookies.py``, ``pinned.py``, ``instance.py``, ``django_send.py``, ``shown.py``,
    ``manifest.json``, ``pyodide/`` (the runtime), ``wheels/`` and, with
    ``compiled``, ``pycache/`` (bytecode; needs Node). Files already there with
    the same bytes are left alone; nothing else in ``destination`` is touched.
    """
    runtime = pyodide_files(project)
    found = wheels(project, cache)
    bytecode = precompiled(project, found, cache) if compiled else {}
    written: list[str] = []
    for name in RUNNER_FILES:
        written.append(_copy(RUNNER_ASSETS / name, destination, name))
    for name, source in SHARED.items():
        written.append(_copy(source, destination, name))
    for name, source in runtime.items():
        if bytecode and name == "python_stdlib.zip":
            # The standard library with its bytecode beside it (precompile.mjs).
            source = bytecode_folder(bytecode) / name
        written.append(_copy(source, destination, f"pyodide/{name}"))
    for wheel in found:
        written.append(_copy(wheel, destination, f"wheels/{wheel.name}"))
    for path in bytecode.values():
        written.append(_copy(path, destination, f"pycache/{path.name}"))
    manifest: dict[str, object] = {
        "pyodide": PYODIDE_VERSION,
        # By distribution name (as wheel files spell it): a job names what it needs.
        "wheels": {_dist(wheel): f"wheels/{wheel.name}" for wheel in found},
    }
    if bytecode:
        manifest["pycache"] = {name: f"pycache/{path.name}" for name, path in bytecode.items()}
    manifest.update(_contents(destination, written))
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    target = destination / "manifest.json"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    written.append("manifest.json")
    return RunnerFiles(destination, tuple(written))


def _contents(destination: Path, written: list[str]) -> dict[str, object]:
    """What the worker reads from manifest.json about the files: each one's size (the
    progress line's totals) and one digest of them all, which names the browser's
    cache of this build's files (a new build, a new cache)."""
    digest = hashlib.sha256()
    sizes = {}
    for name in sorted(written):
        path = destination / name
        digest.update(f"{name} {sha256_of(path)}\n".encode())
        sizes[name] = path.stat().st_size
    return {"digest": digest.hexdigest()[:20], "sizes": sizes}


def precompiled(project: Path, found: list[Path], cache: Path | None = None) -> dict[str, Path]:
    """Bytecode zips of the wheels, by distribution; compiled once, cached.

    The cache folder is named by the hash of everything that goes in: the
    runtime, the compiling script and every wheel.
    """
    runtime = pyodide_files(project)
    script = RUNNER_ASSETS / "precompile.mjs"
    wheels_in = list(found)
    digest = hashlib.sha256()
    for path in [runtime["pyodide.asm.wasm"], runtime["python_stdlib.zip"], script, *wheels_in]:
        digest.update(f"{path.name} {sha256_of(path)}\n".encode())
    cache = cache or project / ".cache" / "browser-wheels"
    folder = cache / "pycache" / digest.hexdigest()[:16]
    expected = {_dist(wheel) for wheel in wheels_in}
    if not folder.is_dir():
        node = shutil.which("node")
        if node is None:
            raise BrowserAssetsError(
                "Node.js is missing: the build compiles the runner's wheels with Pyodide in Node",
                where=Location("package.json"),
                fix="install Node.js (npm ci needs it too), or build without compiled bytecode",
            )
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        command = [node, str(script), str(runtime["pyodide.mjs"].parent), str(partial)]
        result = subprocess.run(
            [*command, *map(str, wheels_in)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            tail = "\n    ".join((result.stderr or result.stdout).strip().splitlines()[-12:])
            raise BrowserAssetsError(
                f"compiling the runner's wheels with Pyodide under Node failed:\n    {tail}",
                where=Location(_display(script, project)),
                fix="check that `node --version` is 18 or later and that `npm ci` ran",
            )
        partial.rename(folder)
    made = {
        path.name.removesuffix(".pyc.zip"): path
        for path in sorted(folder.iterdir())
        if path.name.endswith(".pyc.zip")
    }
    if set(made) != expected:
        raise BrowserAssetsError(
            f"compiling gave bytecode for {sorted(made)}, not for {sorted(expected)}",
            where=Location(_display(script, project)),
            fix=f"delete {_display(folder, project)} and build again",
        )
    return made


def bytecode_folder(bytecode: dict[str, Path]) -> Path:
    """The cache folder of one compile: the wheels' zips and the compiled standard library."""
    return next(iter(bytecode.values())).parent


def _dist(wheel: Path) -> str:
    """A wheel's distribution name as manifest.json keys it: ``flask_sqlalchemy``."""
    return normalize(wheel.name.split("-")[0])


_HASHED: dict[tuple[str, int, int, int], str] = {}  # a file's stat → its sha256


def sha256_of(path: Path) -> str:
    """The file's sha256; under serve, read again only when its size, time or inode change."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
    if key not in _HASHED:
        _HASHED[key] = _hash(path)
    return _HASHED[key]


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _display(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return str(path)


def _cached(pin: Pin, cache: Path) -> Path | None:
    for path in sorted(cache.glob("*.whl")):
        name, version = path.name.split("-")[:2]
        if normalize(name) == pin.key and version == pin.version:
            return path
    return None


def _checked(pin: Pin, cache: Path, project: Path) -> Path:
    path = _cached(pin, cache)
    if path is None:
        raise BrowserAssetsError(
            f"no pure-Python wheel of {pin.name} {pin.version} was downloaded",
            where=pin.where,
            fix="pin a version that has a py3-none-any wheel, or move it to browser/sources.txt",
        )
    actual = sha256_of(path)
    if actual != pin.sha256:
        raise BrowserAssetsError(
            f"{_display(path, project)} has sha256 {actual}, but {pin.name}=={pin.version} "
            f"is pinned to {pin.sha256}",
            where=pin.where,
            fix=f"delete {_display(path, project)} and build again; if the index really "
            "serves other bytes now, check why before changing the pin",
        )
    return path


def _built_from_source(project: Path, cache: Path) -> list[Path]:
    browser = project / "browser"
    sources = browser / "sources.txt"
    if not sources.is_file():
        return []
    pins = read_pins(sources, project)
    if not pins:
        return []
    built_list = browser / "built.txt"
    expected = _read_built(built_list, project)
    built_dir = cache / "built"
    if any(_cached(pin, built_dir) is None for pin in pins):
        built_dir.mkdir(parents=True, exist_ok=True)
        environment = {
            # No C compiler: optional speedups fail to build and the library
            # falls back to its pure-Python code, giving a py3-none-any wheel.
            "CC": "false",
            "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "PIP_CONSTRAINT": str(browser / "build-constraints.txt"),
        }
        _pip(
            project,
            "wheel",
            "--no-deps",
            "--require-hashes",
            "--no-binary",
            ":all:",
            "--no-cache-dir",
            "--wheel-dir",
            str(built_dir),
            "--requirement",
            str(sources),
            environment=environment,
        )
    found = []
    for pin in pins:
        path = _cached(pin, built_dir)
        if path is None or not path.name.endswith("-py3-none-any.whl"):
            raise BrowserAssetsError(
                f"building {pin.name} {pin.version} from source gave no pure-Python wheel",
                where=pin.where,
                fix="check that the library has a pure-Python fallback for its C code",
            )
        actual = sha256_of(path)
        if expected.get(path.name) != actual:
            raise BrowserAssetsError(
                f"{path.name}, built from source, has sha256 {actual}, "
                f"but browser/built.txt expects {expected.get(path.name, 'no entry')}",
                where=Location(_display(built_list, project)),
                fix=f"delete {_display(path, project)} and build again; if the build backend "
                "in browser/build-constraints.txt changed on purpose, update the hash",
            )
        found.append(path)
    return found


def _read_built(path: Path, project: Path) -> dict[str, str]:
    expected = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        match = _BUILT.match(text)
        if not match:
            raise BrowserAssetsError(
                f"cannot read {text!r}",
                where=Location(_display(path, project), number),
                fix="write one wheel a line: FILE.whl sha256:HEX",
            )
        expected[match["file"]] = match["sha256"]
    return expected


def _pip(project: Path, *args: str, environment: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    env = {**os.environ, **(environment or {})}
    try:
        result = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, check=False
        )
    except OSError as exc:  # pragma: no cover - sys.executable always starts
        raise BrowserAssetsError(f"cannot start pip: {exc}") from exc
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        if any("No module named pip" in line for line in output):
            raise BrowserAssetsError(
                f"{sys.executable} has no pip, which fetches the runner's wheels",
                fix="install pip in this environment (`python -m ensurepip`, or add pip to "
                "its dependency group)",
            )
        tail = "\n    ".join(output[-12:])
        raise BrowserAssetsError(
            f"`pip {args[0]}` of the runner's wheels failed:\n    {tail}",
            where=Location(_display(project / "browser" / "requirements.txt", project)),
            fix="a hash mismatch means the file differs from the pin: check the pin; "
            "otherwise check that the package index is reachable",
        )


def _copy(source: Path, destination: Path, name: str) -> str:
    target = destination / name
    if target.is_file() and sha256_of(target) == sha256_of(source):
        return name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return name


# --- What an example needs, checked against what the site ships ----------------------------

_REQUIRES = re.compile(r"^Requires-Dist:\s*([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$")
# What the driver itself imports for an example of a framework, besides the example's imports.
DRIVER_NEEDS: dict[str, tuple[str, ...]] = {"django": ("werkzeug",)}


def wheel_contents(wheel: Path) -> tuple[set[str], list[str]]:
    """A wheel's top-level import names, and the distributions it requires (no extras)."""
    modules: set[str] = set()
    requires: list[str] = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            top = name.split("/")[0]
            if top.endswith((".dist-info", ".data")):
                if name.endswith(".dist-info/METADATA"):
                    for line in archive.read(name).decode("utf-8").splitlines():
                        match = _REQUIRES.match(line)
                        if match and "extra ==" not in match[2]:
                            requires.append(normalize(match[1]))
                continue
            modules.add(top.removesuffix(".py") if "/" not in name else top)
    return {m for m in modules if m.isidentifier()}, sorted(set(requires))


@dataclass(frozen=True)
class Shipped:
    """What the site ships for the browser: import name → distribution, and each one's needs."""

    provides: dict[str, str]
    requires: dict[str, list[str]]

    @classmethod
    def of(cls, found: list[Path]) -> Shipped:
        provides: dict[str, str] = {}
        requires: dict[str, list[str]] = {}
        for wheel in found:
            modules, needs = wheel_contents(wheel)
            requires[_dist(wheel)] = needs
            for module in modules:
                provides[module] = _dist(wheel)
        return cls(provides, requires)

    def closure(self, dists: set[str]) -> list[str]:
        """The distributions to install for ``dists``: they and what they need, if shipped."""
        todo, done = sorted(dists), set()
        while todo:
            dist = todo.pop()
            if dist in done or dist not in self.requires:
                continue
            done.add(dist)
            todo += self.requires[dist]
        return sorted(done)


def example_imports(example: Example) -> dict[str, Location]:
    """Top-level modules the example's app imports, each with where it is first imported.

    Follows the app module's imports through the example's own files (a file
    no import reaches, such as a test or a freeze script, does not count).
    """
    package = example.package
    seen: set[Path] = set()
    found: dict[str, Location] = {}
    todo = [example.app_file]
    while todo:
        path = todo.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue  # the build's own run reports it
        # A relative import counts from the file's package (its folder).
        current = path.parent.relative_to(example.directory).parts
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = current[: len(current) - (node.level - 1)]
                    parts = [*base, *(node.module or "").split(".")]
                    parts = [p for p in parts if p]
                    todo += _local(example, parts, [a.name for a in node.names])
                    continue
                names = [node.module or ""]
                if (node.module or "").startswith(package + ".") or node.module == package:
                    parts = (node.module or "")[len(package) + 1 :].split(".")
                    todo += _local(example, [p for p in parts if p], [a.name for a in node.names])
                    continue
            for name in names:
                if name == package or name.startswith(package + "."):
                    parts = name[len(package) + 1 :].split(".")
                    todo += _local(example, [p for p in parts if p], [])
                    continue
                top = name.split(".")[0]
                if top and top not in found:
                    found[top] = Location(example.display(path), node.lineno)
    return found


def _local(example: Example, parts: list[str], names: list[str]) -> list[Path]:
    """The example's files a relative import may load: the module, or its submodules."""
    base = example.directory.joinpath(*parts)
    out = [base.with_suffix(".py"), base / "__init__.py"]
    out += [base / f"{name}.py" for name in names] + [base / name / "__init__.py" for name in names]
    return out


def check_imports(example: Example, shipped: Shipped, stdlib: frozenset[str]) -> list[str]:
    """The distributions the example needs in the browser; a clear error for a missing one."""
    errors: list[SiteAppError] = []
    dists: set[str] = set()
    top = example.package.split(".")[0]
    for module, where in sorted(example_imports(example).items()):
        if module in stdlib or module == top or module == "__future__":
            continue
        if module in shipped.provides:
            dists.add(shipped.provides[module])
            continue
        errors.append(
            BrowserAssetsError(
                f"example '{example.name}' runs in the browser, but it imports {module}, "
                "which the site does not ship to the browser",
                where=where,
                fix="pin a pure-Python wheel of it in browser/requirements.txt, or set "
                'browser = false and browser_reason = "..." under [build] in its example.toml',
            )
        )
    # The driver writes a Django answer's status line from Werkzeug's table, as the
    # build does (site_app.execute.clients.status_line).
    for dist in DRIVER_NEEDS.get(example.settings.framework, ()):
        if dist not in shipped.requires:
            errors.append(
                BrowserAssetsError(
                    f"example '{example.name}' is a {example.settings.framework} app, and the "
                    f"runner needs {dist} to run one, which the site does not ship",
                    where=Location(example.display(example.app_file)),
                    fix=f"pin a pure-Python wheel of {dist} in browser/requirements.txt",
                )
            )
        dists.add(dist)
    if errors:
        raise BuildFailed(errors)
    return shipped.closure(dists)


def cannot_run(example: Example, output: Output | None) -> str:
    """Why the example's Run button is off, or "" when it runs in the reader's browser.

    The reason written in its example.toml (``browser = false``) comes first;
    then what the example called, while the build ran it, that Python in the
    browser lacks (``hashlib.scrypt``, threads: see
    :mod:`site_app.execute.browser_needs`).
    """
    settings = example.settings
    if not settings.browser:
        return settings.browser_reason or (
            f"the in-browser runner runs Flask and Django apps, and this one is "
            f"{settings.framework}."
        )
    if output is not None and output.browser_lacks:
        return "; ".join(output.browser_lacks) + "."
    return ""


def example_job(example: Example, packages: list[str]) -> dict[str, Any]:
    """What the browser needs to run an example: its framework, every file, its setup,
    config and wheels."""
    files: dict[str, Any] = {}
    mtimes: dict[str, float] = {}
    for path in example.source_files():
        relative = path.relative_to(example.directory).as_posix()
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            files[relative] = {"base64": base64.b64encode(data).decode("ascii")}
        else:
            # The reader sees and edits a Python file as its tab shows it: no section
            # markers, so a traceback's line numbers are the editor's.
            files[relative] = without_section_markers(text) if path.suffix == ".py" else text
        mtimes[relative] = path.stat().st_mtime
    settings = example.settings
    return {
        "example": example.name,
        "top": example.package.split(".")[0],
        "module": example.app_module,
        "framework": settings.framework,
        "files": files,
        "mtimes": mtimes,
        "setup": list(settings.setup),
        "setup_python": list(settings.setup_python),
        "config": settings.config,
        "packages": packages,
    }
