"""What the browser tests look at in a page: errors while it loads, its tabs, its previews."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from playwright.sync_api import (
    ConsoleMessage,
    Frame,
    Locator,
    Page,
    Request,
    Response,
    expect,
)

# A response tab's label, as the plugin writes it: "GET /api/items → 200".
RESPONSE_TAB = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) → (?P<status>\d{3})$")


class Problems:
    """Console errors, uncaught exceptions, failed requests and HTTP errors of a page and its frames."""

    def __init__(self, page: Page) -> None:
        self._seen: list[str] = []
        self.statuses: dict[str, int] = {}  # the last status of each URL; 0 when it failed
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._seen.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self._seen.append(f"console error: {message.text} ({where})")

    def _failed(self, request: Request) -> None:
        self.statuses[request.url] = 0
        if request.failure == "net::ERR_ABORTED":
            # Cancelled by the browser (a navigation while the search worker
            # loads, or a 404 it refuses): a missing file is caught by its status.
            return
        self._seen.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        self.statuses[response.url] = response.status
        if response.status >= 400:
            self._seen.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def take(self) -> list[str]:
        """What went wrong since the last call."""
        seen, self._seen = self._seen, []
        return seen


def open_tabs_around(page: Page, element: Locator) -> None:
    """Click the labels of the content tabs that hold `element`, outermost first."""
    label_ids = element.evaluate(
        """element => {
            const ids = [];
            for (let block = element.closest(".tabbed-block"); block;
                 block = block.parentElement.closest(".tabbed-block")) {
                const index = [...block.parentElement.children].indexOf(block);
                const labels = block.closest(".tabbed-set").querySelector(":scope > .tabbed-labels");
                ids.unshift(labels.children[index].htmlFor);
            }
            return ids;
        }"""
    )
    for label_id in label_ids:
        page.locator(f'label[for="{label_id}"]').click()


@dataclass(frozen=True)
class Stylesheet:
    href: str
    loaded: bool  # it was answered with a 2xx status and the browser made a sheet of it
    applies: bool  # turning it off changes the computed style of some element of the page


@dataclass(frozen=True)
class Preview:
    src: str
    expected_url: str
    url: str  # what the frame loaded
    sandbox: str | None
    page_can_reach_it: bool  # the page's own scripts can read the frame's document
    text: str  # the frame's text as a reader sees it, whitespace collapsed
    source_text: str  # the text of the "HTML source" shown beside it, whitespace collapsed
    same_text_as_source: bool  # the frame's document holds exactly the source's text
    stylesheets: tuple[Stylesheet, ...]


_STYLESHEETS = """() => {
    const styles = () => [...document.querySelectorAll("*")].map(element => {
        const style = getComputedStyle(element);
        return [...style].map(name => style.getPropertyValue(name)).join(";");
    });
    const before = styles();
    return [...document.querySelectorAll('link[rel~="stylesheet"]')].map(link => {
        const sheet = link.sheet;
        if (!sheet) return {href: link.href, sheet: false, applies: false};
        // A sandboxed frame has an opaque origin: cssRules is off limits, so
        // prove the rules apply by switching the sheet off and back on.
        sheet.disabled = true;
        const after = styles();
        sheet.disabled = false;
        return {href: link.href, sheet: true, applies: after.some((s, i) => s !== before[i])};
    });
}"""


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _letters(text: str) -> str:
    # Frozen pages use relative URLs: a page that prints a URL shows "api/books"
    # where the live answer said "/api/books". Compare without those prefixes.
    text = re.sub(r"(?:\.\./|\./|(?<![\w.])/)(?=[\w-])", "", text)
    return "".join(text.split())


def load_preview(page: Page, iframe: Locator) -> Frame:
    """Scroll to a shown preview frame, which loads lazily, and wait until it has loaded."""
    iframe.scroll_into_view_if_needed()
    src = iframe.get_attribute("src") or ""
    frame = iframe.element_handle().content_frame()
    assert frame is not None, f"the preview of {src} has no frame"
    frame.wait_for_url(urljoin(page.url, src), timeout=10_000)
    frame.wait_for_load_state("load")
    return frame


def inspect_preview(page: Page, iframe: Locator, problems: Problems) -> Preview:
    """Show a preview frame as a reader would (open its tab, scroll to it) and read it."""
    open_tabs_around(page, iframe)
    expect(iframe).to_be_visible()
    frame = load_preview(page, iframe)
    src = iframe.get_attribute("src") or ""
    expected_url = urljoin(page.url, src)
    handle = iframe.element_handle()
    block = iframe.locator("xpath=ancestor::div[contains(@class, 'tabbed-block')][1]")
    source = block.locator("details code")
    source_html = source.first.text_content() if source.count() else ""
    source_text = page.evaluate(
        "html => new DOMParser().parseFromString(html, 'text/html').body.textContent", source_html
    )
    content_text = frame.evaluate("document.body.textContent")
    return Preview(
        src=src,
        expected_url=expected_url,
        url=frame.url,
        sandbox=iframe.get_attribute("sandbox"),
        page_can_reach_it=handle.evaluate("iframe => iframe.contentDocument !== null"),
        text=_collapse(frame.evaluate("document.body.innerText")),
        source_text=_collapse(source_text),
        same_text_as_source=_letters(content_text) == _letters(source_text),
        stylesheets=tuple(
            # A stylesheet that answers 404 still gets an (empty) sheet: ask the network.
            Stylesheet(
                sheet["href"],
                loaded=sheet["sheet"] and 200 <= problems.statuses.get(sheet["href"], 0) < 300,
                applies=sheet["applies"],
            )
            for sheet in frame.evaluate(_STYLESHEETS)
        ),
    )
