"""Real `mkdocs build --strict` runs, of the guide and of small sites made in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FixtureSite


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
    return site
