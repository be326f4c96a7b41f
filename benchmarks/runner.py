"""The in-browser runner's budgets, measured on the built guide in Debian's Chromium.

    nox -s runner_bench                          # build the site, then measure
    nox -s runner_bench -- --site site --runs 3  # an existing build
    nox -s runner_bench -- --site site json-api/ database/   # some pages only

For every page with a Run button (or the pages named), each run opens a fresh
browser context (an empty cache) and reports, per page:

- before a click: the kB the page loaded, and how many runner files besides
  ``run.js`` it fetched (none may be);
- first click: from the click on Run to the answers shown, with Python
  loaded, the wheels installed and the example run (budget 5 s), and where
  the worker's time went (Python's load, installing, the run);
- re-run: a second click on the same button (budget 0.5 s);
- second page: in the same context, another page opened in a new tab (the
  next page of the list) and its first click, with the runtime already in the
  browser (budget 1.5 s);
- with ``--own-worker``, the page again in a third tab that has no
  SharedWorker, so its worker loads Python anew from the browser's cache (a
  browser without SharedWorkers, or a visit after every tab was closed).

A Django block (where-flask-fits/) is measured on its own as well: its first
click and its re-run. Beside each time, the CPU time Chromium spent on it (user
+ system of every process of the browser), which the machine's other load
moves little, and the load average when the page was measured: the machine
may be shared, and a loaded machine is slower. This is a measurement, not a
test: each figure is the median of ``--runs`` runs, printed beside its budget.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import yaml
from playwright.sync_api import Browser, BrowserContext, Locator, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.site import CHROMIUM, CHROMIUM_ARGS, guide_pages, serve  # noqa: E402

BUDGETS = {"first": 5.0, "again": 0.5, "second": 1.5, "own": 1.5}
LABELS = {
    "first": "first click",
    "again": "re-run",
    "second": "second page's first click",
    "own": "first click in a tab with a worker of its own",
}
# Click Run and wait for the answers: the worker's timings, and the click's own time.
CLICK = """box => new Promise((resolve) => {
    box.addEventListener('ffg-answers', (e) => resolve(e.detail.timings), {once: true});
    box.addEventListener('ffg-failed', (e) => resolve({click: -1, failed: e.detail.message}),
                         {once: true});
    box.querySelector('[data-ffg-run]').click();
})"""


def size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def chromium_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of every process this one started: Playwright's
    driver and the browser's processes."""
    seen = {}
    for process in psutil.Process().children(recursive=True):
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        seen[process.pid] = times.user + times.system
    return seen


def click(box: Locator) -> tuple[dict[str, Any], float]:
    """Click Run in ``box``: the worker's timings (ms) and the CPU seconds it took."""
    before = chromium_cpu()
    timings: dict[str, Any] = box.evaluate(CLICK)
    after = chromium_cpu()
    if "failed" in timings:
        raise SystemExit(f"the example failed to run: {timings['failed']}")
    return timings, sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def run_pages(site: Path) -> list[str]:
    """The guide's pages with a Run button, in the order of their URLs."""
    found = []
    for page in guide_pages(site):
        path = site / page / "index.html" if page.endswith("/") or not page else site / page
        if "data-ffg-run" in path.read_text(encoding="utf-8"):
            found.append(page)
    return found


def django_examples(site: Path) -> set[str]:
    jobs = (site / "runner" / "examples").glob("*.json")
    return {p.stem for p in jobs if json.loads(p.read_text())["framework"] == "django"}


class Figures(dict[str, list[float]]):
    def add(self, key: str, value: float) -> None:
        self.setdefault(key, []).append(value)

    def median(self, key: str) -> float:
        return statistics.median(self[key])


