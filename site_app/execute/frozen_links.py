"""Links of frozen pages that the frozen site cannot follow, made plain text.

A frozen page, and above all a preview (a page as a block's client saw it in
the middle of a flow, signed in, say), may link to a URL the build left out
of the static site: a page that redirects a stranger (``/account/``), an
extensionless JSON URL (``/api/books``), a file a block uploaded. On a static
host such a link answers 404. A reader expects a link in a snapshot either
to work or to look like what it is, text the running app would have made a
link; so each one loses its ``href`` (an ``<a>`` without one is a
placeholder, which browsers show as text) and says where it led in
``data-ffg-unfrozen`` and, unless the page gave it one, in a ``title``. A
preview's link to its own URL leads to the preview itself.

Only relative links are looked at: Frozen-Flask writes every ``url_for`` URL
relative to its page, and links to other hosts are the page's own business.
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

_LINKING = {"a", "area"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HREF = re.compile(r"""\shref\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE)
_TITLE = re.compile(r"\stitle\s*=", re.IGNORECASE)


class _Links(HTMLParser):
    """Where each ``<a href>`` and ``<area href>`` start tag sits: offset, tag text, href."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        # getpos() counts lines at "\n" only (not at every break splitlines() knows).
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.found: list[tuple[int, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        raw = self.get_starttag_text()
        if tag in _LINKING and href is not None and raw:
            line, column = self.getpos()
            self.found.append((self.starts[line - 1] + column, raw, href))


def make_unfollowable_links_plain(directory: Path, own: dict[str, str]) -> list[str]:
    """Rewrite every HTML file under ``directory`` (one example's frozen site); return the
    ``file: link`` of each link made plain. ``own`` maps a preview (its path in the
    folder) to the file its URL's page would be, so that a link to it leads to the preview.
    """
    changed: list[str] = []
    for path in sorted(directory.rglob("*.html")):
        name = path.relative_to(directory).as_posix()
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        parser = _Links(text)
        parser.feed(text)
        parser.close()
        out, last = [], 0
        for offset, raw, href in parser.found:
            tag = _rewritten(directory, name, own.get(name), raw, href)
            if tag is None or text[offset : offset + len(raw)] != raw:
                continue
            out += [text[last:offset], tag]
            last = offset + len(raw)
            changed.append(f"{name}: {href}")
        if out:
            path.write_text("".join(out) + text[last:], encoding="utf-8", errors="surrogateescape")
    return changed


def _rewritten(directory: Path, page: str, own: str | None, raw: str, href: str) -> str | None:
    """The start tag with its link made plain or pointed at the preview; None to keep it."""
    if not href or href.startswith(("#", "/")) or _SCHEME.match(href):
        return None
    rest, _, fragment = href.partition("#")
    path, _, query = rest.partition("?")
    if not path:  # "?page=2": this very file, whatever the query
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), urllib.parse.unquote(path)))
    if target == ".." or target.startswith("../"):
        return None  # outside the example's folder: not the example's to answer
    if path.endswith("/") or target == "." or (directory / target).is_dir():
        target = posixpath.join(target, "index.html").removeprefix("./")
    if (directory / target).is_file():
        return None
    if target == own and not query:
        local = posixpath.basename(page) + (f"#{fragment}" if fragment else "")
        return _HREF.sub(lambda _: f' href="{html.escape(local, quote=True)}"', raw, count=1)
    url = "/" + target.removesuffix("index.html")
    plain = f' data-ffg-unfrozen="{html.escape(href, quote=True)}"'
    if not _TITLE.search(raw):
        note = f"Not in the frozen site: only the running app serves {url}"
        plain += f' title="{html.escape(note, quote=True)}"'
    return _HREF.sub(lambda _: plain, raw, count=1)
