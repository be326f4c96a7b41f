"""``python -m tools.example_coverage NAME``: one example's coverage, with the lines missed.

It runs the tests that import the example (under tests/snippets/, and those
inside the example's folder) with the same coverage settings as the full
suite (pyproject.toml: branch coverage), then reports the example's files
with the floor the full ``nox -s tests`` applies to snippets/: 100 %.
Run it from the project's root in the tests environment: ``nox -s cov -- NAME``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

FLOOR = 100  # the snippets/ floor of the tests session (noxfile.py)


def test_files(root: Path, name: str) -> list[Path]:
    """Every test file that imports ``snippets.<name>`` or lives in the example."""
    pattern = re.compile(rf"\bsnippets\.{re.escape(name)}\b")
    inside = sorted((root / "snippets" / name).rglob("test_*.py"))
    named = [
        path
        for path in sorted((root / "tests" / "snippets").rglob("test_*.py"))
        if pattern.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    return named + inside


def commands(root: Path, name: str) -> list[list[str]]:
    """The pytest run with coverage, then the report with the floor."""
    files = [path.relative_to(root).as_posix() for path in test_files(root, name)]
    return [
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--cov",
            "--cov-report=",
            *files,
        ],
        [
            sys.executable,
            "-m",
            "coverage",
            "report",
            f"--include=snippets/{name}/*",
            "--show-missing",
            "--no-skip-covered",
            f"--fail-under={FLOOR}",
        ],
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.example_coverage NAME", file=sys.stderr)
        return 2
    root, name = Path.cwd(), args[0]
    if not (root / "snippets" / name).is_dir():
        print(f"error: there is no example '{name}' under snippets/", file=sys.stderr)
        return 1
    if not test_files(root, name):
        print(
            f"error: no test imports snippets.{name}: add tests/snippets/test_{name}.py",
            file=sys.stderr,
        )
        return 1
    for command in commands(root, name):
        print("$", " ".join(command[2:] if command[0] == sys.executable else command))
        done = subprocess.run(command, cwd=root, check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
