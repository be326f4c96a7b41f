"""Small projects for the tests: built in process (Project) or by a real `mkdocs build --strict` (FixtureSite)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from site_app import Builder, BuildResult, Settings

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
      require_shown: true
      forbid_typed_python: true
      check_includes: true
      forbid_text: ["TODO: say what"]
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


# The date MkDocs gives every page (the sitemap's <lastmod>), pinned as `nox -s build`
# pins it (there: the last commit's time), so that a build does not depend on the day:
# 2026-01-01, the examples' own clock.
SOURCE_DATE_EPOCH = "1767225600"


def mkdocs_build(
    config: Path,
    site: Path,
    cache: Path | None = None,
    wrapper: Sequence[str] = (),
    measured: bool = True,
) -> Built:
    """Run a real strict build from another directory, as CI or a contributor would.

    The guide's examples are frozen into ``cache``, by default a folder beside
    ``site``: never the shared .cache/flask-examples of a contributor's builds,
    which a build from the tests' environment must not touch. ``wrapper`` runs
    the build through another command (``env LD_PRELOAD=… FAKETIME=+1d``). ``measured`` False: the
    suite's coverage does not follow the build into its processes.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    if not measured:
        env = {key: value for key, value in env.items() if not key.startswith("COVERAGE_")}
    env["FLASK_EXAMPLES_CACHE"] = str(cache or site.parent / "examples-cache")
    site.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            *wrapper,
            *[sys.executable, "-m", "mkdocs", "build", "--strict"],
            *["-f", str(config), "-d", str(site)],
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=site.parent,
        timeout=600,
        check=False,
    )
    return Built(done.returncode, done.stdout + done.stderr, site)


class Project:
    HELLO = """
        from flask import Flask

        app = Flask(__name__)


        @app.route("/")
        def index():
            return "<p>hi</p>"
"""

    """A small project on disk: examples under snippets/ and pages, built in this process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snippets = root / "snippets"
        self.snippets.mkdir(parents=True)
        (self.snippets / "__init__.py").write_text("")
        self.pages: dict[str, str] = {}

    def example(self, name: str, files: dict[str, str | bytes], *, package: bool = True) -> Path:
        """Write an example; text is dedented, bytes written as they are."""
        directory = self.snippets / name
        directory.mkdir(parents=True, exist_ok=True)
        if package:
            (directory / "__init__.py").touch()
        for relative, content in files.items():
            path = directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return directory

    def page(self, name: str, markdown: str) -> None:
        self.pages[name] = textwrap.dedent(markdown).lstrip("\n")

    def settings(self, **options) -> Settings:
        # Uncontained unless a test asks (``contain=True``): bubblewrap binds each
        # project's own cache, so every contained project starts a fork server of its
        # own (1-2 s), where uncontained ones share one. The workers' checks run either
        # way; containment itself is tested in test_hostile, and every real build
        # (``mkdocs_build``, the guide) is contained.
        options.setdefault("contain", False)
        return Settings(self.root, self.snippets, self.root / ".cache", **options)

    def builder(self, **options) -> Builder:
        return Builder(self.settings(**options), log=lambda message: None)

    def build(self) -> BuildResult:
        return self.builder().build(self.pages)


class FixtureSite(Project):
    """The same project with docs/ and a mkdocs.yml, built by a real `mkdocs build --strict`."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        (root / "docs").mkdir()
        (root / "mkdocs.yml").write_text(MKDOCS_YML)

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))

    def build(self) -> Built:
        return mkdocs_build(self.root / "mkdocs.yml", self.root.parent / "out" / "site")
