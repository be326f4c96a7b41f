"""Outputs in full view, on a phone and on a desktop, and frozen pages a static host serves right."""

from __future__ import annotations

import re
import zipfile
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Frame, Locator, Page, expect

from .checks import load_preview, open_tabs_around
from .site import DESKTOP, EXAMPLES, Site

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": DESKTOP}


@pytest.fixture(params=sorted(SIZES))
def sized(page: Page, request: pytest.FixtureRequest) -> Page:
    page.set_viewport_size(SIZES[request.param])
    return page


def _fitted(page: Page, iframe: Locator) -> Frame:
    """Open the tab around a preview, let it load, and wait until its page sized it."""
    open_tabs_around(page, iframe)
    frame = load_preview(page, iframe)
    expect(iframe).to_have_attribute("style", re.compile(r"height: \d+(\.\d+)?px"))
    return frame


def _cut_off(frame: Frame) -> int:
    """How many pixels of the frozen page lie below the frame's bottom edge."""
    return int(
        frame.evaluate(
            "Math.max(0, document.documentElement.scrollHeight"
            " - document.documentElement.clientHeight)"
        )
    )


def _bottom_of(frame: Frame, text: str) -> float:
    """Where the element holding `text` ends, in the frame's own viewport (0 is its top)."""
    return float(
        frame.evaluate(
            """text => {
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                while (walker.nextNode()) {
                    if (walker.currentNode.textContent.includes(text)) {
                        return walker.currentNode.parentElement.getBoundingClientRect().bottom;
                    }
                }
                throw new Error("no element holds " + text);
            }""",
            text,
        )
    )


# Pages whose previews the issue found cropped, and what must show in them.
CROPPED = {
    "templates/": "<script>alert(1)</script>",
    "security/": '<script>alert("cookies")</script>',
    "dashboards/": None,
    "freezing/": None,
}


@pytest.mark.parametrize("url", sorted(CROPPED))
def test_every_preview_shows_its_whole_page_or_a_button_that_does(
    sized: Page, guide: Site, url: str
):
    page = sized
    page.goto(url, wait_until="load")
    previews = page.locator(".ffg-preview").all()
    assert previews, f"{url} has no preview"
    wanted = CROPPED[url]
    found = False
    for box in previews:
        iframe, button = box.locator("iframe"), box.locator("button.ffg-expand")
        frame = _fitted(page, iframe)
        src = iframe.get_attribute("src")
        if _cut_off(frame):
            # Longer than the limit: the frame is as tall as allowed, and says so.
            assert iframe.bounding_box()["height"] >= 0.7 * page.viewport_size["height"] - 2, src
            expect(button).to_be_visible()
            expect(button).to_have_attribute("aria-expanded", "false")
            button.click()
            expect(button).to_have_attribute("aria-expanded", "true")
            expect(button).to_have_text("Show less")
            page.wait_for_function(
                "f => f.contentDocument.documentElement.scrollHeight"
                " <= f.contentDocument.documentElement.clientHeight",
                arg=iframe.element_handle(),
            )
        else:
            expect(button).to_be_hidden()
        assert _cut_off(frame) == 0, f"{url}: the preview of {src} is cut off"
        if wanted and wanted in (frame.evaluate("document.body.textContent") or ""):
            height = iframe.evaluate("f => f.clientHeight")
            assert _bottom_of(frame, wanted) <= height, f"{wanted} lies below the frame"
            found = True
    assert wanted is None or found, f"no preview on {url} shows {wanted}"


def test_a_short_page_gets_a_frame_no_taller_than_itself(sized: Page, guide: Site):
    """Quickstart's frozen pages are a few lines each: no blank band under them."""
    page = sized
    page.goto("quickstart/", wait_until="load")
    previews = page.locator(".ffg-preview iframe").all()
    assert previews
    for iframe in previews:
        frame = _fitted(page, iframe)
        if _cut_off(frame):
            continue  # a long page: the other test checks its limit and button
        # Where the page's content ends, however tall its frame: body's bottom and margin.
        content = frame.evaluate(
            "Math.ceil(document.body.getBoundingClientRect().bottom"
            " + parseFloat(getComputedStyle(document.body).marginBottom))"
        )
        height = iframe.evaluate("f => f.clientHeight")
        # A few pixels of slack: margins that collapse through the body, the frame's border.
        assert height <= content + 16, f"{iframe.get_attribute('src')}: {height} px for {content}"


