"""The guide's hook publishes project files (CONTRIBUTING.md, the benchmark table) as pages."""

import pytest

from tests.helpers import ROOT, FixtureSite
from tools import project_pages

pytestmark = pytest.mark.build


@pytest.fixture
def site(tmp_path):
    site = FixtureSite(tmp_path / "project")
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text() + f"hooks:\n  - {ROOT / 'tools' / 'project_pages.py'}\n")
    site.write("docs/index.md", "# Home\n")
    return site


def test_project_files_become_pages_that_name_their_source(site):
    site.write("CONTRIBUTING.md", "# Contributing\n\nWritten once, shown twice.\n")
    site.write("benchmarks/results.md", "# Build benchmarks\n\nA table.\n")
    built = site.build()
    assert built.returncode == 0, built.output
    assert sorted(project_pages.PAGES) == ["benchmarks.md", "contributing.md"]
    assert "Written once, shown twice." in (built.site / "contributing/index.html").read_text()
    assert "A table." in (built.site / "benchmarks/index.html").read_text()


def test_a_missing_project_file_fails_the_build_naming_it(site):
    site.write("CONTRIBUTING.md", "# Contributing\n")
    built = site.build()
    assert built.returncode != 0
    assert "the page benchmarks.md is made from benchmarks/results.md, which does not exist" in (
        built.output
    )
