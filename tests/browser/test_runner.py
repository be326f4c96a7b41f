"""The in-browser runner on the built guide, in Debian's Chromium: every Run button answers as the page.

The guide is the real strict build (conftest's ``guide``), served on 127.0.0.1
under its site_url path. Python (Pyodide) loads once per page, in a Web Worker,
so each page's blocks share one load. What a Run shows is compared, byte for
byte, with the text of the tabs the build captured for the same block.
"""

from __future__ import annotations

import ast
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from site_app.author.discover import discover
from tests.helpers import ROOT

from .site import Site, serve

# Python loads once per page; a shared, loaded machine gets room, and the figures are printed.
RUN_TIMEOUT_MS = 180_000
ANSWERED = ".ffg-run-output .ffg-run-tabs, .ffg-run-output .ffg-traceback"
EXAMPLES = discover(ROOT / "snippets", ROOT)

# The texts a tab shows, in order: the Response head (and body), and an HTML answer's source.
COMPARED = """box => {
  const codes = (root) => [...root.querySelectorAll('.highlight')]
    .map((h) => [h.querySelector('.filename')?.textContent, h.querySelector('code')?.textContent])
    .filter(([title]) => title === 'Response' || title === 'Response body')
    .map(([title, text]) => [title, text.replace(/\\n$/, '')]);
  // Markdown puts the controls in a paragraph after the block's tabs, past its
  // summary lines and its download link, which are paragraphs of their own.
  let tabs = box.parentElement.previousElementSibling;
  const extra = (el) => el.matches('.ffg-download, .ffg-summary') || el.querySelector('.ffg-summary, .ffg-download');
  while (tabs && !tabs.classList.contains('tabbed-set') && extra(tabs)) {
    tabs = tabs.previousElementSibling;
  }
  return {
    captured: tabs && tabs.classList.contains('tabbed-set') ? codes(tabs) : null,
    ran: codes(box.querySelector('.ffg-run-output')),
    labels: [...box.querySelectorAll('.ffg-run-output .tabbed-labels label')].map(l => l.textContent),
    tracebacks: [...box.querySelectorAll('.ffg-traceback')].map((t) => t.textContent),
  };
}"""


def _page_html(site: Site, page: str) -> str:
    path = site.root / page / "index.html" if page.endswith("/") or not page else site.root / page
    return path.read_text(encoding="utf-8")


# A block inside a content tab the reader has not opened (where-flask-fits/ shows
# the Django app in its "Django" tab) is hidden: open every tab that holds it.
REVEAL = """box => {
  for (let block = box.closest('.tabbed-block'); block; block = block.parentElement.closest('.tabbed-block')) {
    const index = [...block.parentElement.children].indexOf(block);
    const input = block.closest('.tabbed-set').querySelectorAll(':scope > input')[index];
    if (input && !input.checked) input.click();
  }
}"""


def _reveal(box: Locator) -> None:
    """Open the content tabs that hold ``box``, then scroll it into view."""
    box.evaluate(REVEAL)
    box.scroll_into_view_if_needed()


def _run(box: Locator) -> float:
    """Click Run in one block; the seconds until its answers (or a traceback) show."""
    started = time.perf_counter()
    box.locator("[data-ffg-run]").click()
    box.locator(ANSWERED).first.wait_for(timeout=RUN_TIMEOUT_MS)
    return time.perf_counter() - started


@pytest.fixture
def hosts(context: BrowserContext) -> list[str]:
    """Every URL the pages of this test request."""
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    return seen


def _line(source: str, text: str) -> int:
    """The line of ``source`` (as the editor shows it) that holds ``text``, counted from 1."""
    return next(number for number, line in enumerate(source.splitlines(), 1) if text in line)


def _edit(box: Locator) -> tuple[Locator, Locator]:
    box.locator("[data-ffg-edit]").click()
    code = box.locator('textarea[data-ffg-file="app.py"]')
    expect(code).to_be_visible()
    return code, box.locator("textarea[data-ffg-requests]")


