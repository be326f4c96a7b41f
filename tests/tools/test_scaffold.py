"""A scaffolded example passes its coverage floor as created and builds once its
placeholders are replaced; bad names are refused."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from site_app.errors import ExampleError
from tests.helpers import MKDOCS_YML, ROOT, mkdocs_build
from tests.repo.test_site import Loader
from tools.scaffold import PLACEHOLDERS, new_example

pytestmark = pytest.mark.build


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "snippets").mkdir(parents=True)
    (root / "snippets/__init__.py").touch()
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text("# Home\n")
    (root / "mkdocs.yml").write_text(
        MKDOCS_YML + "nav:\n  - Home: index.md\n  - Contributing:\n      - How: index.md\n"
    )
    return root


def test_a_new_example_meets_the_coverage_floor_and_builds_once_its_placeholders_go(project):
    made = new_example(project, "weather_api", "A weather API")
    assert made.nav_line == "  - A weather API: weather-api.md"
    config = (project / "mkdocs.yml").read_text()
    assert "  - A weather API: weather-api.md\n  - Contributing:" in config

    # The real coverage check of one example (nox -s cov), with the suite's settings.
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    checked = subprocess.run(
        [sys.executable, "-m", "tools.example_coverage", "weather_api"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "4 passed" in checked.stdout
    report = re.search(r"^snippets/weather_api/app\.py .*$", checked.stdout, re.M)
    assert report, checked.stdout
    assert report.group().split()[-1] == "100%"  # statements and branches, nothing missing

    # Left as written, the page's placeholder lines fail the build, each with its line.
    built = mkdocs_build(project / "mkdocs.yml", project.parent / "out" / "site")
    assert built.returncode == 1
    page = (project / "docs/weather-api.md").read_text()
    line = (
        page.splitlines().index(
            "TODO: say what the example does in one short sentence, then show it."
        )
        + 1
    )
    assert (
        f"docs/weather-api.md:{line}: the page still holds the placeholder text 'TODO: say what'"
        in built.output
    ), built.output

    for placeholder in PLACEHOLDERS:
        page = page.replace(placeholder, "A weather API greets by name.")
    (project / "docs/weather-api.md").write_text(page)
    built = mkdocs_build(project / "mkdocs.yml", project.parent / "out" / "site")
    assert built.returncode == 0, built.output
    shown = (built.site / "weather-api/index.html").read_text()
    assert "Hello, Grace!" in shown
    assert (built.site / "examples/weather_api/index.html").is_file()


def test_the_guide_forbids_every_placeholder_of_the_scaffold():
    plugin = next(
        entry["flask-examples"]
        for entry in yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)["plugins"]
        if isinstance(entry, dict) and "flask-examples" in entry
    )
    assert set(PLACEHOLDERS) <= set(plugin["forbid_text"])
    assert all(text.startswith("TODO:") for text in PLACEHOLDERS)


@pytest.mark.parametrize(
    ("name", "what"),
    [("Weather", "is not a valid example name"), ("1st", "is not a valid example name")],
)
def test_invalid_names_are_refused(project, name, what):
    with pytest.raises(ExampleError, match=what):
        new_example(project, name)
    assert list((project / "snippets").iterdir()) == [project / "snippets/__init__.py"]


def test_an_existing_example_is_refused_and_nothing_changes(project):
    new_example(project, "weather")
    config = (project / "mkdocs.yml").read_text()
    with pytest.raises(ExampleError) as caught:
        new_example(project, "weather")
    assert str(caught.value.where) == "snippets/weather"
    assert caught.value.what == "it already exists"
    assert (project / "mkdocs.yml").read_text() == config


def test_a_config_without_nav_is_refused(project):
    (project / "mkdocs.yml").write_text(MKDOCS_YML)
    with pytest.raises(ExampleError, match="no nav: list"):
        new_example(project, "weather")
    assert not (project / "snippets/weather").exists()
