"""A download of one example: a zip a reader unpacks and runs with one command.

The zip holds one folder named after the example with:

- the example's files, in the package they are written in
  (``snippets/hello/app.py``, with ``snippets/__init__.py``), so imports such
  as ``from snippets.hello.app import create_app`` keep working;
- ``requirements.txt``: every distribution the example's modules import,
  and what those need in turn, pinned to the version the build ran
  (read with :mod:`importlib.metadata` in the worker);
- ``README.md``: the commands that set it up and run it.

The bytes depend on nothing but those files and versions: names in sorted
order, one fixed timestamp, fixed permissions, so two builds write the same
zip.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata as metadata
import io
import re
import sys
import zipfile
from pathlib import Path

from ..model import Example
from . import installed

ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # every entry's timestamp, so builds agree
# What serves each framework's app, besides the framework.
SERVERS = {"fastapi": ("uvicorn",), "django": ("gunicorn",)}


def file_name(example: Example) -> str:
    return f"{example.name}.zip"


def write(example: Example, destination: Path) -> str:
    """Write the example's zip into ``destination``; its file name there."""
    name = file_name(example)
    # An example whose every URL was left out of the static site has no folder yet.
    destination.mkdir(parents=True, exist_ok=True)
    (destination / name).write_bytes(build(example))
    return name


def build(example: Example) -> bytes:
    """The zip's bytes."""
    package_root = example.directory.parent  # snippets/, a package of its own
    entries: dict[str, bytes] = {}
    init = package_root / "__init__.py"
    entries[f"{package_root.name}/__init__.py"] = init.read_bytes() if init.is_file() else b""
    for path in example.source_files():
        entries[path.relative_to(package_root.parent).as_posix()] = path.read_bytes()
    entries["requirements.txt"] = requirements(example).encode()
    entries["README.md"] = readme(example).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in sorted(entries):
            info = zipfile.ZipInfo(f"{example.name}/{entry}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # Unix, whatever system builds it
            archive.writestr(info, entries[entry])
    return buffer.getvalue()


def command(example: Example) -> tuple[str, str]:
    """The one command that serves the example on loopback, and the URL it serves."""
    module = example.app_module
    framework = example.settings.framework
    if framework == "fastapi":
        factory = "create_app" in _defined_names(example.app_file)
        target = f"{module}:create_app --factory" if factory else f"{module}:app"
        return f"uvicorn {target}", "http://127.0.0.1:8000/"
    if framework == "django":
        return f"gunicorn --bind 127.0.0.1:8000 {module}:application", "http://127.0.0.1:8000/"
    return f"flask --app {module} run", "http://127.0.0.1:5000/"


def readme(example: Example) -> str:
    setup = [f"flask --app {example.app_module} {step}" for step in example.settings.setup]
    run, url = command(example)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    lines = [
        f"# {example.name}",
        "",
        "An example of the Flask Field Guide. In this folder:",
        "",
        "```console",
        "python -m venv .venv",
        ". .venv/bin/activate",
        "pip install -r requirements.txt",
        *setup,
        run,
        "```",
        "",
        f"Then open {url}; the app answers the URLs the guide shows.",
        f"`requirements.txt` pins the versions the guide was built with (Python {python}).",
    ]
    if example.settings.config:
        keys = ", ".join(f"`{key}`" for key in sorted(example.settings.config))
        lines += [
            "",
            f"The guide's build set {keys} (`[build.config]` in `example.toml`). "
            "If the app stops and asks for one, set it in the environment, e.g. "
            "`export FLASK_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex())')`.",
        ]
    return "\n".join(lines) + "\n"


def requirements(example: Example) -> str:
    """``name==version`` for every distribution the example needs, sorted."""
    packages = installed.distributions_of_modules()
    wanted: set[str] = set(SERVERS.get(example.settings.framework, ()))
    own = example.directory.parent.name
    for path in example.source_files():
        if path.suffix != ".py" or path.name.startswith("test_") or path.name == "conftest.py":
            continue
        for top in _imported(path):
            if top != own:
                wanted.update(packages.get(top, ()))
    pinned: dict[str, str] = {}
    todo = sorted(wanted)
    while todo:
        found = _pin(todo.pop())
        if found is None or found[0] in pinned:
            continue
        key, line, needs = found
        pinned[key] = line
        todo += needs
    return "".join(line + "\n" for _, line in sorted(pinned.items()))


@functools.cache
def _pin(name: str) -> tuple[str, str, tuple[str, ...]] | None:
    """A distribution's normal name, its ``name==version`` line, and what it needs here.

    Cached: reading a distribution's metadata means a search of ``sys.path``
    and a parse of every requirement. The fork server's warm-up pins Flask and
    what it needs, so a worker looks up only what its own example adds.
    """
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    needs = tuple(_needed(line) for line in dist.requires or () if _applies(line))
    return _normal(dist.metadata["Name"]), f"{dist.metadata['Name']}=={dist.version}", needs


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_bytes(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_bytes(), filename=str(path))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _needed(requirement: str) -> str:
    return re.split(r"[\s;\[<>=!~(]", requirement.strip(), maxsplit=1)[0]


def _applies(requirement: str) -> bool:
    """A dependency this environment installed: not an extra's, and its marker holds here."""
    from packaging.requirements import Requirement  # a dependency of the build's tools

    marker = Requirement(requirement).marker
    return marker is None or marker.evaluate({"extra": ""})
