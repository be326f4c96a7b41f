"""The in-browser runner's core, in real Chromium: Pyodide in a Web Worker runs real examples.

A temporary folder holds a small page with one Run button per guide block of
``json_api`` and ``database``, the runner (``site_app/assets/runner``), the
Pyodide runtime from ``node_modules/`` and the pinned wheels, all copied by
``site_app.browser_assets``. It is served on 127.0.0.1. What the browser
answers is compared with what Flask's test client answers in this process,
for the same requests, with the real app.
"""

from __future__ import annotations

import base64
import html
import json
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from site_app.blocks import Block, scan
from site_app.browser_assets import install_runner
from site_app.capture import Response, perform
from site_app.examples import Example, discover
from site_app.loading import isolated_modules, load_app, run_setup, where_in_example
from site_app.running import REPRODUCIBLE_TIME
from tests.helpers import ROOT

from .site import DESKTOP, serve

SNIPPETS = ROOT / "snippets"
EXAMPLES = ("json_api", "database")
# What each example installs: Flask and its dependencies, and the database's extension.
FLASK = ["blinker", "click", "flask", "itsdangerous", "jinja2", "markupsafe", "werkzeug"]
PACKAGES = {
    "json_api": FLASK,
    "database": [*FLASK, "flask_sqlalchemy", "sqlalchemy", "typing_extensions"],
}
# Python loads once per page; a slow shared machine gets room, the figures are printed.
RUN_TIMEOUT_MS = 180_000


@dataclass(frozen=True)
class RunBlock:
    index: int
    example: Example
    block: Block

    @property
    def button(self) -> str:
        return f"run-{self.index}"

    @property
    def output(self) -> str:
        return f"out-{self.index}"

    @property
    def job(self) -> str:
        return f"job-{self.index}"


def _blocks() -> list[RunBlock]:
    """Every block of the guide that sends requests to one of EXAMPLES."""
    examples = discover(SNIPPETS)
    found = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for block in scan(page.read_text(encoding="utf-8"), page.name).blocks:
            if block.example in EXAMPLES and block.requests:
                found.append(RunBlock(len(found), examples[block.example], block))
    return found


BLOCKS = _blocks()


def _files(example: Example) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for path in example.source_files():
        relative = path.relative_to(example.directory).as_posix()
        try:
            files[relative] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            files[relative] = {"base64": base64.b64encode(path.read_bytes()).decode("ascii")}
    return files


def _job(run: RunBlock) -> dict[str, Any]:
    example = run.example
    return {
        "example": example.name,
        "module": example.app_module,
        "files": _files(example),
        "mtimes": {
            path.relative_to(example.directory).as_posix(): path.stat().st_mtime
            for path in example.source_files()
        },
        "setup": list(example.settings.setup),
        "packages": PACKAGES[example.name],
        "config": example.settings.config,
        "requests": [
            {
                "method": r.method,
                "path": r.path,
                "json": None if r.json is None else json.dumps(r.json),
                "form": [list(pair) for pair in r.form],
                "headers": [list(pair) for pair in r.headers],
                "status": r.expected_status,
            }
            for r in run.block.requests
        ],
    }


def _page(blocks: list[RunBlock]) -> str:
    parts = []
    for run in blocks:
        job = json.dumps(_job(run)).replace("</", "<\\/")
        app_py = html.escape(run.example.app_file.read_text(encoding="utf-8"))
        parts.append(
            f'<section id="block-{run.index}">\n'
            f"<h2>{html.escape(run.block.page)}:{run.block.line} ({run.example.name})</h2>\n"
            f'<script type="application/json" id="{run.job}">{job}</script>\n'
            f'<textarea data-ffg-for="{run.job}" data-ffg-file="app.py" '
            f'aria-label="app.py of block {run.index}" rows="4" cols="80">{app_py}</textarea>\n'
            f'<button type="button" id="{run.button}" data-ffg-run="{run.job}" '
            f'data-ffg-output="{run.output}">Run</button>\n'
            f'<div id="{run.output}"></div>\n</section>'
        )
    body = "\n".join(parts)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Runner core</title>"
        '<link rel="icon" href="data:,">'
        '<script src="runner/run.js" defer></script></head>\n'
        f"<body>\n<h1>Runner core</h1>\n{body}\n</body></html>\n"
    )


@pytest.fixture(scope="session")
def runner_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page, the runner, the runtime and the wheels, as a site would hold them."""
    folder = tmp_path_factory.mktemp("runner-site")
    copied = install_runner(folder / "runner", ROOT)
    (folder / "index.html").write_text(_page(BLOCKS), encoding="utf-8")
    print(f"\nrunner files: {len(copied.files)}, {copied.size / 1e6:.1f} MB")
    return folder


@pytest.fixture(scope="session")
def runner_url(runner_folder: Path) -> Iterator[str]:
    with serve(runner_folder) as url:
        yield url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A context of our own: the suite's context carries the built guide's base URL."""
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def requested(context: BrowserContext) -> list[str]:
    """Every URL the page and its worker ask for, in order."""
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    return urls


