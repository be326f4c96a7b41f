"""The guide, built once by `mkdocs build --strict` for every test that reads it.

Reading the built guide is what many tests do (links, the 404 page, the
reviewed outputs, search, every browser test), and a clean build of it is
the slowest single step of the suite. So the test processes share one:

- pytest-xdist's workers and the `tests` and `browser` sessions of one `nox`
  run all ask :func:`built_guide`, and a file lock lets one of them build
  while the others wait for it;
- the build lives under ``.cache/tests/guide/<key>/``, where the key is a
  digest of everything the site is made from: the files of the folders and
  files in :data:`INPUTS`, the Python version, and the versions of the
  distributions the build runs (the project's own dependencies and its
  ``docs`` group, with what they need). Change any of them and the next run
  builds anew; a build that failed is never reused.

The determinism test still builds the guide a second time, clean, with the
machine's clock a day ahead and both cores busy, and compares the two.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from tests.helpers import ROOT, Built, mkdocs_build
from tools.project_pages import PAGES

# What the built site is made from, relative to the project root.
INPUTS = (
    "docs",
    "snippets",
    "site_app",
    "overrides",
    "tools",
    "browser",
    "mkdocs.yml",
    "pyproject.toml",
    "package-lock.json",
    # Files outside docs/ that the guide publishes as pages (CONTRIBUTING.md, ...).
    *sorted(PAGES.values()),
)
FOLDER = ROOT / ".cache" / "tests" / "guide"
DONE = "built.json"  # written last: a folder without it holds no finished build


@dataclass(frozen=True)
class Inputs:
    files: dict[str, str]  # path relative to the root -> sha256 of its bytes
    versions: dict[str, str]  # distribution -> version

    def key(self) -> str:
        text = json.dumps([sys.version, self.files, self.versions], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _files(root: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in INPUTS:
        top = root / name
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[path.relative_to(root).as_posix()] = digest
    return found


def _name(requirement: str) -> str:
    return re.split(r"[\s;\[<>=!~(]", requirement.strip(), maxsplit=1)[0].lower()


def _versions(root: Path) -> dict[str, str]:
    """The installed versions of what the build runs: the project, its docs group, and
    everything those need, however deep (not the test tools beside them)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    todo = [_name(r) for r in project["project"]["dependencies"]]
    todo += [_name(r) for r in project["dependency-groups"]["docs"] if isinstance(r, str)]
    for group in ("examples", "data"):
        todo += [_name(r) for r in project["dependency-groups"][group]]
    versions: dict[str, str] = {}
    while todo:
        name = todo.pop()
        if name in versions:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
            continue
        versions[name] = dist.version
        todo += [_name(r) for r in dist.requires or () if "extra ==" not in r]
    return versions


def inputs(root: Path = ROOT) -> Inputs:
    return Inputs(_files(root), _versions(root))


def built_guide() -> Built:
    """The guide's site, built now or by another test process of this run or an earlier one."""
    key = inputs().key()
    folder = FOLDER / key
    FOLDER.mkdir(parents=True, exist_ok=True)
    with FileLock(FOLDER / f"{key}.lock"):
        done = folder / DONE
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            print(f"\nbuilding the guide once for this run, into {folder} ...", file=sys.stderr)
            built = mkdocs_build(ROOT / "mkdocs.yml", folder / "site", cache=folder / "cache")
            assert built.returncode == 0, built.output
            done.write_text(json.dumps({"output": built.output}), encoding="utf-8")
            _forget_others(key)
        output = json.loads(done.read_text(encoding="utf-8"))["output"]
    return Built(0, output, folder / "site")


def _forget_others(key: str) -> None:
    """Remove the builds of other inputs (none is being built: its lock is free)."""
    for other in FOLDER.iterdir():
        if other.is_dir() and other.name != key:
            lock = FileLock(FOLDER / f"{other.name}.lock", timeout=0)
            try:
                with lock:
                    shutil.rmtree(other, ignore_errors=True)
            except Timeout:
                continue