def test_edit_run_break_and_reset(page: Page, guide: Site) -> None:
    page.goto("json-api/")
    box = page.locator(".ffg-run").first
    code, requests = _edit(box)
    original = code.input_value()
    assert "def list_items():" in original
    expect(requests).to_have_value("GET /api/items\nGET /api/items/1")

    # An edited value shows in the answer.
    code.fill(original.replace('"kettle"', '"copper kettle"'))
    _run(box)
    answer = box.locator(".ffg-run-output .ffg-run-code code").first
    expect(answer).to_contain_text('"name": "copper kettle"')

    # An edited list of requests is what runs.
    requests.fill('GET /api/items/2\nPOST /api/items {"name": "lamp"} -> 201')
    _run(box)
    labels = box.locator(".ffg-run-output .tabbed-labels label")
    expect(labels).to_have_text(["GET /api/items/2 → 200", "POST /api/items → 201"])
    expect(box.locator(".ffg-run-output .ffg-run-code code").first).to_contain_text('"teapot"')

    # Broken code: a traceback at the reader's line, never a blank output.
    code.fill(original.replace("def list_items():", "def list_items(:"))
    _run(box)
    traceback = box.locator(".ffg-run-output .ffg-traceback")
    expect(traceback).to_contain_text("SyntaxError")
    line = _line(original, "def list_items():")
    expect(traceback).to_have_attribute("data-ffg-where", f"snippets/json_api/app.py:{line}")

    # An exception in a view: the answer is a 500, with the reader's frame and line.
    code.fill(original.replace('return {"items": list(items.values())}', "return {'items': 1 / 0}"))
    requests.fill("GET /api/items")
    _run(box)
    expect(box.locator(".tabbed-labels label")).to_have_text(["GET /api/items → 500"])
    traceback = box.locator(".ffg-run-output .ffg-traceback")
    expect(traceback).to_contain_text("ZeroDivisionError")
    expect(traceback).to_contain_text(
        f'File "snippets/json_api/app.py", line {_line(original, "def list_items():") + 1}'
    )

    # Reset brings back the files and the requests, and the answers are the page's again.
    box.locator("[data-ffg-reset]").click()
    expect(code).to_have_value(original)
    expect(requests).to_have_value("GET /api/items\nGET /api/items/1")
    _run(box)
    seen = box.evaluate(COMPARED)
    assert seen["ran"] == seen["captured"]


def test_a_reader_submits_the_form_with_values_of_their_own(page: Page, guide: Site) -> None:
    page.goto("forms/")
    box = page.locator('.ffg-run[data-ffg-job*="vegetarian"]').first
    box.locator("[data-ffg-edit]").click()
    requests = box.locator("textarea[data-ffg-requests]")
    shown = requests.input_value().split("\n")
    assert shown[1] == 'SUBMIT {"name": "Ada", "guests": "2", "vegetarian": true} -> 302', shown

    # The form of the previous page, filled in with the reader's values, token and all.
    requests.fill('GET /reply/\nSUBMIT {"name": "Grace", "guests": 5} -> 302\nGET /reply/')
    _run(box)
    labels = box.locator(".ffg-run-output .tabbed-labels label")
    expect(labels).to_have_text(["GET /reply/ → 200", "POST /reply/ → 302", "GET /reply/ → 200"])
    last = box.locator(".ffg-run-output .tabbed-block").nth(2)
    expect(last).to_contain_text("Thank you, Grace: we have laid 5 places.")

    # A field the form lacks, or no page to take a form from: the reader is told, by line.
    for lines, message in (
        ('GET /reply/\nSUBMIT {"colour": "red"}', "has no field 'colour'"),
        ('SUBMIT {"name": "Grace"}', "it is the first request"),
        ("GET /reply/\nSUBMIT [1]", "request line 2: the fields must be a JSON object"),
    ):
        requests.fill(lines)
        _run(box)
        expect(box.locator(".ffg-run-output .ffg-traceback")).to_contain_text(message)


def test_edit_opens_and_closes_the_editor_and_run_runs_what_the_reader_sees(
    page: Page, guide: Site
) -> None:
    page.goto("json-api/")
    box = page.locator(".ffg-run").first
    button = box.locator("[data-ffg-edit]")
    expect(button).to_have_attribute("aria-expanded", "false")
    code, _ = _edit(box)
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(button).to_have_attribute("aria-controls", re.compile(r"^ffg-edit-\d+$"))
    original = code.input_value()
    code.fill(original.replace('"kettle"', '"copper kettle"'))

    # Closed, the editor keeps its text, and Run runs the page's code.
    button.click()
    expect(code).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    _run(box)
    seen = box.evaluate(COMPARED)
    assert seen["ran"] == seen["captured"]

    # Opened again: the edit is there, and it runs.
    button.click()
    expect(code).to_be_visible()
    expect(code).to_be_focused()
    _run(box)
    expect(box.locator(".ffg-run-output .ffg-run-code code").first).to_contain_text(
        '"copper kettle"'
    )


