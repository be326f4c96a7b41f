"""Another project uses site_app as it would from PyPI: a wheel, a fresh virtual environment,
its own folders, and messages that name its own paths."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.build

MKDOCS_YML = """
site_name: Recipes
site_url: https://recipes.invalid/
docs_dir: pages
strict: true
theme:
  name: material
  font: false
plugins:
  - flask-examples:
      snippets_dir: examples
      cache_dir: .build-cache
      examples_url: live
markdown_extensions:
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.snippets:
      base_path: [examples]
      check_paths: true
"""

APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "<!doctype html><title>Soup</title><p>Soup of the day: leek</p>"


@app.get("/api/soup")
def soup():
    return {"soup": "leek"}
"""

PAGE = """
# Soup

```flask-example
example: soup
requests:
  - GET /
  - GET /api/soup
```

```python
print("A project that allows Python typed into a page")
```
"""


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh virtual environment holding a wheel of this checkout and nothing of the guide."""
    folder = tmp_path_factory.mktemp("second-project")
    source = folder / "source"
    # Build from a copy, so the build's own files never land in the checkout. What
    # .gitignore names stays out: coverage's data files among them, which the test
    # processes beside this one write and combine while it copies.
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".nox",
            ".cache",
            ".venv",
            "site",
            "node_modules",
            "*.egg-info",
            "__pycache__",
            "build",
            ".coverage",
            ".coverage.*",
            "htmlcov",
        ),
    )
    uv = shutil.which("uv")
    wheels = folder / "wheels"
    if uv:
        run(uv, "build", "--wheel", "--out-dir", wheels, source, cwd=folder)
        run(uv, "venv", "--python", sys.executable, folder / "venv", cwd=folder)
        python = folder / "venv" / "bin" / "python"
        (wheel,) = wheels.glob("*.whl")
        run(uv, "pip", "install", "--python", python, wheel, cwd=folder)
    else:  # pragma: no cover - CI installs nox[uv]
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, source, cwd=folder)
        run(sys.executable, "-m", "venv", folder / "venv", cwd=folder)
        python = folder / "venv" / "bin" / "python"
        (wheel,) = wheels.glob("*.whl")
        run(python, "-m", "pip", "install", wheel, cwd=folder)
    return python


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "recipes"
    for relative, text in {
        "mkdocs.yml": MKDOCS_YML,
        "examples/__init__.py": "",
        "examples/soup/__init__.py": "",
        "examples/soup/app.py": APP,
        "examples/unshown/__init__.py": "",
        "examples/unshown/app.py": APP,
        "pages/index.md": PAGE,
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def build(python: Path, root: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE"))}
    env["NO_MKDOCS_2_WARNING"] = "1"
    return subprocess.run(
        [str(python), "-m", "mkdocs", "build", "--strict"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_wheel_holds_no_part_of_the_guide(venv):
    listing = run(
        venv,
        "-c",
        "import importlib.util as u, site_app, sys; "
        "print(site_app.__file__); "
        "print([m for m in ('tools', 'snippets', 'tests') if u.find_spec(m)])",
        cwd=venv.parent,
    )
    first, second = listing.strip().splitlines()
    assert "site-packages" in first
    assert second == "[]"


def test_another_layout_builds_with_the_rules_off(venv, project):
    done = build(venv, project)
    assert done.returncode == 0, done.stdout + done.stderr
    site = project / "site"
    page = (site / "index.html").read_text()
    assert "Soup of the day: leek" in (site / "live/soup/index.html").read_text()
    assert "live/soup/index.html" in page  # the preview of GET /
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert '"soup": "leek"' in text  # the JSON answer
    assert "examples/soup/app.py" in page  # the tab names the project's own path
    assert "snippets/" not in page


def test_its_errors_name_its_own_paths(venv, project):
    (project / "pages/index.md").write_text(
        "# Soup\n\n```flask-example\nexample: soupe\n```\n\n"
        "```flask-example\nexample: soup\nfiles: [nope.py]\n```\n"
    )
    done = build(venv, project)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "pages/index.md:3: there is no example 'soupe' under examples/" in output
    assert "did you mean 'soup'?" in output
    assert "pages/index.md:7: example 'soup' has no file 'nope.py'" in output
    assert "snippets" not in output


def test_a_missing_markdown_extension_is_named(venv, project):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - pymdownx.details\n", ""))
    done = build(venv, project)
    assert done.returncode != 0
    assert (
        "mkdocs.yml: the flask-examples plugin needs the Markdown extension pymdownx.details"
        in done.stdout + done.stderr
    )
