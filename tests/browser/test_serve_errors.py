"""`mkdocs serve` in Chromium: break an example, the page shows the error, fix it, the output is back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import FixtureSite

from .site import DESKTOP

APP = """\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "<p>Hello from the fixture</p>"
"""

PAGE = """\
# Served

Words before the block.

```flask-example
example: hello
requests:
  - GET /
```

Words after the block.
"""

# WCAG contrast of two sRGB colours given as "rgb(r, g, b)" / "rgba(r, g, b, a)" over a background.
_CONTRAST = """element => {
    const parse = text => text.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => {
        const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    // The colour behind the element: blend the backgrounds of its ancestors, innermost on top.
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
        const [r, g, b, a = 1] = parse(getComputedStyle(node).backgroundColor);
        if (a > 0) layers.push([r, g, b, a]);
        if (a === 1) break;
    }
    let back = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) {
        back = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
    }
    const [r, g, b, a = 1] = parse(getComputedStyle(element).color);
    const fore = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
    const [l1, l2] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return False


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FixtureSite, str, Path]]:
    """A fixture site under `mkdocs serve` on 127.0.0.1: the site, its URL, its log."""
    site = FixtureSite(tmp_path / "project")
    site.example("hello", {"app.py": APP})
    site.write("tests/test_hello.py", "from snippets.hello.app import app\n")
    site.write("docs/index.md", PAGE)
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            cwd=site.root,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 120
            while not _answers(url):
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
            yield site, url, log_path
        finally:
            server.terminate()
            server.wait(timeout=20)


def test_a_broken_example_shows_in_its_page_until_the_next_good_save(
    browser: Browser, served: tuple[FixtureSite, str, Path]
):
    site, url, log_path = served
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    page: Page = context.new_page()
    page.goto(url)
    tab = page.get_by_role("link", name="GET / → 200", exact=True)
    expect(tab).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    app = site.root / "snippets/hello/app.py"
    app.write_text(
        APP.replace("from flask import Flask", "import missing_lib\nfrom flask import Flask")
    )
    # Live reload brings the new build into the open page: no reload by hand.
    box = page.get_by_role("alert")
    expect(box).to_be_visible(timeout=90_000)
    expect(box).to_contain_text("snippets/hello/app.py:1: ")
    expect(box).to_contain_text("No module named 'missing_lib'")
    expect(box).to_contain_text("fix: ")
    expect(tab).to_have_count(0)
    # The rest of the page is there, around the box.
    expect(page.get_by_text("Words before the block.")).to_be_visible()
    expect(page.get_by_text("Words after the block.")).to_be_visible()
    assert "No module named 'missing_lib'" in log_path.read_text()
    page.screenshot(path=str(site.root.parent / "error-box-light.png"))

    # Readable in both of Material's schemes: text against what is behind it.
    message = box.locator(".ffg-error-message code").first
    for scheme in ("default", "slate"):
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        ratio = message.evaluate(_CONTRAST)
        assert ratio >= 4.5, f"the error message has a contrast of {ratio:.2f} in {scheme}"

    app.write_text(APP.replace("Hello from the fixture", "Hello once more"))
    expect(tab).to_be_visible(timeout=90_000)
    expect(page.get_by_role("alert")).to_have_count(0)
    tab.click()
    expect(page.locator(".tabbed-block").filter(has_text="Hello once more").first).to_be_attached()
    context.close()
