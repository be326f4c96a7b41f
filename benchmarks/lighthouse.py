"""Lighthouse (mobile preset) on three chapters of the built guide: accessibility and performance.

Run it through nox, which installs the project and checks that ``npm ci`` has
installed Lighthouse::

    nox -s lighthouse                         # build the site, 3 runs of each chapter
    nox -s lighthouse -- --site site --runs 1 # an existing build, one run each

The site is served on 127.0.0.1 under its ``site_url`` path, as a project site
is published, with text compressed by gzip as a static host sends it (without
it, Lighthouse's simulated slow network makes every uncompressed byte count).
Lighthouse's default settings are the mobile preset: a phone's screen and a
simulated slow 4G network and CPU. The performance score is
computed from a trace of this machine's Chromium, so a busy machine lowers it:
each chapter runs several times and the median is reported. This is a
measurement, not a test; the targets (accessibility >= 95, performance >= 90)
are printed beside the figures.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
sys.path.insert(0, str(ROOT))
# The same Chromium and flags as the browser tests.
from tests.browser.site import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# The home page, the chapter with the most code (the largest page), and the
# chapter with a chart.
CHAPTERS = ("", "json-api/", "dashboards/")
TARGETS = {"accessibility": 95, "performance": 90}
# What a static host sends compressed (GitHub Pages does so for these types).
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt"}


class _Handler(SimpleHTTPRequestHandler):
    """The site under its path prefix, text compressed with gzip as static hosts do."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path.split("?")[0]))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path, prefix: str) -> Iterator[str]:
    handler = functools.partial(
        type("Handler", (_Handler,), {"prefix": prefix}), directory=str(directory)
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def build(site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def lighthouse(url: str) -> dict[str, object]:
    """One Lighthouse run; its scores (0-100) and a few figures behind performance."""
    done = subprocess.run(
        [
            "node",
            str(LIGHTHOUSE),
            url,
            "--output=json",
            "--output-path=stdout",
            "--only-categories=accessibility,performance",
            "--quiet",
            f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr}")
    report = json.loads(done.stdout)
    categories = report["categories"]
    audits = report["audits"]
    return {
        "accessibility": round(categories["accessibility"]["score"] * 100),
        "performance": round(categories["performance"]["score"] * 100),
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "dom": audits["dom-size"]["numericValue"],
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "failed": sorted(
            ref["id"]
            for ref in categories["accessibility"]["auditRefs"]
            if ref["weight"] and audits[ref["id"]]["score"] == 0
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each chapter (median)")
    parser.add_argument("--pages", default=",".join(CHAPTERS), help="comma-separated page URLs")
    args = parser.parse_args()
    if not LIGHTHOUSE.is_file():
        raise SystemExit(f"Lighthouse is missing ({LIGHTHOUSE}): run `npm ci` in {ROOT}")
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    prefix = urlsplit(config["site_url"]).path or "/"

    with tempfile.TemporaryDirectory() as temporary:
        site = args.site
        if site is None:
            site = Path(temporary) / "site"
            print("building the site ...", flush=True)
            build(site)
        with serve(site.resolve(), prefix) as url:
            print(
                "| page | accessibility (>= 95) | performance (>= 90) | LCP s | TBT ms "
                "| DOM nodes | KiB | failed accessibility audits |"
            )
            print("|---|---|---|---|---|---|---|---|")
            for page in args.pages.split(","):
                runs = [lighthouse(url + page) for _ in range(args.runs)]
                row = {
                    key: statistics.median(run[key] for run in runs)  # type: ignore[misc]
                    for key in ("accessibility", "performance", "lcp", "tbt", "dom", "kib")
                }
                marks = {
                    key: "" if row[key] >= target else " **miss**"
                    for key, target in TARGETS.items()
                }
                scores = {key: sorted(run[key] for run in runs) for key in TARGETS}  # type: ignore[type-var]
                failed = sorted({audit for run in runs for audit in run["failed"]})  # type: ignore[attr-defined]
                print(
                    f"| /{page} | {row['accessibility']:g}{marks['accessibility']} "
                    f"(runs {scores['accessibility']}) | {row['performance']:g}"
                    f"{marks['performance']} (runs {scores['performance']}) "
                    f"| {row['lcp']:.1f} | {row['tbt']:.0f} | {row['dom']:.0f} "
                    f"| {row['kib']:.0f} | {', '.join(failed) or '-'} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
