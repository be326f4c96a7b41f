"""The cookies a test client holds, one ``Set-Cookie``-style line each.

The in-browser runner shows a block's ``show: [cookies]`` with this same file
(the build copies it next to the runner's driver), so it imports Werkzeug and
the standard library only.
"""

from __future__ import annotations

from werkzeug.http import http_date
from werkzeug.test import Client


def held_cookies(client: Client) -> tuple[str, ...]:
    """Each cookie the client holds, as a ``Set-Cookie`` line: name=value; flags.

    Werkzeug's client lists them only through a private mapping; its
    :class:`~werkzeug.test.Cookie` records are documented for inspection.
    """
    lines = []
    for cookie in sorted((client._cookies or {}).values(), key=lambda c: (c.key, c.domain, c.path)):
        line = f"{cookie.key}={cookie.value}; Domain={cookie.domain}; Path={cookie.path}"
        if cookie.expires is not None:
            line += "; Expires=" + http_date(cookie.expires)
        if cookie.max_age is not None:
            line += f"; Max-Age={cookie.max_age}"
        line += "; Secure" * bool(cookie.secure) + "; HttpOnly" * bool(cookie.http_only)
        if cookie.same_site:
            line += f"; SameSite={cookie.same_site}"
        lines.append(line)
    return tuple(lines)