def test_the_dashboards_chart_and_every_table_row_show(sized: Page, guide: Site):
    page = sized
    page.goto("dashboards/", wait_until="load")
    box = page.locator(".ffg-preview").first
    frame = _fitted(page, box.locator("iframe"))
    if _cut_off(frame):
        box.locator("button.ffg-expand").click()
    height = box.locator("iframe").evaluate("f => f.clientHeight")
    chart = frame.evaluate(
        "[...document.images].map(i => [i.complete && i.naturalWidth > 0,"
        " i.getBoundingClientRect().bottom])"
    )
    assert chart, "the dashboard's preview shows no image"
    assert all(loaded and bottom <= height for loaded, bottom in chart), (chart, height)
    rows = frame.evaluate(
        "[...document.querySelectorAll('tr')].map(r => r.getBoundingClientRect().bottom)"
    )
    assert len(rows) > 3
    assert max(rows) <= height


def test_a_link_in_a_preview_opens_a_new_tab_and_the_frame_stays(page: Page, guide: Site):
    page.goto("freezing/", wait_until="load")
    iframe = page.locator(".ffg-preview iframe").first
    frame = _fitted(page, iframe)
    before = frame.url
    link = frame.locator("a[href]").first
    target = urljoin(before, link.get_attribute("href"))
    with page.context.expect_page() as opened:
        link.click()
    new_tab = opened.value
    new_tab.wait_for_load_state("load")
    assert new_tab.url == target
    assert new_tab.title()  # a complete document, with its title
    # The frame, and so the Request and Response shown above it, still show the first page.
    assert frame.url == before
    new_tab.close()


def test_a_block_of_several_requests_sums_them_up_in_view(sized: Page, guide: Site):
    page = sized
    page.goto("json-api/", wait_until="load")
    summary = page.locator(".ffg-summary").filter(has_text="DELETE /api/items → 405")
    expect(summary).to_be_visible()  # without clicking a tab
    lines = [
        " ".join(text.split()) for text in summary.locator(".ffg-summary-item").all_inner_texts()
    ]
    assert lines == [
        "POST /api/items → 400 BAD REQUEST",
        "GET /api/nothing → 404 NOT FOUND",
        "DELETE /api/items → 405 METHOD NOT ALLOWED Allow: GET, HEAD, OPTIONS, POST",
        "POST /api/crash → 500 INTERNAL SERVER ERROR",
    ]
    overflow = summary.evaluate("ol => ol.scrollWidth - ol.clientWidth")
    assert overflow <= 0, f"the summary overflows its column by {overflow}px"
    # The 405's own tab shows the header its text talks about.
    label = page.locator("label", has_text="DELETE /api/items → 405").first
    label.click()
    shown = label.evaluate(
        """label => {
            const set = label.closest('.tabbed-set');
            const index = [...label.parentElement.children].indexOf(label);
            return set.querySelector(':scope > .tabbed-content').children[index].innerText;
        }"""
    )
    assert "Allow: GET, HEAD, OPTIONS, POST" in shown


def test_the_three_frameworks_answers_are_summed_up(page: Page, guide: Site):
    page.goto("where-flask-fits/", wait_until="load")
    for framework, status in (("Flask", "400"), ("FastAPI", "422"), ("Django", "400")):
        page.locator("label", has_text=re.compile(f"^{framework}$")).first.click()
        summary = page.locator(".ffg-summary:visible")
        expect(summary).to_have_count(1)
        expect(summary.locator(".ffg-summary-item").last).to_contain_text(
            f"POST /api/books → {status}"
        )


