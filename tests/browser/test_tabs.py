"""Clicking a response tab shows that response, and only that one."""

from __future__ import annotations

import contextlib

from playwright.sync_api import Locator, Page, expect

from .checks import RESPONSE_TAB, Problems
from .site import Site


def _shows_only(blocks: Locator, index: int, method: str, path: str, status: str) -> str | None:
    """What is wrong with the tab set after its tab `index` was clicked, if anything."""
    with contextlib.suppress(AssertionError):  # if it stays hidden, say what shows instead
        expect(blocks.nth(index)).to_be_visible(timeout=2_000)
    shown = blocks.evaluate_all(
        "blocks => blocks.map(b => b.checkVisibility() ? b.innerText : null)"
    )
    if shown[index] is None:
        return f"its content stays hidden; the set shows tab {[i + 1 for i, t in enumerate(shown) if t]}"
    if not shown[index].startswith(f"Request\n{method} {path} HTTP/1.1"):
        return f"it shows {shown[index][:80]!r}"
    if f"HTTP/1.1 {status}" not in shown[index]:
        return f"it shows no 'HTTP/1.1 {status}' status line"
    others = [i + 1 for i, text in enumerate(shown) if i != index and text is not None]
    if others:
        return f"tabs {others} stay visible beside it"
    return None


# A block may sit inside a content tab of the page ("=== \"Flask\""): open the
# tabs around it first, outermost first, or its own tabs cannot be clicked.
_OPEN_ENCLOSING_TABS = """set => {
    const inputs = [];
    for (let b = set.parentElement.closest(".tabbed-block"); b; b = b.parentElement.closest(".tabbed-block")) {
        const index = [...b.parentElement.children].indexOf(b);
        inputs.unshift(b.parentElement.parentElement.querySelectorAll(":scope > input")[index]);
    }
    inputs.forEach(input => input.click());
}"""


def test_each_response_tab_shows_its_response(page: Page, problems: Problems, guide: Site):
    clicked, failures = 0, []
    for url in guide.chapters:
        page.goto(url, wait_until="networkidle")
        for number, tab_set in enumerate(page.locator(".tabbed-set").all(), start=1):
            labels = tab_set.locator(":scope > .tabbed-labels > label")
            blocks = tab_set.locator(":scope > .tabbed-content > .tabbed-block")
            texts = [text.strip() for text in labels.all_inner_texts()]
            assert len(texts) == blocks.count(), f"{url}: tabs and contents do not pair up"
            for index, text in enumerate(texts):
                tab = RESPONSE_TAB.match(text)
                if not tab:
                    continue
                where = f"{url or '/'}, tab set {number}, tab {index + 1} {text!r}"
                if texts.count(text) > 1:
                    # Material opens every tab of a page that bears the clicked label
                    # (content.tabs.link), so in one set only the last of them shows.
                    failures.append(f"{where}: {texts.count(text)} tabs of the set share its label")
                tab_set.evaluate(_OPEN_ENCLOSING_TABS)
                labels.nth(index).click()
                clicked += 1
                wrong = _shows_only(blocks, index, tab["method"], tab["path"], tab["status"])
                if wrong:
                    failures.append(f"{where}, clicked: {wrong}")
    assert clicked, "the guide has no response tab to click"
    assert not failures, "\n".join(failures)
    assert problems.take() == []
