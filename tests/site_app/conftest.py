"""The library's tests build small projects in this process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_app.orchestrate import pool
from site_app.render.runner import RUNNER_ASSETS, SHARED
from tests.helpers import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def short_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wall-clock ceilings of exactly three times the CPU limit (pool.WALL_FACTOR).

    A build gives a job with a short CPU limit at least pool.WALL_ROOM (15 s) of
    extra wall-clock time; a test of the ceiling itself need not wait that out.
    """
    monkeypatch.setattr(pool, "WALL_ROOM", 0.0)


DRIVER = RUNNER_ASSETS / "driver.py"
_RUN_DRIVER = """
import importlib.util, sys
sys.path.insert(0, sys.argv[3])
spec = importlib.util.spec_from_file_location("driver", sys.argv[1])
driver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(driver)
driver.ROOT = sys.argv[2]
print(driver.run(sys.stdin.read()))
"""


@pytest.fixture
def run_driver(tmp_path: Path) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Run a job through the in-browser runner's driver, in a CPython process of its own.

    The driver is the Python the reader's browser runs (Pyodide is CPython);
    beside it, as the runner's worker writes them, the build's shared modules.
    """
    shared = tmp_path / "ffg"
    shared.mkdir()
    for name, source in SHARED.items():
        (shared / f"_ffg_{name}").write_bytes(source.read_bytes())

    def run(job: dict[str, Any]) -> dict[str, Any]:
        ran = subprocess.run(
            [sys.executable, "-c", _RUN_DRIVER, str(DRIVER), str(tmp_path / "run"), str(shared)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        )
        result: dict[str, Any] = json.loads(ran.stdout)
        return result

    return run