def test_the_editor_never_shows_section_markers(page: Page, guide: Site) -> None:
    """database/app.py marks sections for the page's tabs; the reader edits it without them."""
    marked = (ROOT / "snippets" / "database" / "app.py").read_text(encoding="utf-8")
    assert "# --8<-- [start:" in marked
    page.goto("database/")
    box = page.locator('.ffg-run[data-ffg-example="database"]').first
    box.locator("[data-ffg-edit]").click()
    code = box.locator('textarea[data-ffg-file="app.py"]')
    expect(code).to_be_visible()
    text = code.input_value()
    assert "--8<--" not in text
    kept = [line for line in marked.splitlines() if "--8<--" not in line]
    assert text.splitlines() == kept


def test_the_answers_open_on_the_request_the_block_is_about(page: Page, guide: Site) -> None:
    """GET the form, submit it, GET the page again: the tab that opens is the POST."""
    page.goto("forms/")
    box = page.locator('.ffg-run[data-ffg-job*="vegetarian"]').first
    _run(box)
    checked = box.locator(".ffg-run-output .tabbed-set > input:checked")
    label = box.locator(f'.ffg-run-output label[for="{checked.get_attribute("id")}"]')
    expect(label).to_have_text("POST /reply/ → 302")
    expect(box.locator(".ffg-run-output .tabbed-block").nth(1)).to_be_visible()
    expect(box.locator(".ffg-run-output .tabbed-block").nth(0)).to_be_hidden()

    # A list of requests the reader wrote opens on its first answer.
    box.locator("[data-ffg-edit]").click()
    box.locator("textarea[data-ffg-requests]").fill('GET /reply/\nSUBMIT {"name": "Grace"}')
    _run(box)
    expect(box.locator(".ffg-run-output .tabbed-block").nth(0)).to_be_visible()


# Every text the status line takes while the first click loads Python.
WATCH_STATUS = """box => {
  window.ffgStatus = [];
  new MutationObserver(() => {
    for (const line of box.querySelectorAll('.ffg-status')) {
      window.ffgStatus.push([line.textContent, line.getAttribute('aria-live')]);
    }
  }).observe(box, {subtree: true, childList: true, characterData: true});
}"""


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def test_the_first_click_says_what_it_downloads_and_how_much(page: Page, guide: Site) -> None:
    page.goto("json-api/")
    box = page.locator(".ffg-run").first
    box.evaluate(WATCH_STATUS)
    _run(box)
    lines = page.evaluate("window.ffgStatus")
    assert lines
    assert all(live == "polite" for _, live in lines), lines
    wasm = _megabytes(guide.root / "runner" / "pyodide" / "pyodide.asm.wasm")
    stdlib = _megabytes(guide.root / "runner" / "pyodide" / "python_stdlib.zip")
    texts = [text for text, _ in lines]
    # Each file by name, with its bytes so far and its size, after the total.
    for name, total in (("pyodide.asm.wasm", wasm), ("python_stdlib.zip", stdlib)):
        line = re.compile(
            rf"^Downloading [\d.]+ [kM]B of [\d.]+ MB: .*{re.escape(name)} [\d.]+ [kM]B of {total}"
        )
        assert any(line.search(text) for text in texts), (name, texts)


CLICKED = """box => new Promise((resolve) => {
    box.addEventListener('ffg-answers', (e) => resolve(e.detail.timings), {once: true});
    box.addEventListener('ffg-failed', (e) => resolve({failed: e.detail.message}), {once: true});
    box.querySelector('[data-ffg-run]').click();
})"""


