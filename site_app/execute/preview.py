"""A live preview of every example: ``flask --app site_app run``.

Each example is mounted under ``/examples/<name>/`` with Werkzeug's
dispatcher, so a contributor can click through it before it is frozen. An
example that fails to load is listed with its error instead of stopping the
others. Files an example writes go to a temporary instance folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, render_template_string
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from ..author.discover import discover
from ..errors import SiteAppError
from ..model import Settings
from .load import prepared_app

INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Examples: live preview</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
li{margin:.3rem 0}pre{white-space:pre-wrap;background:#fdecea;padding:.5rem}</style></head>
<body><h1>Examples: live preview</h1>
<p>Every example under <code>{{ snippets }}</code>, running live. Edit one and reload.</p>
<ul>{% for name in mounted %}<li><a href="examples/{{ name }}/">{{ name }}</a></li>{% endfor %}</ul>
{% if failed %}<h2>Examples that failed to load</h2>
{% for name, message in failed.items() %}<h3>{{ name }}</h3><pre>{{ message }}</pre>{% endfor %}
{% endif %}</body></html>
"""


def create_app(snippets_dir: str | os.PathLike[str] | None = None) -> Flask:
    """The preview app; ``snippets_dir`` defaults to $FLASK_EXAMPLES_SNIPPETS or snippets."""
    snippets = Path(snippets_dir or os.environ.get("FLASK_EXAMPLES_SNIPPETS", "snippets")).resolve()
    if str(snippets.parent) not in sys.path:
        sys.path.insert(0, str(snippets.parent))
    index = Flask(__name__)
    mounts: dict[str, Any] = {}
    failed: dict[str, str] = {}
    instances = Path(tempfile.mkdtemp(prefix="flask-examples-preview-"))
    settings = Settings(snippets.parent, snippets, instances)
    for name, example in discover(snippets).items():
        instance = instances / name
        instance.mkdir()
        try:
            app = prepared_app(example, instance, settings)
        except SiteAppError as error:
            failed[name] = str(error)
            continue
        mounts[f"/examples/{name}"] = app.wsgi_app

    @index.get("/")
    def home() -> str:
        names = sorted(path.rsplit("/", 1)[1] for path in mounts)
        return render_template_string(INDEX, snippets=snippets, mounted=names, failed=failed)

    index.wsgi_app = DispatcherMiddleware(index.wsgi_app, mounts)  # type: ignore[method-assign]
    return index
