"""A built site served on loopback, and the list of its pages."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Playwright drives the system's Chromium; these tests never download a browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Where the plugin puts frozen example pages (its `examples_url` option).
EXAMPLES = "examples"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@dataclass(frozen=True)
class Site:
    root: Path  # the built site on disk
    url: str  # where it is served, ending in /
    pages: tuple[str, ...]  # every page of the guide, as URLs relative to `url`

    @property
    def chapters(self) -> tuple[str, ...]:
        """The pages a reader reaches from the navigation (every page but the 404 page)."""
        return tuple(page for page in self.pages if page != "404.html")


def guide_pages(root: Path) -> tuple[str, ...]:
    """URLs of the HTML pages MkDocs wrote, leaving out the frozen example pages."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root)
        if relative.parts[0] == EXAMPLES:
            continue
        url = relative.as_posix()
        pages.append(url.removesuffix("index.html") if path.name == "index.html" else url)
    return tuple(pages)


def slug(page: str) -> str:
    """A file name for a page URL: '' is 'index', 'json-api/' is 'json-api'."""
    return page.strip("/").replace("/", "-").removesuffix(".html") or "index"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _PrefixHandler(_QuietHandler):
    """Serves the folder under a path prefix, as GitHub Pages serves a project site."""

    prefix = "/"
    # Each path asked for and the status answered, when the caller keeps a log.
    served: list[tuple[str, int]] | None = None

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.served is not None:
            self.served.append((self.path, int(code)))

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path("/" + path[len(self.prefix) :])


@contextmanager
def serve(
    directory: Path, prefix: str = "/", served: list[tuple[str, int]] | None = None
) -> Iterator[str]:
    """Serve a directory over HTTP on 127.0.0.1 under ``prefix``; yield its base URL.

    With ``served``, each path a client asks for is appended to it with the status answered
    (304: the client's copy is current, and no body is sent).
    """
    handler_class = type("Handler", (_PrefixHandler,), {"prefix": prefix, "served": served})
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