def test_the_runtime_is_fetched_once_per_visit(context: BrowserContext, guide: Site) -> None:
    """Pages of one browser: a second tab's first click uses the Python the first tab
    loaded; a page that loads Python anew reads it and the wheels from the browser's
    cache. The server sends none of the runner's files again (a 304, the browser
    checking that its copy of a script is current, sends no body)."""
    served: list[tuple[str, int]] = []
    prefix = urlsplit(guide.url).path

    def sent_again() -> list[str]:
        # manifest.json is asked at every load (a new build starts a new cache), and a
        # page's example may be another one, with files of its own.
        return [
            path
            for path, status in served
            if "/runner/" in path
            and status != 304
            and not path.endswith("/manifest.json")
            and "/runner/examples/" not in path
        ]

    with serve(guide.root, prefix, served) as url:
        first = context.new_page()
        first.goto(url + "json-api/")
        booted = first.locator(".ffg-run").first.evaluate(CLICKED)
        assert "load" in booted, booted  # this click loaded Python
        sent = [path for path, status in served if "/runner/" in path and status == 200]
        assert any(path.endswith("/pyodide.asm.wasm") for path in sent), sent
        assert any("/wheels/flask-" in path for path in sent), sent

        served.clear()
        second = context.new_page()
        second.goto(url + "quickstart/")
        shared = second.locator(".ffg-run").first.evaluate(CLICKED)
        assert "failed" not in shared, shared
        assert "load" not in shared, shared  # the first tab's Python answered
        assert sent_again() == []

        # A page with a worker of its own (or a reload) loads Python again, from the cache.
        served.clear()
        third = context.new_page()
        third.add_init_script("delete window.SharedWorker;")
        third.goto(url + "json-api/")
        own = third.locator(".ffg-run").first.evaluate(CLICKED)
        assert "load" in own, own
        assert sent_again() == []
        print(
            f"second tab {shared['click'] / 1000:.2f} s, own worker {own['click'] / 1000:.2f} s",
            file=sys.stderr,
        )


def test_an_example_that_cannot_run_says_why(page: Page, guide: Site) -> None:
    examples = [e for e in EXAMPLES.values() if e.settings.browser_reason]
    assert {"dashboard", "model", "security"} <= {e.name for e in examples}
    page.goto("dashboards/")
    reason = EXAMPLES["dashboard"].settings.browser_reason
    expect(page.locator(".ffg-run-off").first).to_have_text(
        f"This example does not run in the browser: {reason}"
    )
    expect(page.locator("[data-ffg-run]")).to_have_count(0)


def test_from_a_file_the_page_says_why_it_cannot_run(page: Page, guide: Site) -> None:
    page.goto((guide.root / "json-api" / "index.html").as_uri())
    note = page.locator(".ffg-run-file").first
    expect(note).to_contain_text("needs the site served over http(s)")
    expect(page.locator("[data-ffg-run]")).to_have_count(0)


def _run_blocks(site: Site) -> list[tuple[str, int, str]]:
    """Every block with a Run button: its page, its place among the page's buttons, its example."""
    found = []
    for page in site.chapters:  # each page read once; one without a button adds nothing
        names = re.findall(
            r'<span class="ffg-run" data-ffg-example="([a-z0-9_]+)"', _page_html(site, page)
        )
        found += [(page, index, name) for index, name in enumerate(names)]
    return found


EDITED = " (edited)"


