"""The in-browser runner's budgets, measured on the built guide in Debian's Chromium.

    nox -s runner_bench                          # build the site, then measure
    nox -s runner_bench -- --site site --runs 3  # an existing build

For each runs, a fresh browser context (an empty cache) opens a chapter, and
the script reports:

- what the page loaded before any click: requests under ``runner/`` (only
  ``run.js`` may be there) and the bytes of everything it fetched;
- first click to first answer: from the click on Run to the answers shown,
  with Python loaded, the wheels installed and the example run (budget 5 s);
- a re-run: a second click on the same button (budget 0.5 s);
- the site's size, and the part the runner adds (``runner/``).

This is a measurement, not a test: a loaded machine is slower, so each figure
is the median of several runs, printed beside its budget.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.site import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

CHAPTERS = ("json-api/", "database/")
BUDGETS = {"first": 5.0, "again": 0.5}
ANSWERED = ".ffg-run-output .ffg-run-tabs, .ffg-run-output .ffg-traceback"


def size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def measure(url: str, chapter: str, runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"first": [], "again": [], "before": [], "runner": []}
    # Parts of the first click (the worker's timings): Python's load, installing, the run.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            loaded: list[tuple[str, int]] = []
            page.on(
                "requestfinished",
                lambda request, into=loaded: into.append(
                    (request.url, (request.sizes() or {}).get("responseBodySize", 0))
                ),
            )
            page.goto(url + chapter, wait_until="networkidle")
            figures["before"].append(sum(n for _, n in loaded) / 1024)
            early = [u for u, _ in loaded if "/runner/" in u and not u.endswith("/run.js")]
            figures["runner"].append(len(early))
            box = page.locator(".ffg-run").first
            for key in ("first", "again"):
                waited = box.evaluate(
                    """box => new Promise((resolve) => {
                        box.addEventListener('ffg-answers', (e) => resolve(e.detail.timings),
                                             {once: true});
                        box.addEventListener('ffg-failed', () => resolve({click: -1}),
                                             {once: true});
                        box.querySelector('[data-ffg-run]').click();
                    })"""
                )
                figures[key].append(waited["click"] / 1000)
                if key == "first":  # where the first click's time goes
                    for part in ("load", "install", "run"):
                        figures.setdefault(part, []).append(waited.get(part, 0) / 1000)
            context.close()
        browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    site = options.site
    if site is None:
        site = Path(tempfile.mkdtemp(prefix="runner-bench-")) / "site"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
            cwd=ROOT,
            check=True,
        )
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    total, runner = size(site), size(site / "runner")
    print(f"site: {total / 1e6:.1f} MB, of which runner/ {runner / 1e6:.1f} MB")
    for folder in sorted((site / "runner").iterdir()):
        if folder.is_dir():
            print(f"  runner/{folder.name}/: {size(folder) / 1e6:.2f} MB")
    with serve(site, urlsplit(config["site_url"]).path or "/") as url:
        for chapter in CHAPTERS:
            figures = measure(url, chapter, options.runs)
            print(f"{chapter} ({options.runs} runs, fresh cache each):")
            print(
                f"  before a click: {statistics.median(figures['before']):.0f} kB loaded, "
                f"{max(figures['runner']):.0f} runner files besides run.js"
            )
            parts = ", ".join(
                f"{part} {statistics.median(figures[part]):.2f} s"
                for part in ("load", "install", "run")
            )
            print(f"  first click, median parts: {parts}; the rest is fetching the job")
            for key, label in (("first", "first click → answer"), ("again", "re-run")):
                values = figures[key]
                print(
                    f"  {label}: median {statistics.median(values):.2f} s "
                    f"(runs: {', '.join(f'{v:.2f}' for v in values)}; budget {BUDGETS[key]} s)"
                )


if __name__ == "__main__":
    main()
