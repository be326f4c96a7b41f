"""Scaffold a new example: an app, its tests and a page that shows it.

The example's tests pass and cover every line and branch as written. The
page builds once its placeholder lines (:data:`PLACEHOLDERS`, each starting
with ``TODO:``) are replaced: the guide forbids them with the plugin's
``forbid_text`` rule, so none reaches the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from site_app.author.discover import NAME_RE
from site_app.errors import ExampleError, Location

APP = '''\
from flask import Flask, render_template_string

PAGE = """<!doctype html>
<title>{title}</title>
<h1>{title}</h1>
<p>Hello, {{{{ name }}}}!</p>
"""


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(GREETING_NAME="reader")
    if test_config:
        app.config.update(test_config)

    # --8<-- [start:routes]
    @app.get("/")
    def index():
        return render_template_string(PAGE, name=app.config["GREETING_NAME"])

    @app.get("/api/greet/<name>")
    def greet(name):
        return {{"greeting": f"Hello, {{name}}!"}}

    # --8<-- [end:routes]

    return app
'''

TEST = """\
import pytest

from snippets.{name}.app import create_app


@pytest.fixture
def client():
    return create_app({{"TESTING": True}}).test_client()


def test_the_page_greets_the_configured_name():
    client = create_app({{"GREETING_NAME": "Ada"}}).test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert b"Hello, Ada!" in response.data


def test_without_a_config_the_page_greets_the_reader():
    response = create_app().test_client().get("/")
    assert b"Hello, reader!" in response.data


def test_the_api_greets_by_name(client):
    response = client.get("/api/greet/Grace")
    assert response.json == {{"greeting": "Hello, Grace!"}}


def test_an_unknown_page_is_404(client):
    assert client.get("/nope").status_code == 404
"""

# Lines of the page the contributor must rewrite; the guide's mkdocs.yml lists
# them under forbid_text, so a page that still holds one fails the build.
PLACEHOLDERS = (
    "TODO: what this chapter teaches, in one line each",
    "TODO: say what the example does in one short sentence, then show it.",
)

PAGE = """\
---
description: {title}, shown with a real Flask app and the answers it gave.
---

# {title}

!!! abstract "What you will learn"
    - {placeholders[0]}

{placeholders[1]}

```flask-example
example: {name}
section: routes
requests:
  - GET /
  - GET /api/greet/Grace
```

Next: [What is Flask](index.md).
"""


@dataclass(frozen=True)
class Scaffolded:
    app: Path
    test: Path
    page: Path
    nav_line: str


def new_example(root: Path, name: str, title: str | None = None) -> Scaffolded:
    """Write ``snippets/<name>/``, its test, a page, and add the page to the nav."""
    if not NAME_RE.match(name):
        raise ExampleError(
            f"'{name}' is not a valid example name",
            fix="use lower-case letters, digits and underscores, starting with a letter",
        )
    title = title or name.replace("_", " ").capitalize()
    directory = root / "snippets" / name
    test = root / "tests" / "snippets" / f"test_{name}.py"
    page = root / "docs" / f"{name.replace('_', '-')}.md"
    config = root / "mkdocs.yml"
    for path in (directory, test, page):
        if path.exists():
            raise ExampleError(
                "it already exists",
                where=Location(path.relative_to(root).as_posix()),
                fix="pick another name, or edit the existing example",
            )
    if not config.is_file():
        raise ExampleError(
            f"there is no mkdocs.yml in {root}", fix="run this from the project's root folder"
        )
    nav_line = f"  - {title}: {page.name}"
    text = config.read_text(encoding="utf-8")
    updated = _add_to_nav(text, nav_line)
    if updated is None:
        raise ExampleError(
            "mkdocs.yml has no nav: list to add the page to",
            where=Location("mkdocs.yml"),
            fix="add a nav: section listing the pages",
        )

    directory.mkdir(parents=True)
    (directory / "__init__.py").write_text("")
    (directory / "app.py").write_text(APP.format(title=title))
    test.parent.mkdir(parents=True, exist_ok=True)
    test.write_text(TEST.format(name=name))
    page.write_text(PAGE.format(name=name, title=title, placeholders=PLACEHOLDERS))
    config.write_text(updated, encoding="utf-8")
    return Scaffolded(directory / "app.py", test, page, nav_line)


def _add_to_nav(config: str, entry: str) -> str | None:
    """Add ``entry`` after the last chapter of nav (before a Contributing section)."""
    lines = config.split("\n")
    try:
        start = lines.index("nav:")
    except ValueError:
        return None
    end = start + 1
    while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    position = end
    for index in range(start + 1, end):
        if re.match(r"^  - Contributing:", lines[index]):
            position = index
            break
    lines.insert(position, entry)
    return "\n".join(lines)
