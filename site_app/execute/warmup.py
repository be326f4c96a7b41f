"""Imported by the fork server: run one tiny example through capture and freezing.

Workers fork from the fork server. When it has only imported Flask, every
worker still pays, for its one example, for what the first request and the
first freeze of a process set up (the test client, Werkzeug's routing,
Jinja's compiler, Frozen-Flask). Running a two-route example here once does
that before the first fork, so no worker does it again. Nothing of it is
kept: the example lives in a temporary folder, under a package name of its
own.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from ..author.discover import discover
from ..model import BlockRequests, Job, Request, Settings
from .worker import capture_and_freeze

PACKAGE = "flask_examples_warm_up"
APP = """\
from flask import Flask, render_template

app = Flask(__name__)


@app.get("/")
def index():
    return render_template("index.html", items=["a", "b"])


@app.get("/data.json")
def data():
    return {"items": ["a", "b"]}
"""
TEMPLATE = """\
<ul>
{% for item in items %}<li><a href="{{ url_for('data') }}">{{ item }}</a></li>{% endfor %}
</ul>
"""


def warm_up() -> None:
    with tempfile.TemporaryDirectory(prefix="flask-examples-warm-up-") as folder:
        snippets = Path(folder) / PACKAGE
        (snippets / "hello" / "templates").mkdir(parents=True)
        (snippets / "__init__.py").touch()
        (snippets / "hello" / "__init__.py").touch()
        (snippets / "hello" / "app.py").write_text(APP, encoding="utf-8")
        (snippets / "hello" / "templates" / "index.html").write_text(TEMPLATE, encoding="utf-8")
        example = discover(snippets)["hello"]
        requests = (Request("GET", "/"), Request("GET", "/data.json"))
        block = BlockRequests("warm-up.md", 1, (2, 3), requests)
        settings = Settings(Path(folder), snippets, Path(folder) / "cache")
        capture_and_freeze(Job(settings, example, (block,)))


# A head start only: if it fails, each worker sets up for itself and reports
# whatever is wrong with its own example.
with contextlib.suppress(Exception):
    warm_up()
