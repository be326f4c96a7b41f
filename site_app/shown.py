"""What a page shows of an answer: one source for the build and the reader's browser.

``model.Response`` shows its body and headers through these functions, and
the in-browser runner ships this file beside its driver (as
``_ffg_shown.py``), so a block run in the browser shows its answer by the
same rules as the page. Standard library only: it runs in Pyodide too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable


def is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def pretty_body(mimetype: str, body: bytes) -> str:
    """JSON indented, everything else as sent."""
    text = body.decode("utf-8", errors="replace")
    if is_json(mimetype) and body:
        try:
            return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return text


def shown_value(name: str, value: str) -> str:
    """A header's value as pages show it: ``Allow`` sorted, since Werkzeug builds it
    from a set and its order would change from build to build."""
    return ", ".join(sorted(value.split(", "))) if name.lower() == "allow" else value


def shown_values(headers: Iterable[tuple[str, str]], name: str) -> list[str]:
    """Every value of header ``name`` (any case), as pages show it."""
    return [shown_value(key, value) for key, value in headers if key.lower() == name.lower()]
