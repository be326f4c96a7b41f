"""Every internal link and #anchor of the built guide resolves, frozen example pages included.

The checker is LinkChecker (``linkchecker`` on PyPI), run in a subprocess against the built site
served over HTTP from this process. Its settings, and why (a first try took over five minutes):

- HTTP, not ``file://``: pages link to folders (``../quickstart/#routes``), and over ``file://``
  LinkChecker sees a folder listing there and cannot check the anchor. Served here, a folder
  answers its ``index.html`` as on a static host, and a folder without one answers 404. (As root,
  LinkChecker also runs as ``nobody``, who cannot read pytest's private tmp folders.)
- The server sends a ``LinkChecker`` header, which lets LinkChecker lift its own pause of 0.1 to
  0.6 s before each request to one host (``maxrequestspersecond``).
- ``[AnchorCheck]`` checks every URL with a ``#fragment`` as a URL of its own, downloading and
  parsing the page again for each. Code blocks number their lines and every line links to itself
  (``<a id="__codelineno-0-1" href="#__codelineno-0-1">``, from ``anchor_linenums``): thousands of
  such links, each a fraction of a second. Those are left out, and nothing else is.
- URLs with a fragment are checked but not followed: their page is followed under its plain URL.
- No threads: the work is parsing HTML in Python, under the GIL; threads made it slower.
- Every HTML file is a start URL, so frozen pages that nothing links to are checked too.
- Links to other hosts are never requested (no network) and never count as failures.
"""

from __future__ import annotations

import functools
import os
import re
import resource
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.helpers import ROOT

pytestmark = pytest.mark.build

LINE_ANCHORS = "__codelineno-"  # pymdownx.highlight's anchor of each code line
# Every URL looked at (--verbose), as XML on stdout, the start URLs read from stdin.
OPTIONS = ["--verbose", "--no-status", "--output", "xml/utf-8", "--stdin"]


class StaticHost(SimpleHTTPRequestHandler):
    """Serves a folder as a static host would: no folder listings, and quietly."""

    def end_headers(self) -> None:
        self.send_header("LinkChecker", "1")  # see the module docstring
        super().end_headers()

    prefix = "/"  # where the site lives on its host: site_url's path

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path("/" + path[len(self.prefix) :])

    def list_directory(self, path):
        self.send_error(404, "No index.html here")

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the checker may hang up early
            super().handle_error(request, client_address)


def site_prefix(config: Path) -> str:
    """The path a site lives under, from its mkdocs.yml's site_url ("/flask-field-guide/")."""
    url = yaml.load(config.read_text(encoding="utf-8"), Loader=yaml.BaseLoader).get("site_url", "")
    return urlsplit(url).path or "/"


@contextmanager
def serve(site: Path, prefix: str = "/") -> Iterator[str]:
    """The site on 127.0.0.1 at a free port, under ``prefix``; yields its base URL."""
    host = type("Host", (StaticHost,), {"prefix": prefix})
    handler = functools.partial(host, directory=str(site))
    with Server(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
        finally:
            server.shutdown()
            thread.join()


@dataclass(frozen=True)
class Broken:
    page: str  # the page that links, relative to the site ("" for a start URL)
    line: int
    url: str  # the link as written
    problem: str

    def __str__(self) -> str:
        return f"{self.page or '/'}:{self.line}: {self.url} -> {self.problem}"


@dataclass
class Checked:
    """What LinkChecker reported: broken links, and what it looked at."""

    seconds: float  # wall clock
    cpu_seconds: float  # LinkChecker's own user time
    returncode: int
    output: str  # LinkChecker's stderr
    broken: list[Broken] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)  # every internal URL requested, from the root
    skipped_line_anchors: int = 0
    external: dict[str, str] = field(default_factory=dict)  # URL on another host -> result

    @property
    def anchors(self) -> int:
        """Internal URLs with a #fragment, whose anchor was looked for."""
        return sum("#" in url for url in self.urls)


def config(base: str) -> str:
    here = re.escape(base)
    return textwrap.dedent(
        f"""
        [checking]
        threads=0
        maxrequestspersecond=1000
        robotstxt=0
        timeout=30
        [filtering]
        checkextern=0
        internlinks=^{here}
        ignore=
          ^{here}[^#]*[#]{LINE_ANCHORS}
        nofollow=
          ^{here}[^#]*[#]
        [AnchorCheck]
        """
    )


def start_urls(site: Path, base: str) -> list[str]:
    """The site's root and every HTML file in it, asked for as the site links to them.

    MkDocs links to a page's folder (``quickstart/``); Frozen-Flask's relative URLs name the file
    (``recipes/1/index.html``), and so does every preview.
    """
    urls = [base]
    for page in sorted(site.rglob("*.html")):
        path = page.relative_to(site).as_posix()
        if not path.startswith("examples/"):
            path = path.removesuffix("index.html")
        urls.append(base + path)
    return urls


def broken(item: ET.Element, base: str) -> Broken:
    parent = item.find("parent")
    page = line = None
    if parent is not None:
        page, line = (parent.text or "").removeprefix(base), parent.get("line")
    problems = [w.text or "" for w in item.iter("warning")]
    valid = item.find("valid")
    if valid is not None and valid.text == "0":
        problems.insert(0, valid.get("result", ""))
    return Broken(page or "", int(line or 0), item.findtext("url") or "", "; ".join(problems))


