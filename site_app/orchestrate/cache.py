"""Reuse an example's output when nothing it depends on has changed.

The key of an example covers its files (every byte, every name), the
requests the pages send it, the build code (``site_app``'s own source), the
Python version and every installed distribution with its version. Change
any of them and the example is loaded and frozen again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import site
import sys
import sysconfig
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

FORMAT = 2


@cache
def environment_digest() -> str:
    """Python, installed distributions and site_app's own code, in one digest."""
    digest = hashlib.sha256(f"format {FORMAT} python {sys.version}".encode())
    # An installed distribution's folder is named <name>-<version>.dist-info;
    # listing those folders is much faster than reading every METADATA file.
    # Only where distributions are installed: not sys.path, whose first entry
    # depends on how the build was started (mkdocs, python -m mkdocs, pytest).
    installed = sorted(
        entry
        for folder in _site_packages()
        for entry in os.listdir(folder)
        if entry.endswith((".dist-info", ".egg-info", ".egg-link", ".pth"))
    )
    digest.update("\n".join(installed).encode())
    for path in sorted(Path(__file__).parents[1].rglob("*")):
        if path.is_file() and path.suffix in {".py", ".css", ".js"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _site_packages() -> list[str]:
    paths = sysconfig.get_paths()
    folders = {paths["purelib"], paths["platlib"], *site.getsitepackages()}
    if site.ENABLE_USER_SITE:
        folders.add(site.getusersitepackages())
    return sorted(folder for folder in folders if os.path.isdir(folder))


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

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.pickle"

    def load(self, name: str, key: str) -> Any | None:
        """The stored output for ``key``, or None when absent, stale or unreadable."""
        try:
            stored_key, output = pickle.loads(self._path(name).read_bytes())
        except Exception:  # absent, torn, or written by another version of site_app
            return None
        return output if stored_key == key else None

    def save(self, name: str, key: str, output: Any) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self._path(name).with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps((key, output)))
        temporary.replace(self._path(name))
