"""One small site built by MkDocs and by Zensical: the same HTML for every block, answers as text."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import MKDOCS_YML, ROOT, FixtureSite

pytestmark = pytest.mark.build

FENCES = """
  - pymdownx.superfences:
      custom_fences:
        - name: flask-example
          class: flask-example
          format: !!python/name:site_app.fence.format_block
        - name: flask-compare
          class: flask-compare
          format: !!python/name:site_app.fence.format_block
"""
HOSTILE = 'bare\r<script>alert(1)</script>\n</code></pre><b>bold</b>\n--8<-- "hello/app.py"\nend'
APP = f"""
from flask import Flask, Response

app = Flask(__name__)


@app.route("/")
def index():
    return "<p>Hello</p>"


@app.route("/hostile.txt")
def hostile():
    return Response({HOSTILE!r}, mimetype="text/plain")


@app.route("/api/count.json")
def count():
    return {{"count": 1}}
"""
OTHER = """
from flask import Flask

app = Flask(__name__)


@app.route("/api/count.json")
def count():
    return {"count": 2}
"""


def blocks_of(page: str) -> list[str]:
    """Each block's HTML: its tab set and the paragraphs the fence puts after it; each table."""
    found = []
    for start in re.finditer(
        r'<div class="tabbed-set tabbed-alternate" data-tabs="\d+:\d+">'
        r'<input checked="checked" id="__tabbed_ffg',
        page,
    ):
        depth, end = 0, start.start()
        for tag in re.finditer(r"<(/?)div\b[^>]*>", page[start.start() :]):
            depth += -1 if tag[1] else 1
            if depth == 0:
                end = start.start() + tag.end()
                break
        after = re.match(r'(?:\n<p[^>]*><span class="ffg-.*?</p>)*', page[end:], re.S)
        found.append(page[start.start() : end + (after.end() if after else 0)])
    found += re.findall(
        r"<table(?: data-search-exclude)?>\n<thead>\n<tr><th>request.*?</table>", page, re.S
    )
    return found


@pytest.fixture
def site(tmp_path: Path) -> FixtureSite:
    site = FixtureSite(tmp_path / "project")
    site.example("hello", {"app.py": APP})
    site.example("other", {"app.py": OTHER})
    site.write("tests/test_hello.py", "import snippets.hello.app\nimport snippets.other.app\n")
    config = MKDOCS_YML.replace("  - pymdownx.superfences\n", FENCES)
    config = config.replace("plugins:\n", "plugins:\n  - search\n")
    (site.root / "mkdocs.yml").write_text(config + "extra_css: [assets/flask-examples.css]\n")
    site.write(
        "docs/index.md",
        """
        # Hi

        ```flask-example
        example: hello
        requests:
          - GET /api/count.json
        ```

        !!! note
            ```flask-example
            example: other
            requests:
              - GET /api/count.json
            ```

        ```flask-compare
        Hello: hello
        Other: other
        ```
        """,
    )
    site.write(
        "docs/deeper/page.md",
        "# Deeper\n\n```flask-example\nexample: hello\nfunction: hostile\nrequests:\n  - GET /\n"
        "  - GET /hostile.txt\n```\n",
    )
    return site


def zensical_build(site: FixtureSite) -> Path:
    """What `nox -s zensical` does: the engine, then Zensical, then the engine's files."""
    out = site.root.parent / "zensical"
    env = {**os.environ, "FLASK_EXAMPLES_CONFIG": str(site.root / "mkdocs.yml")}
    env["PYTHONPATH"] = str(ROOT)
    env["FLASK_EXAMPLES_CACHE"] = str(site.root.parent / "zensical-cache")
    command = [sys.executable, "-m", "site_app", "build", "--out", str(out / "files")]
    done = subprocess.run(command, cwd=site.root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    config = site.root / "zensical.yml"
    config.write_text((site.root / "mkdocs.yml").read_text() + "site_dir: zensical-site\n")
    zensical = Path(sys.executable).parent / "zensical"
    done = subprocess.run(
        [str(zensical), "build", "-f", str(config)],
        cwd=site.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return site.root / "zensical-site"


def test_each_block_is_the_same_html_in_both_builders(site):
    built = site.build()
    assert built.returncode == 0, built.output
    zensical = zensical_build(site)
    for page in ("index.html", "deeper/page/index.html"):
        ours = blocks_of((built.site / page).read_text())
        theirs = blocks_of((zensical / page).read_text())
        assert len(ours) == (3 if page == "index.html" else 1)
        # Zensical reads data-search-exclude for its own index, then drops it (below).
        assert [b.replace(" data-search-exclude", "") for b in ours] == theirs
    # Captured answers stay out of both search indexes; the page's prose is in.
    for index in (built.site / "search/search_index.json", zensical / "search.json"):
        text = index.read_text()
        assert "Deeper" in text
        assert "HTTP/1.1" not in text
        assert "Content-Type" not in text
    # A block that shows one function holds the whole file too, in both.
    deeper = blocks_of((zensical / "deeper/page/index.html").read_text())[0]
    assert deeper.count("<summary>Show the whole file (") == 1
    # The deeper page reaches the frozen pages through its own relative URL.
    assert (
        'src="../../examples/hello/index.html"'
        in blocks_of((zensical / "deeper/page/index.html").read_text())[0]
    )
    for built_page in (built.site / "deeper/page/index.html", zensical / "deeper/page/index.html"):
        text = built_page.read_text()
        assert "<script>alert(1)" not in text
        assert "<b>bold</b>" not in text
        shown = html.unescape(re.sub(r"<[^>]+>", "", blocks_of(text)[0]))
        assert (
            'bare\n<script>alert(1)</script>\n</code></pre><b>bold</b>\n--8<-- "hello/app.py"\nend'
            in shown
        )
