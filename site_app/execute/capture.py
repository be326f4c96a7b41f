"""Send a request through Flask's test client and record the answer."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, got_request_exception
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse

from ..model import Request, Response
from .cookies import held_cookies


@contextmanager
def recorded_exceptions(app: Flask) -> Iterator[list[BaseException]]:
    """Collect every exception a view of ``app`` raises, even when handled as a 500."""
    seen: list[BaseException] = []

    def record(sender: Flask, exception: BaseException, **extra: Any) -> None:
        seen.append(exception)

    got_request_exception.connect(record, app, weak=False)
    try:
        yield seen
    finally:
        got_request_exception.disconnect(record, app)


def perform(
    app: Flask, request: Request, client: FlaskClient | None = None, limit: int | None = None
) -> tuple[Response, list[BaseException]]:
    """Send ``request`` to ``app``; return the answer and any exceptions its view raised.

    Pass the same ``client`` for a sequence of requests to keep cookies
    between them, as a browser would. With ``limit``, the body is read as the
    app sends it and reading stops once it holds more than ``limit`` bytes: the
    answer's body is then its first ``limit + 1`` bytes, and the rest is never
    read (the caller cuts it and says so).
    """
    client = client or app.test_client()
    kwargs: dict[str, Any] = {"method": request.method, **request.body_options()}
    if request.form or request.files:
        # A MultiDict keeps a name given twice (two ticked checkboxes), as a browser sends it.
        data: MultiDict[str, str | FileStorage] = MultiDict(request.form)
        for upload in request.files:
            data.add(
                upload.field,
                FileStorage(
                    io.BytesIO(upload.content),
                    filename=upload.filename,
                    name=upload.field,
                    content_type=upload.content_type,
                ),
            )
        kwargs["data"] = data
    if request.enctype:
        # A submitted form says its type even with no field or no file, as a browser does.
        kwargs["content_type"] = request.enctype
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
                body=answer.get_data() if limit is None else _first(answer, limit + 1),
                cookies=held_cookies(client) if request.shows_cookies else None,
            )
        finally:
            answer.close()
    return response, raised


def _first(answer: TestResponse, size: int) -> bytes:
    """The first ``size`` bytes of an answer's body, read chunk by chunk as the app yields
    them (Werkzeug's test client does not buffer by default); the rest is left unread."""
    kept = bytearray()
    for chunk in answer.iter_encoded():
        kept += chunk[: size - len(kept)]
        if len(kept) >= size:
            break
    return bytes(kept)


def status_is_expected(request: Request, response: Response) -> bool:
    """A declared status must match exactly; otherwise any 2xx is fine."""
    if request.expected_status is not None:
        return response.status_code == request.expected_status
    return 200 <= response.status_code < 300
