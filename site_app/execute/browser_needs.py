"""What an example calls that Python in the reader's browser (Pyodide) does not have.

Pyodide's Python has no ``hashlib.scrypt`` and no ``hashlib.pbkdf2_hmac``
(both come from OpenSSL, which it does not build them with; Werkzeug's
password hashes use one or the other) and cannot start a thread (Flask runs
an ``async`` view through asgiref in one). Reading an example's source
would miss the calls its libraries make, so the worker watches instead:
while the example runs, these three are wrapped, and the first call of
each is recorded with the library that made it and the example's own line
it came from. The build then sets the example's Run button off, saying why.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from ..model import Example

# What the browser's Python lacks, and how a reader is told.
LACKS = {
    "hashlib.scrypt": "it calls hashlib.scrypt{via}, which Python in the browser (Pyodide) lacks",
    "hashlib.pbkdf2_hmac": (
        "it calls hashlib.pbkdf2_hmac{via}, which Python in the browser (Pyodide) lacks"
    ),
    "threads": "it starts a thread{via}, and Python in the browser (Pyodide) cannot",
}


def _caller(frame: FrameType | None, example: Example) -> str:
    """`` (through werkzeug, from snippets/x/auth.py:12)``: who made the call."""
    library, where = "", ""
    directory = str(example.directory)
    while frame is not None:
        filename = frame.f_code.co_filename
        module = str(frame.f_globals.get("__name__", "")).split(".")[0]
        if filename.startswith(directory + "/"):
            where = f"{example.display(Path(filename))}:{frame.f_lineno}"
            break
        if not library and module and module not in sys.stdlib_module_names:
            library = module
        frame = frame.f_back
    parts = ([f"through {library}"] if library and library != "site_app" else []) + (
        [f"from {where}"] if where else []
    )
    return f" ({', '.join(parts)})" if parts else ""


@contextmanager
def watched(example: Example) -> Iterator[dict[str, str]]:
    """Record, while inside, the first call of each thing in :data:`LACKS`: name → reason."""
    seen: dict[str, str] = {}

    def record(name: str) -> None:
        if name not in seen:
            seen[name] = LACKS[name].format(via=_caller(sys._getframe(2), example))

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def watching(*args: Any, **kwargs: Any) -> Any:
            record(name)
            return function(*args, **kwargs)

        return watching

    saved_scrypt = hashlib.__dict__.get("scrypt")
    saved_pbkdf2 = hashlib.__dict__.get("pbkdf2_hmac")
    saved_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        record("threads")
        saved_start(thread)

    if saved_scrypt is not None:
        hashlib.scrypt = wrap("hashlib.scrypt", saved_scrypt)
    if saved_pbkdf2 is not None:
        hashlib.pbkdf2_hmac = wrap("hashlib.pbkdf2_hmac", saved_pbkdf2)
    threading.Thread.start = start  # type: ignore[method-assign, assignment]
    try:
        yield seen
    finally:
        threading.Thread.start = saved_start  # type: ignore[method-assign]
        if saved_scrypt is not None:
            hashlib.scrypt = saved_scrypt
        if saved_pbkdf2 is not None:
            hashlib.pbkdf2_hmac = saved_pbkdf2
