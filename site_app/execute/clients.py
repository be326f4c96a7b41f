"""One way to send a block's requests, whichever framework the example uses.

A Flask example is sent through Flask's test client (``capture.perform``).
A FastAPI example goes through Starlette's ``TestClient``, a Django example
through ``django.test.Client``. Each answer becomes the same
``capture.Response``, so a page renders them alike.

FastAPI and Django are imported only when an example needs them: a guide
made of Flask examples builds without either installed.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import ExampleError, Location
from ..model import Example, Request, Response, Settings
from . import django_send
from .capture import perform
from .load import import_app, import_example


class Client(Protocol):
    """Sends requests in order to one app, keeping cookies between them."""

    def send(self, request: Request) -> tuple[Response, list[BaseException]]:
        """The answer, and exceptions a view raised that became a 500 answer.

        An exception the framework lets out of the client propagates instead.
        """


def status_line(code: int) -> str:
    """``404 NOT FOUND``, as Werkzeug writes it for a Flask response.

    Every framework's answer gets its status text from the same table, so
    tabs of the same status read alike, whatever Python version built them.
    """
    return f"{code} {HTTP_STATUS_CODES.get(code, 'unknown').upper()}"


def mimetype_of(content_type: str) -> str:
    """``application/json`` from ``application/json; charset=utf-8``."""
    return content_type.split(";", 1)[0].strip().lower()


class FlaskTestClient:
    """Flask's own test client, as the build has always used it."""

    def __init__(self, app: Flask, limit: int | None = None) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.limit = limit  # read no more of a body than this, plus one byte (see perform)

    def send(self, request: Request) -> tuple[Response, list[BaseException]]:
        return perform(self.app, request, self.client, self.limit)


class FastAPITestClient:
    """Starlette's TestClient: a view's exception is raised to the caller."""

    def __init__(self, app: Any) -> None:
        testclient = importlib.import_module("fastapi.testclient")
        self.client = testclient.TestClient(
            app, raise_server_exceptions=True, follow_redirects=False
        )

    def send(self, request: Request) -> tuple[Response, list[BaseException]]:
        answer = self.client.request(request.method, request.path, **request.body_options())
        content_type = answer.headers.get("content-type", "")
        response = Response(
            status_code=answer.status_code,
            status=status_line(answer.status_code),
            content_type=content_type,
            mimetype=mimetype_of(content_type),
            headers=tuple(answer.headers.multi_items()),
            body=answer.content,
        )
        return response, []


class DjangoTestClient:
    """``django.test.Client`` with ``raise_request_exception``: a view's exception is raised."""

    def __init__(self) -> None:
        django = importlib.import_module("django")
        django.setup()
        # A fresh import of the example must be the URLconf, not the one a
        # previous block of the same build imported.
        importlib.import_module("django.urls").clear_url_caches()
        self.client = importlib.import_module("django.test").Client(raise_request_exception=True)

    def send(self, request: Request) -> tuple[Response, list[BaseException]]:
        code, content_type, headers, body = django_send.send(
            self.client,
            request.method,
            request.path,
            request.json,
            request.form,
            request.headers,
        )
        response = Response(
            status_code=code,
            status=status_line(code),
            content_type=content_type,
            mimetype=mimetype_of(content_type),
            headers=tuple(headers),
            body=body,
        )
        return response, []


def connect(example: Example, settings: Settings) -> Client:
    """Import a FastAPI or Django example and return a client for its app.

    Call inside :func:`site_app.execute.load.isolated_modules`. A Flask example is
    loaded with :func:`site_app.execute.load.configured_app` instead (it is configured,
    set up and frozen too); wrap its app in :class:`FlaskTestClient`.
    """
    framework = example.settings.framework
    if framework == "fastapi":
        app = import_app(example, settings)
        fastapi = importlib.import_module("fastapi")
        if not isinstance(app, fastapi.FastAPI):
            raise ExampleError(
                f"example '{example.name}' gave a {type(app).__name__}, not a FastAPI app",
                where=Location(example.display(example.app_file)),
                fix="name the FastAPI object app, or return it from create_app()",
            )
        return FastAPITestClient(app)
    if framework == "django":
        import_example(example, settings)
        _check_django_settings(example)
        return DjangoTestClient()
    raise ValueError(f"connect() is for FastAPI and Django examples, not {framework!r}")


def _check_django_settings(example: Example) -> None:
    settings = importlib.import_module("django.conf").settings
    where = Location(example.display(example.app_file))
    if not settings.configured:
        raise ExampleError(
            f"example '{example.name}' does not configure Django",
            where=where,
            fix="call settings.configure(ROOT_URLCONF=__name__, ...) in this file, "
            "guarded by `if not settings.configured:`",
        )
    urlconf = getattr(settings, "ROOT_URLCONF", None)
    if urlconf != example.app_module:
        raise ExampleError(
            f"example '{example.name}' sets ROOT_URLCONF to {urlconf!r}, "
            f"not to its own module {example.app_module!r}",
            where=where,
            fix="pass ROOT_URLCONF=__name__ to settings.configure() and define urlpatterns "
            "in this file",
        )
