"""A scaffolded example builds and passes as created; bad names are refused."""

import subprocess
import sys

import pytest

from site_app.errors import ExampleError
from tests.helpers import MKDOCS_YML, mkdocs_build
from tools.scaffold import new_example

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


def test_a_new_example_builds_and_its_tests_pass(project):
    made = new_example(project, "weather_api", "A weather API")
    assert made.nav_line == "  - A weather API: weather-api.md"
    config = (project / "mkdocs.yml").read_text()
    assert "  - A weather API: weather-api.md\n  - Contributing:" in config

    built = mkdocs_build(project / "mkdocs.yml", project.parent / "out" / "site")
    assert built.returncode == 0, built.output
    page = (built.site / "weather-api/index.html").read_text()
    assert "Hello, Grace!" in page
    assert (built.site / "examples/weather_api/index.html").is_file()

    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(made.test)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout


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
