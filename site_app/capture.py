"""Send a block's requests through Flask's test client and record the answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_REQUEST_RE = re.compile(
    r"^(?P<method>[A-Z]+)\s+(?P<path>/\S*)(?:\s+(?P<body>.*?))?(?:\s*->\s*(?P<status>\d{3}))?\s*$"
)


@dataclass(frozen=True)
class Request:
    """One request of a block: ``POST /api/items {"name": "lamp"} -> 201``."""

    method: str
    path: str
    json: Any = None
    expected_status: int | None = None
    form: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    show: tuple[str, ...] = ()  # response headers to show besides Content-Type and Location

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def body_options(self) -> dict[str, Any]:
        """The body and headers as test clients take them (json=, data=, headers=)."""
        options: dict[str, Any] = {}
        if self.json is not None:
            options["json"] = self.json
        if self.form:
            options["data"] = dict(self.form)
        if self.headers:
            options["headers"] = list(self.headers)
        return options


def parse_request(text: str) -> Request:
    """Parse ``METHOD /path [JSON body] [-> status]``; ValueError says what is off."""
    match = _REQUEST_RE.match(text.strip())
    if not match:
        raise ValueError(
            f"cannot read request {text!r}; write it as METHOD /path, optionally followed "
            'by a JSON body and "-> status", e.g. POST /api/items {"name": "lamp"} -> 201'
        )
    method = match["method"]
    if method not in METHODS:
        raise ValueError(f"unknown HTTP method {method!r} in {text!r}; use one of {METHODS}")
    body: Any = None
    if match["body"]:
        try:
            body = json.loads(match["body"])
        except json.JSONDecodeError as exc:
            raise ValueError(f"the body of {text!r} is not valid JSON: {exc.msg}") from exc
    status = int(match["status"]) if match["status"] else None
    return Request(method, match["path"], body, status)


@dataclass(frozen=True)
class Response:
    """What the app answered, reduced to what a page shows."""

    status_code: int
    status: str
    content_type: str
    mimetype: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def is_json(self) -> bool:
        return self.mimetype == "application/json" or self.mimetype.endswith("+json")

    @property
    def is_html(self) -> bool:
        return self.mimetype == "text/html"

    @property
    def is_image(self) -> bool:
        return self.mimetype.startswith("image/")

    def pretty_body(self) -> str:
        """JSON indented, everything else as sent."""
        if self.is_json and self.body:
            try:
                return json.dumps(json.loads(self.body), indent=2, ensure_ascii=False)
            except ValueError:
                return self.text
        return self.text

    def shown_values(self, name: str) -> list[str]:
        """A header's values as pages show them; ``Allow`` sorted, since Werkzeug
        builds it from a set and its order would change from build to build."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        if name.lower() == "allow":
            values = [", ".join(sorted(v.split(", "))) for v in values]
        return values

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@contextmanager
def recorded_exceptions(app: Flask) -> Iterator[list[BaseException]]:
    """Collect every exception a view of ``app`` raises, even when handled as a 500."""
    from flask import got_request_exception  # here: blocks read Request without Flask

    seen: list[BaseException] = []

    def record(sender: Flask, exception: BaseException, **extra: Any) -> None:
        seen.append(exception)

    got_request_exception.connect(record, app, weak=False)
    try:
        yield seen
    finally:
        got_request_exception.disconnect(record, app)


def perform(
    app: Flask, request: Request, client: FlaskClient | None = None
) -> tuple[Response, list[BaseException]]:
    """Send ``request`` to ``app``; return the answer and any exceptions its view raised.

    Pass the same ``client`` for a sequence of requests to keep cookies
    between them, as a browser would.
    """
    client = client or app.test_client()
    kwargs: dict[str, Any] = {"method": request.method, **request.body_options()}
    # A page that means to show a 5xx should not print the error's traceback.
    quiet = (request.expected_status or 0) >= 500
    was_disabled = app.logger.disabled
    app.logger.disabled = was_disabled or quiet
    with recorded_exceptions(app) as raised:
        try:
            answer = client.open(request.path, **kwargs)
        finally:
            app.logger.disabled = was_disabled
        try:
            response = Response(
                status_code=answer.status_code,
                status=answer.status,
                content_type=answer.content_type or "",
                mimetype=answer.mimetype or "",
                headers=tuple(answer.headers.items()),
                body=answer.get_data(),
            )
        finally:
            answer.close()
    return response, raised


def status_is_expected(request: Request, response: Response) -> bool:
    """A declared status must match exactly; otherwise any 2xx is fine."""
    if request.expected_status is not None:
        return response.status_code == request.expected_status
    return 200 <= response.status_code < 300