@contextmanager
def _reproducible(name: str) -> Iterator[None]:
    """The build's fixed clock and seeds (site_app.running.reproducible), undone afterwards."""
    saved = (os.urandom, time.time, time.time_ns, random.getstate())
    generator = random.Random(name)
    os.urandom = generator.randbytes
    random.seed(name)
    time.time = lambda: REPRODUCIBLE_TIME
    time.time_ns = lambda: int(REPRODUCIBLE_TIME * 1e9)
    try:
        yield
    finally:
        os.urandom, time.time, time.time_ns = saved[:3]
        random.setstate(saved[3])


def _host_answers(run: RunBlock, tmp_path: Path) -> list[tuple[Response, list[BaseException]]]:
    """The block's requests through Flask's test client here, with the real app."""
    example = run.example
    instance = tmp_path / f"instance-{run.index}"
    instance.mkdir()
    answers = []
    with _reproducible(example.name), isolated_modules(SNIPPETS.name, SNIPPETS.parent):
        app = load_app(example, instance)
        run_setup(example, app)
        client = app.test_client()
        for request in run.block.requests:
            answers.append(perform(app, request, client))
    return answers


def _click(page: Page, run: RunBlock) -> dict[str, Any]:
    """Click the block's Run button; wait for its answers (or its failure)."""
    page.evaluate(
        """([output]) => {
            window.ffgDone = window.ffgDone || {};
            delete window.ffgDone[output];
            const box = document.getElementById(output);
            box.addEventListener("ffg-answers",
                (e) => { window.ffgDone[output] = {ok: true, ...e.detail}; }, {once: true});
            box.addEventListener("ffg-failed",
                (e) => { window.ffgDone[output] = {ok: false, ...e.detail}; }, {once: true});
        }""",
        [run.output],
    )
    page.locator(f"#{run.button}").click()
    page.wait_for_function(
        "(output) => window.ffgDone && window.ffgDone[output]",
        arg=run.output,
        timeout=RUN_TIMEOUT_MS,
    )
    done: dict[str, Any] = page.evaluate("(output) => window.ffgDone[output]", run.output)
    assert done["ok"], f"the runner failed: {done.get('message')}"
    return done


def _block(example: str, method: str, path: str) -> RunBlock:
    for run in BLOCKS:
        if run.example.name == example and any(
            r.method == method and r.path == path for r in run.block.requests
        ):
            return run
    raise AssertionError(f"no block of {example} sends {method} {path}")


def _line_of(example: Example, text: str) -> int:
    lines = example.app_file.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def _headers(pairs: Any) -> list[tuple[str, str]]:
    """Headers as pages show them: Allow sorted, since Werkzeug builds it from a set
    and set order follows string hashes, which are 32-bit in Pyodide."""
    return [
        (key, ", ".join(sorted(value.split(", "))) if key.lower() == "allow" else value)
        for key, value in pairs
    ]


def _head(response: Response) -> str:
    return "\n".join([response.status, *(f"{k}: {v}" for k, v in _headers(response.headers))])


def test_every_block_answers_as_the_host_does(page: Page, runner_url: str, tmp_path: Path) -> None:
    assert {run.example.name for run in BLOCKS} == set(EXAMPLES)
    page.goto(runner_url)
    timings = []
    for run in BLOCKS:
        done = _click(page, run)
        result, expected = done["result"], _host_answers(run, tmp_path)
        assert "error" not in result, result["error"]
        assert result["hash_randomization"] == 0
        answers = result["answers"]
        assert len(answers) == len(expected)
        boxes = page.locator(f"#{run.output} .ffg-answer")
        expect(boxes).to_have_count(len(expected))
        for number, (answer, (host, raised)) in enumerate(zip(answers, expected, strict=True)):
            label = f"{run.block.page}:{run.block.line} request {number + 1}"
            assert answer["status"] == host.status, label
            assert answer["content_type"] == host.content_type, label
            assert _headers(answer["headers"]) == _headers(host.headers), label
            assert answer["body"] == host.text, label
            assert answer["expected"], label
            # A view that raises on purpose (a declared 500) raises there too.
            assert [r["message"].split(": ", 1)[1] for r in answer["raised"]] == [
                f"{type(exc).__name__}: {exc} ({where_in_example(run.example, exc)})"
                for exc in raised
            ], label
            box = boxes.nth(number)
            assert box.locator(".ffg-head").text_content() == _head(host), label
            assert box.locator(".ffg-body").text_content() == host.pretty_body(), label
        timings.append({**done["timings"], **result["timings"]})
    first, again = timings[0], timings[1:]
    print(
        f"\nfirst click -> first answer: {first['click']:.0f} ms "
        f"(load Python {first['load']:.0f} ms, install wheels {first['install']:.0f} ms, "
        f"run {first['run']:.0f} ms, of which importing the app {first['import']:.0f} ms)"
    )
    print(
        "re-runs (click -> answer): "
        + ", ".join(f"{t['click']:.0f} ms (install {t['install']:.0f} ms)" for t in again)
    )
    # A later click reuses the worker: it never loads Python again.
    assert all("load" not in t for t in again)


