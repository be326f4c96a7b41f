"""A small project on disk: examples under snippets/ and pages, built by the core."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from site_app import Builder, BuildResult, Settings


class Project:
    HELLO = """
        from flask import Flask

        app = Flask(__name__)


        @app.route("/")
        def index():
            return "<p>hi</p>"
"""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snippets = root / "snippets"
        self.snippets.mkdir()
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
        return Settings(self.root, self.snippets, self.root / ".cache", **options)

    def builder(self, **options) -> Builder:
        return Builder(self.settings(**options), log=lambda message: None)

    def build(self) -> BuildResult:
        return self.builder().build(self.pages)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)