def measure_page(
    browser: Browser,
    url: str,
    chapter: str,
    second: str | None,
    box_of: Callable[[Any], Locator],
    own: bool = False,
) -> Figures:
    """One run on ``chapter`` in a fresh context, then ``second`` in a new tab of it."""
    figures = Figures()
    context: BrowserContext = browser.new_context()
    page = context.new_page()
    loaded: list[tuple[str, int]] = []
    page.on(
        "requestfinished",
        lambda request: loaded.append(
            (request.url, (request.sizes() or {}).get("responseBodySize", 0))
        ),
    )
    page.goto(url + chapter, wait_until="networkidle")
    figures.add("before", sum(n for _, n in loaded) / 1024)
    early = [u for u, _ in loaded if "/runner/" in u and not u.endswith("/run.js")]
    figures.add("early", len(early))
    box = box_of(page)
    for key in ("first", "again"):
        timings, cpu = click(box)
        figures.add(key, timings["click"] / 1000)
        figures.add(f"{key} cpu", cpu)
        if key == "first":
            for part in ("load", "install", "run"):
                figures.add(part, timings.get(part, 0) / 1000)
    if second is not None:
        other = context.new_page()
        other.goto(url + second, wait_until="networkidle")
        timings, cpu = click(other.locator(".ffg-run").first)
        figures.add("second", timings["click"] / 1000)
        figures.add("second cpu", cpu)
    if own:
        # A tab with a worker of its own: Python loads again, from the browser's cache.
        alone = context.new_page()
        alone.add_init_script("delete window.SharedWorker;")
        alone.goto(url + chapter, wait_until="networkidle")
        timings, cpu = click(box_of(alone))
        figures.add("own", timings["click"] / 1000)
        figures.add("own cpu", cpu)
    context.close()
    return figures


def report(name: str, figures: Figures, runs: int) -> None:
    load = os.getloadavg()[0]
    print(f"{name} ({runs} runs, fresh cache each; load average {load:.1f})")
    if "before" in figures:
        print(
            f"  before a click: {figures.median('before'):.0f} kB loaded, "
            f"{max(figures['early']):.0f} runner files besides run.js"
        )
    parts = ", ".join(f"{p} {figures.median(p):.2f} s" for p in ("load", "install", "run"))
    print(f"  first click, the worker's parts (median): {parts}")
    for key in ("first", "again", "second", "own"):
        if key not in figures:
            continue
        values = figures[key]
        over = " OVER" if figures.median(key) > BUDGETS[key] else ""
        print(
            f"  {LABELS[key]}: median {figures.median(key):.2f} s, "
            f"CPU {figures.median(key + ' cpu'):.2f} s "
            f"(runs: {', '.join(f'{v:.2f}' for v in values)}; budget {BUDGETS[key]} s){over}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--own-worker",
        action="store_true",
        help="also open the page in a third tab with no SharedWorker (Python from the cache)",
    )
    parser.add_argument("pages", nargs="*", help="pages to measure (default: every page with Run)")
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
    print(f"load average at the start: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    chapters = options.pages or run_pages(site)
    django = django_examples(site)
    django_box = ", ".join(f'.ffg-run[data-ffg-example="{name}"]' for name in sorted(django))
    with serve(site, urlsplit(config["site_url"]).path or "/") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for index, chapter in enumerate(chapters):
            # The home page's URL is "": None is no second page.
            second = chapters[(index + 1) % len(chapters)] if len(chapters) > 1 else None
            figures = Figures()
            for _ in range(options.runs):
                for key, values in measure_page(
                    browser,
                    url,
                    chapter,
                    second,
                    lambda page: page.locator(".ffg-run").first,
                    options.own_worker,
                ).items():
                    figures.setdefault(key, []).extend(values)
            shown = "none" if second is None else second or "the home page"
            report(f"{chapter or '/'} (second page: {shown})", figures, options.runs)
            html = (site / chapter / "index.html").read_text(encoding="utf-8")
            if any(f'data-ffg-example="{name}"' in html for name in django):
                figures = Figures()
                for _ in range(options.runs):
                    for key, values in measure_page(
                        browser, url, chapter, None, lambda page: page.locator(django_box).first
                    ).items():
                        figures.setdefault(key, []).extend(values)
                report(f"{chapter or '/'}, its Django block", figures, options.runs)
        browser.close()
    print(f"load average at the end: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