def _edited_value(source: str, answers: str) -> tuple[str, str] | None:
    """A string value in ``source`` that the captured ``answers`` show (the longest with a
    space, so a sentence or a name rather than a key), and the source with it edited."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in inside_fstrings
        and " " in node.value
        and "\n" not in node.value
        and node.value in answers
        and node.lineno == node.end_lineno
    ]
    for node in sorted(found, key=lambda n: -len(n.value)):
        lines = source.split("\n")
        line = lines[node.lineno - 1].encode("utf-8")  # AST columns count bytes
        token = line[node.col_offset : node.end_col_offset].decode("utf-8")
        if token[:1] not in "'\"" or token[1:2] == token[:1]:  # a prefix or triple quotes
            continue
        quote = token[0]
        edited = f"{quote}{node.value}{EDITED}{quote}".encode()
        lines[node.lineno - 1] = (
            line[: node.col_offset] + edited + line[node.end_col_offset :]
        ).decode("utf-8")
        return node.value, "\n".join(lines)
    return None


def _edited_text(text: str, name: str, answers: str) -> tuple[str, str] | None:
    """In a template, the first text between tags that the answers show; in another
    file served as it is (a stylesheet), the first line they show. The file with
    it edited, and what the answers should then show."""
    for line in text.split("\n"):
        if name.endswith(".html"):
            for found in re.finditer(r">([^<>{}]*[A-Za-z][^<>{}]*)<", line):
                words = found[1].strip()
                if len(words) >= 4 and words in answers and "&" not in words:
                    edited = line.replace(words, words + EDITED, 1)
                    return text.replace(line, edited, 1), words + EDITED
        elif name.endswith(".css") and line.strip() and line in answers:
            edited = line + " /*" + EDITED + " */"
            return text.replace(line, edited, 1), edited
    return None


# Blocks whose answers show no value their files hold as text (keys, a redirect,
# a message built by an f-string): the edit to make, in whichever of the block's
# files holds it, and what the answers then show. Keyed "page#n", n counting
# the page's Run buttons from 1.
EDITS = {
    # A POST with no CSRF token: with the check off, the reply is stored and redirects.
    "files/#3": (
        "    @app.errorhandler(413)",
        '    @app.errorhandler(404)\n    def missing(error):\n        return "No such file here.", 404\n\n'
        "    @app.errorhandler(413)",
        "No such file here.",
    ),
    "files/#7": ('yield f"{n},{n * n}\\n"', 'yield f"{n};{n * n}\\n"', "2;4"),
    "quickstart/#3": (
        '@app.route("/recipes/<int:recipe_id>/")',
        '@app.route("/recipes/<int:recipe_id>")',
        "HTTP/1.1 200 OK",  # no redirect to the slash any more
    ),
    "json-api/#1": ('"kettle"', '"copper kettle"', '"copper kettle"'),
    "where-flask-fits/#2": ('"kettle"', '"copper kettle"', '"copper kettle"'),
    "json-api/#2": (
        "There is no item {item_id}.",
        "We have no item {item_id}.",
        "We have no item 99.",
    ),
    "deployment/#1": ('"no-store"', '"no-cache"', "Cache-Control: no-cache"),
    "deployment/#2": ('"remote_addr": request', '"client_addr": request', '"client_addr"'),
    "deployment/#3": ('"remote_addr": request', '"client_addr": request', '"client_addr"'),
    "freezing/#2": ('{"subscribed": request', '{"signed up": request', '"signed up"'),
    "performance/#1": ("whole number from 2", "whole number (edited) from 2", "(edited) from"),
    "performance/#2": ('{"ran": task.name', '{"job ran": task.name', '"job ran"'),
    "logging/#1": ('"average asked for', '"average wanted for', "average wanted for north"),
    "testing/#2": (
        'return {"cart": session["cart"]}',
        'return {"basket": session["cart"]}',
        '"basket"',
    ),
}


# Blocks whose shown files take no part in their answers: edits and breaks cannot show.
UNRENDERED = {
    # The template with the hidden token field; the POST without a token is refused
    # before the view renders it.
    "forms/#5",
}


def _edit_value(
    editors: Locator, files: list[str], block: str, captured: str
) -> tuple[int, str, str] | None:
    """The editor to change, its new text and what the answers should then show."""
    texts = [editors.nth(i).input_value() for i in range(editors.count())]
    if block in EDITS:
        old, new, shown = EDITS[block]
        for i, text in enumerate(texts):
            if old in text:
                return i, text.replace(old, new, 1), shown
        return None
    for i, (file, text) in enumerate(zip(files, texts, strict=True)):
        if file.endswith(".py") and (found := _edited_value(text, captured)):
            return i, found[1], found[0] + EDITED
    for i, (file, text) in enumerate(zip(files, texts, strict=True)):
        if (found := _edited_text(text, file, captured)) is not None:
            return i, *found
    return None


def test_the_guide_has_many_runnable_blocks(guide: Site) -> None:
    """What the grouped test below runs through: enough blocks, pages and examples."""
    blocks = _run_blocks(guide)
    assert len(blocks) >= 30, blocks
    assert len({chapter for chapter, _, _ in blocks}) >= 10, blocks
    assert len({name for _, _, name in blocks}) >= 10, blocks


# The runnable pages are split into this many tests, so the browser session's
# processes share them (Python loads once per page, which dominates).
GROUPS = 3


@pytest.mark.parametrize("group", range(GROUPS))
def test_every_runnable_block_answers_as_its_tabs_show_then_edits_breaks_and_resets(
    page: Page, guide: Site, hosts: list[str], group: int
) -> None:
    """Page by page, every Run button: its answers are the tabs' text byte for byte;
    an edited value shows in them; broken code gives a traceback at the reader's
    line; Reset brings the captured answers back. Nothing of the runner loads
    before the first click, and nothing comes from another host."""
    # Playwright sees no request of a SharedWorker: here the runner takes the page's own
    # Worker (the same worker.js, fetching the same files), so every request is seen.
    page.add_init_script("delete window.SharedWorker;")
    chapters = sorted({chapter for chapter, _, _ in _run_blocks(guide)})[group::GROUPS]
    problems: list[str] = []
    for chapter in chapters:
        start = len(hosts)
        page.goto(chapter)
        page.wait_for_load_state("networkidle")
        loaded = [url for url in hosts[start:] if "/runner/" in url]
        before = [url for url in loaded if not url.endswith("/run.js")]
        assert before == [], f"{chapter}: loaded before any click: {before}"
        blocks = [(index, name) for page_, index, name in _run_blocks(guide) if page_ == chapter]
        figures = []
        for index, name in blocks:
            box = page.locator(".ffg-run").nth(index)
            _reveal(box)
            figures.append(f"{_run(box):.2f}")
            where = f"{name} ({chapter} block {index + 1})"
            problems += _answers_as_captured(box, where)
            problems += _edit_break_and_reset(box, chapter, index, name, where)
        print(f"{chapter}: first click and re-runs took {', '.join(figures)} s", file=sys.stderr)
    here = urlsplit(guide.url).netloc
    assert any(url.endswith("/runner/pyodide/pyodide.asm.wasm") for url in hosts), "worker unseen"
    others = sorted({urlsplit(url).netloc for url in hosts} - {here, ""})
    assert not problems, "\n".join(problems)
    assert others == [], f"requests to another host: {others}"


def _answers_as_captured(box: Locator, where: str) -> list[str]:
    seen: dict[str, Any] = box.evaluate(COMPARED)
    if seen["tracebacks"]:
        return [f"{where}: a traceback: {seen['tracebacks']}"]
    if seen["captured"] is None:
        return [f"{where}: no tabs just before the Run button"]
    if seen["ran"] != seen["captured"]:
        return [f"{where}: ran {seen['ran']!r}\n    but the page shows {seen['captured']!r}"]
    return []


def _edit_break_and_reset(
    box: Locator, chapter: str, index: int, name: str, where: str
) -> list[str]:
    problems: list[str] = []
    if f"{chapter}#{index + 1}" in UNRENDERED:
        return problems
    box.locator("[data-ffg-edit]").click()
    editors = box.locator("textarea[data-ffg-file]")
    expect(editors.first).to_be_visible()
    files = [editors.nth(i).get_attribute("data-ffg-file") or "" for i in range(editors.count())]
    python = [i for i, file in enumerate(files) if file.endswith(".py")]

    # An edited value shows in the answers.
    captured = "\n".join(text for _, text in box.evaluate(COMPARED)["captured"] or [])
    edit = _edit_value(editors, files, f"{chapter}#{index + 1}", captured)
    if edit is None:
        problems.append(f"{where}: no value to edit; add one to EDITS")
    else:
        i, source, expected = edit
        original = editors.nth(i).input_value()
        editors.nth(i).fill(source)
        _run(box)
        ran = "\n".join(text for _, text in box.evaluate(COMPARED)["ran"])
        if expected not in ran:
            problems.append(f"{where}: edited, but the answers show {ran!r}")
        elif expected in captured:
            problems.append(f"{where}: the page already shows {expected!r}")
        editors.nth(i).fill(original)

    # Broken code, in every block: a Python file, else a template.
    templates = [i for i, file in enumerate(files) if file.endswith(".html")]
    broken_at = (python or templates or [0])[0]
    target = editors.nth(broken_at)
    file = files[broken_at]
    text = target.input_value()
    if python:
        broken = text.rstrip("\n") + '\nraise RuntimeError("broken by the test")\n'
        line = broken.count("\n")
        expected = f"snippets/{name}/{file}:{line}"
    else:  # a template: a tag Jinja cannot parse
        broken = "{% if %}\n" + text
        expected = f"snippets/{name}/{file}:1"
    target.fill(broken)
    _run(box)
    tracebacks = box.locator(".ffg-run-output .ffg-traceback")
    wheres = [tracebacks.nth(i).get_attribute("data-ffg-where") for i in range(tracebacks.count())]
    if expected not in wheres:
        texts = tracebacks.all_text_contents()
        problems.append(f"{where}: no traceback at {expected}: {wheres} {texts}")
    box.locator("[data-ffg-reset]").click()
    expect(target).to_have_value(text)
    _run(box)
    seen = box.evaluate(COMPARED)
    if seen["ran"] != seen["captured"] or seen["tracebacks"]:
        problems.append(f"{where}: after Reset, {seen}")
    return problems
