"""Each preview frame shows its frozen page, sandboxed, with the page's own stylesheets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page

from tests.helpers import FixtureSite

from .checks import Preview, Problems, inspect_preview
from .site import Site, serve, slug

SANDBOX = ["allow-popups", "allow-popups-to-escape-sandbox", "allow-same-origin"]


def _what_is_wrong(preview: Preview) -> list[str]:
    wrong = []
    # No allow-scripts: the frozen page runs nothing. Same origin, so the
    # guide's page can size the frame; popups, so its links open a new tab.
    if sorted((preview.sandbox or "").split()) != SANDBOX:
        wrong.append(f"sandbox is {preview.sandbox!r}, not {' '.join(SANDBOX)!r}")
    if not preview.page_can_reach_it:
        wrong.append("the guide's page cannot read the frame's document to size it")
    if preview.url != preview.expected_url:
        wrong.append(f"the frame loaded {preview.url}")
    if not preview.text:
        wrong.append("the frame shows no text")
    if not preview.same_text_as_source:
        wrong.append(
            f"the frame reads {preview.text[:200]!r} "
            f"but the HTML source beside it reads {preview.source_text[:200]!r}"
        )
    for sheet in preview.stylesheets:
        if not sheet.loaded:
            wrong.append(f"its stylesheet {sheet.href} did not load")
        elif not sheet.applies:
            wrong.append(f"its stylesheet {sheet.href} loaded but styles nothing on the page")
    return wrong


def test_every_preview_shows_its_frozen_page(
    page: Page, problems: Problems, guide: Site, screenshots: Path
):
    frames, failures = 0, []
    for url in guide.chapters:
        page.goto(url, wait_until="networkidle")
        for preview_box in page.locator(".ffg-preview").all():
            iframe = preview_box.locator("iframe")
            preview = inspect_preview(page, iframe, problems)
            frames += 1
            preview_box.screenshot(
                path=screenshots / f"{slug(url)}-preview-{frames}.png", animations="disabled"
            )
            wrong = _what_is_wrong(preview)
            link = preview_box.locator("a.ffg-open")
            if link.get_attribute("href") != preview.src:
                wrong.append(f"its link opens {link.get_attribute('href')}, not {preview.src}")
            opened = page.request.get(urljoin(page.url, preview.src))
            if not opened.ok:
                wrong.append(f"its link answers {opened.status}")
            failures += [f"{url or '/'}: preview of {preview.src}: {w}" for w in wrong]
        failures += [f"{url or '/'}: {problem}" for problem in problems.take()]
    assert frames, "the guide has no preview to look at"
    assert not failures, "\n".join(failures)


# The checks above, against a small site whose frozen page links three stylesheets:
# one that styles its heading, one that matches nothing, and one that is missing.
STYLED_PAGE = """
<!doctype html>
<html>
<head>
  <link rel="stylesheet" href="{{ url_for('static', filename='style.css') }}">
  <link rel="stylesheet" href="{{ url_for('static', filename='inert.css') }}">
  <link rel="stylesheet" href="static/missing.css">
  <script>document.addEventListener("DOMContentLoaded", () => document.body.append("ran"))</script>
</head>
<body><h1>Styled</h1><p>A page with its own colours.</p></body>
</html>
"""


@pytest.fixture(scope="module")
def styled_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = FixtureSite(tmp_path_factory.mktemp("styled") / "project")
    site.write("snippets/styled/__init__.py", "")
    site.write(
        "snippets/styled/app.py",
        """
        from flask import Flask, render_template

        app = Flask(__name__)


        @app.route("/")
        def index():
            return render_template("index.html")
        """,
    )
    site.write("snippets/styled/templates/index.html", STYLED_PAGE)
    site.write("tests/test_styled.py", "import snippets.styled.app\n")
    site.write("snippets/styled/static/style.css", "h1 { color: rgb(1, 2, 3); }\n")
    site.write("snippets/styled/static/inert.css", ".absent { color: red; }\n")
    site.write(
        "docs/index.md",
        "# Styled\n\n```flask-example\nexample: styled\nrequests:\n  - GET /\n```\n",
    )
    built = site.build()
    assert built.returncode == 0, built.output
    with serve(built.site) as url:
        yield url


def test_the_preview_checks_tell_working_idle_and_missing_stylesheets_apart(
    page: Page, problems: Problems, styled_site: str
):
    page.goto(styled_site, wait_until="load")
    preview = inspect_preview(page, page.locator(".ffg-preview iframe"), problems)
    sheets = {Path(sheet.href).name: (sheet.loaded, sheet.applies) for sheet in preview.stylesheets}
    assert sheets == {
        "style.css": (True, True),
        "inert.css": (True, False),
        "missing.css": (False, False),
    }
    assert preview.text == "Styled A page with its own colours."
    assert preview.same_text_as_source
    assert sorted(preview.sandbox.split()) == SANDBOX
    assert preview.page_can_reach_it
    # The frozen page's own script did not run: its text is the page's alone.
    assert "ran" not in preview.text
    assert _what_is_wrong(preview) == [
        f"its stylesheet {preview.stylesheets[1].href} loaded but styles nothing on the page",
        f"its stylesheet {preview.stylesheets[2].href} did not load",
    ]
    # The watcher hears of the missing one, and of the page's script, which
    # Chromium refused to run (the sandbox has no allow-scripts), and of nothing else.
    seen = problems.take()
    assert any("/examples/styled/static/missing.css" in problem for problem in seen), seen
    blocked = "Blocked script execution in '" + preview.expected_url
    assert any(blocked in problem and "'allow-scripts'" in problem for problem in seen), seen
    assert all("missing.css" in problem or blocked in problem for problem in seen), seen