def test_an_edited_file_changes_the_answer(page: Page, runner_url: str) -> None:
    run = _block("json_api", "GET", "/api/items")
    page.goto(runner_url)
    editor = page.locator(f'[data-ffg-for="{run.job}"][data-ffg-file="app.py"]')
    source = editor.input_value()
    assert '"teapot"' in source
    editor.fill(source.replace('"teapot"', '"coffee pot"'))
    answers = _click(page, run)["result"]["answers"]
    listed = next(a for a in answers if a["method"] == "GET" and a["path"] == "/api/items")
    assert {"id": 2, "name": "coffee pot"} in json.loads(listed["body"])["items"]
    expect(page.locator(f"#{run.output}")).to_contain_text('"coffee pot"')
    # Back to the original: the next run reads the files afresh.
    editor.fill(source)
    answers = _click(page, run)["result"]["answers"]
    listed = next(a for a in answers if a["method"] == "GET" and a["path"] == "/api/items")
    assert {"id": 2, "name": "teapot"} in json.loads(listed["body"])["items"]


def test_broken_code_shows_a_traceback_at_the_readers_line(page: Page, runner_url: str) -> None:
    run = _block("json_api", "GET", "/api/items")
    example = run.example
    page.goto(runner_url)
    editor = page.locator(f'[data-ffg-for="{run.job}"][data-ffg-file="app.py"]')
    source = editor.input_value()

    # A mistake in a view: that request answers 500 and shows where it failed.
    line = _line_of(example, 'return {"items": list(items.values())}')
    editor.fill(source.replace("list(items.values())", "list(itemz.values())"))
    answers = _click(page, run)["result"]["answers"]
    failed = next(a for a in answers if a["path"] == "/api/items" and a["method"] == "GET")
    assert failed["status_code"] == 500
    assert not failed["expected"]
    [raised] = failed["raised"]
    assert raised["where"] == f"snippets/json_api/app.py:{line}"
    assert "NameError: name 'itemz' is not defined" in raised["traceback"]
    assert f'File "snippets/json_api/app.py", line {line}, in list_items' in raised["traceback"]
    shown = page.locator(f"#{run.output} .ffg-traceback").first
    expect(shown).to_be_visible()
    expect(shown).to_contain_text(f"snippets/json_api/app.py:{line}")
    expect(shown).to_contain_text("NameError")

    # A syntax error: no answers, the file and line of the mistake instead.
    line = _line_of(example, "def create_app(")
    editor.fill(
        source.replace("def create_app(test_config=None):", "def create_app(test_config=None:")
    )
    result = _click(page, run)["result"]
    assert result["answers"] == []
    assert result["error"]["where"] == f"snippets/json_api/app.py:{line}"
    assert "SyntaxError" in result["error"]["traceback"]
    expect(page.locator(f"#{run.output} .ffg-traceback")).to_contain_text(
        f"snippets/json_api/app.py:{line}"
    )

    # A library the site does not ship: a clear message, not a request elsewhere.
    message = page.evaluate(
        """(id) => {
            const job = {...JSON.parse(document.getElementById(id).textContent),
                         packages: ["flask", "pandas"]};
            return window.ffgRunner.run(job).then(() => "it ran", (error) => error.message);
        }""",
        run.job,
    )
    assert message == "this site ships no wheel for pandas"


def test_no_request_leaves_the_host(page: Page, runner_url: str, requested: list[str]) -> None:
    page.goto(runner_url)
    page.wait_for_load_state("networkidle")
    before = list(requested)
    # Before the first click, the page loads itself and run.js, nothing of Python.
    assert sorted(urlsplit(url).path for url in before) == ["/", "/runner/run.js"]
    _click(page, BLOCKS[0])
    _click(page, _block("database", "GET", "/api/books"))
    page.wait_for_load_state("networkidle")
    paths = [urlsplit(url).path for url in requested]
    # The log sees what the worker fetched, so it would see a request elsewhere too.
    assert "/runner/pyodide/pyodide.asm.wasm" in paths
    assert any(path.startswith("/runner/wheels/flask-") for path in paths)
    outside = [url for url in requested if urlsplit(url).hostname != "127.0.0.1"]
    assert outside == [], outside


def test_from_a_file_the_page_says_why_it_cannot_run(page: Page, runner_folder: Path) -> None:
    page.goto((runner_folder / "index.html").as_uri())
    expect(page.locator("[data-ffg-run]")).to_have_count(0)
    notes = page.locator(".ffg-run-note")
    expect(notes).to_have_count(len(BLOCKS))
    expect(notes.first).to_be_visible()
    expect(notes.first).to_contain_text("served over http")
