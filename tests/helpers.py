"""Real `mkdocs build --strict` runs, shared by the build, repo and browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MKDOCS_YML = """
site_name: Fixture
site_url: https://fixture.invalid/
strict: true
theme:
  name: material
  font: false
plugins:
  - flask-examples:
      tests_dir: tests
markdown_extensions:
  - admonition
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.snippets:
      base_path: [snippets]
      check_paths: true
      dedent_subsections: true
"""


@dataclass
class Built:
    returncode: int
    output: str
    site: Path


def mkdocs_build(config: Path, site: Path, cache: Path | None = None) -> Built:
    """Run a real strict build from another directory, as CI or a contributor would.

    With ``cache``, the guide's examples are frozen into that folder (a clean build).
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if cache is not None:
        env["FLASK_EXAMPLES_CACHE"] = str(cache)
    site.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        env=env,
        cwd=site.parent,
        timeout=600,
        check=False,
    )
    return Built(done.returncode, done.stdout + done.stderr, site)


class FixtureSite:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "docs").mkdir(parents=True)
        (root / "snippets").mkdir()
        (root / "snippets/__init__.py").touch()
        (root / "mkdocs.yml").write_text(MKDOCS_YML)

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))

    def build(self) -> Built:
        return mkdocs_build(self.root / "mkdocs.yml", self.root.parent / "out" / "site")
