"""Fixtures for real builds: the guide, once per session, and small sites in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.guide import built_guide
from tests.helpers import Built, FixtureSite


@pytest.fixture
def fixture_site(tmp_path: Path) -> FixtureSite:
    site = FixtureSite(tmp_path / "project")
    site.write(
        "snippets/hello/app.py",
        """
        from flask import Flask

        app = Flask(__name__)


        @app.route("/")
        def index():
            return "<p>Hello from the fixture</p>"
        """,
    )
    (site.root / "snippets/hello/__init__.py").touch()
    site.write("tests/test_hello.py", "from snippets.hello.app import app\n")
    return site


@pytest.fixture(scope="session")
def guide() -> Built:
    """The real guide, built clean (with a cache of its own) once for every test process."""
    return built_guide()
