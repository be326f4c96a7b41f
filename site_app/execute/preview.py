"""A live preview of every example: ``python -m site_app preview`` (``nox -s preview``).

Each example is mounted under ``/examples/<name>/`` with Werkzeug's
dispatcher, so a contributor can click through it before it is frozen: a
Flask app as it is, a Django project through its WSGI handler, a FastAPI
(ASGI) app through a2wsgi's ASGI-to-WSGI adapter. Django is configured once
per process, so a second Django example is listed with the command that
serves it on its own. An example that fails to load is listed with its error
instead of stopping the others. Files an example writes go to a temporary
instance folder.
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, render_template_string
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import run_simple

from ..author.discover import discover
from ..errors import ExampleError, Location, SiteAppError
from ..model import Example, Settings
from .clients import FastAPITestClient, connect
from .load import set_up_app

INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Examples: live preview</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
li{margin:.3rem 0}pre{white-space:pre-wrap;background:#fdecea;padding:.5rem}</style></head>
<body><h1>Examples: live preview</h1>
<p>Every example under <code>{{ snippets }}</code>, running live. Edit one and reload.</p>
<ul>{% for name, framework in mounted %}<li><a href="examples/{{ name }}/">{{ name }}</a>
{% if framework != "flask" %} ({{ framework }}){% endif %}</li>{% endfor %}</ul>
{% if failed %}<h2>Examples that failed to load</h2>
{% for name, message in failed.items() %}<h3>{{ name }}</h3><pre>{{ message }}</pre>{% endfor %}
{% endif %}</body></html>
"""


def create_app(
    snippets_dir: str | os.PathLike[str] | None = None, *, only: str | None = None
) -> Flask:
    """The preview app; ``snippets_dir`` defaults to $FLASK_EXAMPLES_SNIPPETS or snippets.

    With ``only``, just that example is mounted.
    """
    snippets = Path(snippets_dir or os.environ.get("FLASK_EXAMPLES_SNIPPETS", "snippets")).resolve()
    if str(snippets.parent) not in sys.path:
        sys.path.insert(0, str(snippets.parent))
    index = Flask(__name__)
    mounts: dict[str, Any] = {}
    frameworks: dict[str, str] = {}
    failed: dict[str, str] = {}
    instances = Path(tempfile.mkdtemp(prefix="flask-examples-preview-"))
    index.config["PREVIEW_INSTANCES"] = str(instances)  # removed when serve() ends
    settings = Settings(snippets.parent, snippets, instances)
    for name, example in discover(snippets).items():
        if only is not None and name != only:
            continue
        instance = instances / name
        instance.mkdir()
        try:
            mounts[f"/examples/{name}"] = _wsgi_app(example, instance, settings, frameworks)
        except SiteAppError as error:
            failed[name] = str(error)
            continue
        frameworks[name] = example.settings.framework

    @index.get("/")
    def home() -> str:
        mounted = sorted(frameworks.items())
        return render_template_string(INDEX, snippets=snippets, mounted=mounted, failed=failed)

    index.wsgi_app = DispatcherMiddleware(index.wsgi_app, mounts)  # type: ignore[method-assign]
    return index


def _wsgi_app(example: Example, instance: Path, settings: Settings, mounted: dict[str, str]) -> Any:
    """The example as a WSGI app, whatever its framework."""
    framework = example.settings.framework
    if framework == "flask":
        return set_up_app(example, instance, settings).wsgi_app
    if framework == "django":
        other = next((name for name, kind in mounted.items() if kind == "django"), None)
        if other is not None:
            raise ExampleError(
                f"example '{example.name}' is a Django project, and Django is configured once "
                f"per process: this preview already serves '{other}'",
                where=Location(example.display(example.app_file)),
                fix=f"preview it on its own: python -m site_app preview --only {example.name}",
            )
        connect(example, settings)  # imports it and checks its settings, as the build does
        conf = importlib.import_module("django.conf").settings
        if not conf.ALLOWED_HOSTS:  # with DEBUG off, Django answers 400 to every host
            conf.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
        return importlib.import_module("django.core.wsgi").get_wsgi_application()
    # FastAPI: an ASGI app, served through a2wsgi's ASGI-to-WSGI adapter.
    client = connect(example, settings)
    assert isinstance(client, FastAPITestClient)
    return importlib.import_module("a2wsgi").ASGIMiddleware(client.client.app)


def serve(
    snippets_dir: Path, host: str, port: int, only: str | None = None, *, debug: bool = False
) -> None:
    """Serve the preview without Werkzeug's reloader (the caller watches).

    Werkzeug's debugger runs code typed into a page: only with ``debug``. The
    instance folders are removed when the server ends, SIGTERM included.
    """
    app = create_app(snippets_dir, only=only)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        run_simple(host, port, app, use_debugger=debug, use_reloader=False)
    finally:
        shutil.rmtree(app.config["PREVIEW_INSTANCES"], ignore_errors=True)