def check_links(site: Path, workdir: Path, prefix: str = "/") -> Checked:
    """Run LinkChecker over the site; every internal URL that is broken is in ``broken``."""
    workdir.mkdir(parents=True, exist_ok=True)
    with serve(site, prefix) as base:
        rc = workdir / "linkcheckerrc"
        rc.write_text(config(base))
        env = {
            **os.environ,
            "NO_PROXY": "127.0.0.1",
            "no_proxy": "127.0.0.1",
            # LinkChecker makes a plugin folder in XDG_DATA_HOME: keep it out of $HOME.
            "XDG_DATA_HOME": str(workdir),
            "XDG_CONFIG_HOME": str(workdir),
        }
        # LinkChecker is no code of ours: not measured (as root it runs as nobody, who could
        # not write coverage data anyway).
        env.pop("COVERAGE_PROCESS_CONFIG", None)
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "linkcheck", "-f", str(rc), *OPTIONS],
            input="\n".join(start_urls(site, base)),
            capture_output=True,
            text=True,
            env=env,
            cwd=workdir,
            timeout=300,
            check=False,
        )
        seconds = time.perf_counter() - started
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu
    checked = Checked(seconds, cpu, done.returncode, done.stderr)
    assert done.returncode in (0, 1), f"LinkChecker failed to run:\n{done.stderr}"
    for item in ET.fromstring(done.stdout).iter("urldata"):
        real = item.findtext("realurl") or ""
        if not real.startswith(base):  # another host: never requested, never a failure
            valid = item.find("valid")
            checked.external[real] = "" if valid is None else valid.get("result", "")
            continue
        if item.find("valid[@result='filtered']") is not None:
            assert LINE_ANCHORS in real, f"an internal URL was left out: {real}"
            checked.skipped_line_anchors += 1
            continue
        checked.urls.add(real.removeprefix(base))
        if item.findtext("valid") == "0" or item.find("warnings") is not None:
            checked.broken.append(broken(item, base))
    return checked


PREVIEW_COPY = re.compile(r"/preview-[0-9a-f]{12}\.html$")


def test_every_internal_link_and_anchor_of_the_guide_resolves(guide, tmp_path):
    # Served where it will be published, so absolute links (the 404 page's) count.
    checked = check_links(guide.site, tmp_path, site_prefix(ROOT / "mkdocs.yml"))

    pages = sorted(guide.site.rglob("*.html"))
    frozen = [p for p in pages if p.is_relative_to(guide.site / "examples")]
    print(
        f"LinkChecker: {len(checked.urls)} internal URLs, {checked.anchors} of them with an "
        f"anchor, {checked.skipped_line_anchors} code-line anchors left out; {len(pages)} HTML "
        f"files ({len(frozen)} frozen); {checked.seconds:.1f} s ({checked.cpu_seconds:.1f} s CPU); "
        f"{len(checked.broken)} broken"
    )
    # Frozen pages and preview copies (pages as a block's client saw them, signed in, say)
    # included: a link to a page the frozen site lacks is plain text there.
    assert checked.broken == [], "broken links:\n" + "\n".join(map(str, checked.broken))
    base = "http://127.0.0.1/"  # any: only the paths matter
    paths = {url.removeprefix(base) for url in start_urls(guide.site, base)}
    assert paths <= checked.urls  # every page and frozen page was read
    assert len(frozen) >= 30
    assert sum(bool(PREVIEW_COPY.search(p.as_posix())) for p in frozen) >= 15
    assert checked.anchors >= 50


def test_the_checker_reports_broken_links_and_anchors_naming_the_page(fixture_site, tmp_path):
    fixture_site.write(
        "docs/index.md",
        """
        # Hi

        Fine: [the other page](other.md#a-part), [a heading here](#the-example),
        [elsewhere](https://elsewhere.invalid/page#anchor).

        ## The example

        ```flask-example
        example: hello
        requests:
          - GET /
        ```
        """,
    )
    fixture_site.write("docs/other.md", "# Other\n\n## A part\n\nBack [home](index.md#hi).\n")
    built = fixture_site.build()
    assert built.returncode == 0, built.output
    site = tmp_path / "planted"
    shutil.copytree(built.site, site)

    def plant(page: str, html: str) -> None:
        path = site / page
        text = path.read_text(encoding="utf-8")
        if "</body>" in text:
            text = text.replace("</body>", html + "</body>", 1)
        else:  # the frozen page is a bare fragment
            text += html
        path.write_text(text, encoding="utf-8")

    plant("other/index.html", '<a href="../gone/">x</a><a href="../#no-such-heading">y</a>')
    plant("other/index.html", '<a href="../assets/">a folder, but no page</a>')
    plant("examples/hello/index.html", '<a href="missing.html">x</a><a href="#nowhere">y</a>')
    (site / "examples/hello/unlinked.html").write_text('<a href="../../nope/">z</a>')

    checked = check_links(site, tmp_path / "work")

    assert checked.returncode == 1
    found = sorted((b.page, b.url) for b in checked.broken)
    assert found == [
        ("examples/hello/index.html", "#nowhere"),
        ("examples/hello/index.html", "missing.html"),
        ("examples/hello/unlinked.html", "../../nope/"),
        ("other/", "../#no-such-heading"),
        ("other/", "../assets/"),
        ("other/", "../gone/"),
    ], "\n".join(map(str, checked.broken))
    problems = {b.url: b.problem for b in checked.broken}
    assert problems["missing.html"].startswith("404")
    assert problems["../gone/"].startswith("404")
    assert problems["../assets/"].startswith("404")
    assert problems["#nowhere"].startswith("Anchor `nowhere' (decoded: `nowhere') not found.")
    assert problems["../#no-such-heading"].startswith("Anchor `no-such-heading'")
    assert checked.anchors >= 6  # the fine anchors were looked for too, and found
    assert checked.external["https://elsewhere.invalid/page#anchor"] == "filtered"  # not requested