def test_the_three_frameworks_answers_sit_side_by_side(sized: Page, guide: Site):
    """Without a click: the table under the tabs, every column reachable (on a phone by
    scrolling its wrapper, which the keyboard can reach too)."""
    page = sized
    page.goto("where-flask-fits/", wait_until="load")
    table = (
        page.locator("table")
        .filter(has=page.locator("th", has_text="FastAPI"))
        .filter(has=page.locator("td", has_text="422"))
    )
    expect(table).to_have_count(1)
    table.scroll_into_view_if_needed()
    heads = table.locator("th").all_inner_texts()
    assert heads == ["request", "Flask", "FastAPI", "Django"]
    last = table.locator("tr").last.locator("td")
    statuses = [" ".join(text.split()) for text in last.all_inner_texts()]
    assert [s.split(" {")[0] for s in statuses[1:]] == [
        "400 BAD REQUEST",
        "422 UNPROCESSABLE ENTITY",
        "400 BAD REQUEST",
    ]
    django = table.locator("th", has_text="Django")
    wrap = table.locator("xpath=ancestor::div[contains(@class, 'md-typeset__scrollwrap')]")
    overflows = wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert overflows == (viewport["width"] < SIZES["desktop"]["width"])  # only on the phone
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    box, seen = django.bounding_box(), wrap.bounding_box()
    assert box is not None
    assert seen is not None
    assert seen["x"] - 1 <= box["x"]  # the last column, scrolled into the wrapper's view
    assert box["x"] + box["width"] <= seen["x"] + seen["width"] + 1
    if overflows:
        assert wrap.get_attribute("tabindex") == "0"


def test_security_shows_the_cookie_with_its_flags(page: Page, guide: Site):
    page.goto("security/", wait_until="load")
    response = page.locator("code", has_text="Set-Cookie: session=").first
    open_tabs_around(page, response)
    expect(response).to_be_visible()
    assert re.search(
        r"Set-Cookie: session=\S+; Secure; HttpOnly; Path=/; SameSite=Lax", response.inner_text()
    )


def test_frames_and_their_links_have_names_of_their_own(page: Page, guide: Site):
    failures = []
    for url in guide.chapters:
        page.goto(url, wait_until="domcontentloaded")
        titles = page.locator(".ffg-preview iframe").evaluate_all("fs => fs.map(f => f.title)")
        links = page.locator("a.ffg-open").evaluate_all("as => as.map(a => a.textContent)")
        for kind, names in (("frame title", titles), ("link name", links)):
            repeated = sorted({name for name in names if names.count(name) > 1})
            failures += [f"{url}: {kind} {name!r} is used more than once" for name in repeated]
    assert not failures, "\n".join(failures)
    page.goto("", wait_until="domcontentloaded")
    name = "Open the frozen page of GET / → 200 (block 1, hello)"
    link = page.get_by_role("link", name=name)
    open_tabs_around(page, page.locator("a.ffg-open").first)
    expect(link).to_have_count(1)
    expect(link).to_be_visible()


def test_frozen_pages_are_documents_a_static_host_serves_right(page: Page, guide: Site):
    examples = guide.root / EXAMPLES
    wrong = []
    for path in sorted(examples.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(guide.root).as_posix()
        if not path.suffix:
            wrong.append(f"{name} has no extension: a static host would not serve its type")
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            for what, pattern in (
                ("a doctype", r"\A\s*<!doctype html>"),
                ("<html lang>", r"<html[^>]* lang=\"?[a-z]"),
                ("a charset", r"<meta charset=\"?utf-8"),
                ("a <title>", r"<title>[^<]+</title>"),
            ):
                if not re.search(pattern, text, re.I):
                    wrong.append(f"{name} has no {what}")
    assert not wrong, "\n".join(wrong)
    # The quickstart's fragment is served as a standards-mode document.
    page.goto(f"{EXAMPLES}/hello/", wait_until="load")
    assert page.evaluate("[document.compatMode, document.documentElement.lang]") == [
        "CSS1Compat",
        "en",
    ]
    assert page.title() == "hello: /"
    # The account page redirects a reader who is not signed in; the sign-in page
    # is not stored under its name (the folder holds only the signed-in preview).
    assert not (examples / "security/account/index.html").exists()
    assert page.request.get(f"{EXAMPLES}/security/login/").ok


def test_a_block_offers_its_example_as_a_zip(page: Page, guide: Site):
    page.goto("json-api/", wait_until="load")
    link = page.locator(".ffg-download a").first
    expect(link).to_be_visible()
    with page.expect_download() as downloading:
        link.click()
    saved = downloading.value
    assert saved.suggested_filename == "json_api.zip"
    with zipfile.ZipFile(saved.path()) as archive:
        names = archive.namelist()
    assert "json_api/snippets/json_api/app.py" in names
    assert {"json_api/README.md", "json_api/requirements.txt"} <= set(names)
