"""Reuse an example's output when nothing it depends on has changed.

The key of an example covers its files (every byte, every name), the
requests the pages send it, the build code (``site_app``'s own source) and
the Python version. Each stored output also names the installed libraries
its worker had imported, with their versions (:attr:`Output.libraries`); it
is reused only while each of them is installed at that version. Other
distributions do not count: the docs and tests environments differ in pytest
and the like, and a build from either reuses what the other stored.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import pickle
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

FORMAT = 3


@cache
def environment_digest() -> str:
    """Python's version and site_app's own code, in one digest."""
    digest = hashlib.sha256(f"format {FORMAT} python {sys.version}".encode())
    for path in sorted(Path(__file__).parents[1].rglob("*")):
        if path.is_file() and path.suffix in {".py", ".css", ".js"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def example_key(files: Iterable[tuple[str, bytes]], requests: Any) -> str:
    """The key of one example: its files, what pages ask of it, the environment."""
    digest = hashlib.sha256(environment_digest().encode())
    for name, content in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    digest.update(repr(requests).encode())
    return digest.hexdigest()


class Store:
    """One pickle per example under ``<cache_dir>/results/``."""

    def __init__(self, cache_dir: Path) -> None:
        self.directory = cache_dir / "results"
        self._versions: dict[str, str | None] = {}  # looked up once per build

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.pickle"

    def load(self, name: str, key: str) -> Any | None:
        """The stored output for ``key``, or None when absent, stale or unreadable."""
        try:
            stored_key, output = pickle.loads(self._path(name).read_bytes())
        except Exception:  # absent, torn, or written by another version of site_app
            return None
        if stored_key != key:
            return None
        libraries = getattr(output, "libraries", ())
        if any(self.installed(library) != version for library, version in libraries):
            return None
        return output

    def installed(self, distribution: str) -> str | None:
        """The installed version of a distribution, or None when it is not installed."""
        if distribution not in self._versions:
            try:
                self._versions[distribution] = importlib.metadata.version(distribution)
            except importlib.metadata.PackageNotFoundError:
                self._versions[distribution] = None
        return self._versions[distribution]

    def save(self, name: str, key: str, output: Any) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self._path(name).with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps((key, output)))
        temporary.replace(self._path(name))
