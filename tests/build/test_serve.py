"""`mkdocs serve` as a contributor uses it: edit, break, fix, and the site follows."""

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.build


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 3) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.read().decode()
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return None


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def error_boxes(page: str) -> list[str]:
    """The text of each error box in a served page, as a reader reads it."""
    boxes = re.findall(
        r'<div class="admonition failure ffg-error" role="alert">(.*?)</div>', page, re.S
    )
    return [
        html.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]+>", "", box))) for box in boxes
    ]


def test_serve_refreezes_an_edited_example_and_survives_a_broken_one(fixture_site, tmp_path):
    fixture_site.write(
        "docs/index.md",
        "---\ntitle: Hi\n---\n\n# Hi\n\n"
        "```flask-example\nexample: hello\nrequests:\n  - GET /\n```\n",
    )
    # A second page, whose example stays good while the first one breaks, and
    # which links to a frozen page of the example that breaks.
    fixture_site.write(
        "docs/other.md",
        "# Other\n\nSee [hello](examples/hello/index.html).\n\n"
        "```flask-example\nexample: other\n```\n",
    )
    fixture_site.example("other", {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n"})
    fixture_site.write("tests/test_other.py", "from snippets.other.app import app\n")
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 - read while the server runs
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "serve",
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(fixture_site.root / "mkdocs.yml"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        cwd=fixture_site.root,
    )
    page = f"http://127.0.0.1:{port}/examples/hello/index.html"
    home = f"http://127.0.0.1:{port}/"
    other = f"http://127.0.0.1:{port}/other/"
    app = fixture_site.root / "snippets/hello/app.py"

    def output() -> str:
        log.seek(0)
        return log.read()

    try:
        assert wait_for(lambda: "Hello from the fixture" in (fetch(page) or "")), output()

        app.write_text(app.read_text().replace("Hello from the fixture", "Hello again"))
        assert wait_for(lambda: "Hello again" in (fetch(page) or "")), output()
        assert "froze hello" in output()

        # An example no page shows yet, tested: its problem belongs to no block.
        fixture_site.example(
            "extra", {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n"}
        )
        fixture_site.write("tests/test_extra.py", "from snippets.extra.app import app\n")
        app.write_text(
            app.read_text().replace(
                "from flask import Flask", "import missing_lib\nfrom flask import Flask"
            )
        )
        assert wait_for(lambda: "No module named 'missing_lib'" in output()), output()
        assert server.poll() is None, "the server stopped on a broken example"

        # The block shows the terminal's message, file and line, in the page;
        # the server answers, and the other page keeps its output.
        assert wait_for(lambda: len(error_boxes(fetch(home) or "")) == 2), output()
        shown = fetch(home) or ""
        # At the top of the first page, the problem no block shows; then the block's.
        unshown, box = error_boxes(shown)
        assert "snippets/extra/: example 'extra' is not shown on any page" in unshown, unshown
        assert "snippets/hello/app.py:1: " in box, box
        assert "No module named 'missing_lib'" in box, box
        assert "extra" not in box
        terminal = output()[output().rindex("problems in the examples:") :]
        message = box[box.index("snippets/hello/app.py:1: ") :].split("\n")[0]
        assert message in terminal, (message, terminal)
        assert "Hello again" not in shown  # the output of a good build is gone, not stale
        assert "<h1" in shown
        assert "Hi" in shown
        assert "snippets/other/app.py" in (fetch(other) or ""), output()
        assert error_boxes(fetch(other) or "") == []

        shutil.rmtree(fixture_site.root / "snippets/extra")
        (fixture_site.root / "tests/test_extra.py").unlink()
        app.write_text(
            app.read_text().replace("import missing_lib\n", "").replace("Hello again", "Fixed")
        )
        assert wait_for(lambda: "Fixed" in (fetch(page) or "")), output()
        assert wait_for(lambda: "Fixed" in (fetch(home) or "")), output()
        assert error_boxes(fetch(home) or "") == []
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
