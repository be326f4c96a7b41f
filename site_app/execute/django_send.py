"""How a request goes through Django's test client: one source for the build and the browser.

``execute/clients.py`` sends a Django example's requests with these
functions, and the in-browser runner ships this file beside its driver (as
``_ffg_django_send.py``), so a Django block run in the reader's browser is
sent and read exactly as the build sent and read it. It imports nothing but
the standard library: the client is handed in.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from typing import Any

Answer = tuple[int, str, list[tuple[str, str]], bytes]  # status code, Content-Type, headers, body


def body_of(json_value: Any, form: Sequence[tuple[str, str]]) -> tuple[str | bytes, str]:
    """The request body and its content type: JSON, a urlencoded form, or nothing."""
    if json_value is not None:
        return json.dumps(json_value), "application/json"
    if form:
        return urllib.parse.urlencode(list(form)), "application/x-www-form-urlencoded"
    return b"", "application/octet-stream"


def send(
    client: Any,
    method: str,
    path: str,
    json_value: Any,
    form: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
) -> Answer:
    """One request through ``django.test.Client``; a view's exception is raised, as Django's
    client raises it with ``raise_request_exception``."""
    data, content_type = body_of(json_value, form)
    answer = client.generic(method, path, data, content_type=content_type, headers=dict(headers))
    try:
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        pairs = list(answer.headers.items())
        # Django keeps cookies apart from the other headers until it is served.
        pairs += [("Set-Cookie", cookie.OutputString()) for cookie in answer.cookies.values()]
        return answer.status_code, answer.get("Content-Type", ""), pairs, body
    finally:
        answer.close()
