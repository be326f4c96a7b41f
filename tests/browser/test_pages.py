"""Every page of the guide loads cleanly, fits a phone, and is photographed for review."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from .checks import Problems
from .site import PHONE, Site, slug

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
_OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# Show each tab in turn, as a click on its label does, until the page grows too
# wide; return the label that made it so, or null. One round trip per page.
_FIRST_TAB_TOO_WIDE = """() => {
    for (const label of document.querySelectorAll(".tabbed-labels > label")) {
        label.click();
        if (document.documentElement.scrollWidth > window.innerWidth) return label.innerText;
    }
    return null;
}"""
# What sticks out past the right edge of the window, leaving out what scrolls
# inside its own box (code, tab bars, tables).
_STICKING_OUT = """() => {
    const clipped = element => {
        for (let box = element.parentElement; box && box !== document.body; box = box.parentElement)
            if (getComputedStyle(box).overflowX !== "visible") return true;
        return false;
    };
    return [...document.querySelectorAll("body *")]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(e))
        .slice(0, 5)
        .map(e => e.tagName.toLowerCase() + [...e.classList].map(c => "." + c).join(""));
}"""


def _too_wide(page: Page, state: str) -> str | None:
    overflow = page.evaluate(_OVERFLOW)
    if overflow <= 0:
        return None
    return f"{overflow}px too wide {state}; sticking out: {page.evaluate(_STICKING_OUT)}"


def test_the_chapters_found_are_those_of_the_sitemap(guide: Site):
    assert "" in guide.pages, "the home page is missing from the built site"
    tree = ElementTree.parse(guide.root / "sitemap.xml")
    paths = [urlsplit(loc.text or "").path for loc in tree.iter(f"{{{SITEMAP}}}loc")]
    home = min(paths, key=len)  # every page's URL starts with the home page's
    assert sorted(path.removeprefix(home) for path in paths) == sorted(guide.chapters)


def test_every_page_loads_without_errors(page: Page, problems: Problems, guide: Site):
    failures = []
    for url in guide.pages:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None
        expect(page.locator(".md-content h1")).to_be_visible()
        found = problems.take()
        if response.status != 200:
            found.insert(0, f"the page itself answered {response.status}")
        failures += [f"{url or '/'}: {problem}" for problem in found]
    assert not failures, "\n".join(failures)


# A narrow desktop window, not an emulated phone: an emulated phone widens its
# window to fit the page, which would hide the very overflow sought here.
@pytest.mark.browser_context_args(viewport=PHONE)
def test_no_page_scrolls_sideways_on_a_phone(page: Page, guide: Site, screenshots: Path):
    failures = []
    for url in guide.pages:
        page.goto(url, wait_until="load")
        if url in guide.chapters:
            page.screenshot(
                path=screenshots / f"{slug(url)}-phone.png", full_page=True, animations="disabled"
            )
        # The page as it opens, then with each of its tabs shown in turn.
        problem = _too_wide(page, "as it opens")
        if not problem and (label := page.evaluate(_FIRST_TAB_TOO_WIDE)) is not None:
            problem = _too_wide(page, f"with tab {label!r} shown")
        if problem:
            failures.append(f"{url or '/'}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("scheme", "material_scheme"),
    [
        pytest.param(
            "light", "default", marks=pytest.mark.browser_context_args(color_scheme="light")
        ),
        pytest.param("dark", "slate", marks=pytest.mark.browser_context_args(color_scheme="dark")),
    ],
)
def test_screenshots_of_every_chapter(
    page: Page, problems: Problems, guide: Site, screenshots: Path, scheme, material_scheme
):
    """Material follows the reader's system colours; each chapter is photographed in both."""
    for url in guide.chapters:
        page.goto(url, wait_until="networkidle")
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", material_scheme)
        path = screenshots / f"{slug(url)}-{scheme}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        assert path.stat().st_size > 0
    assert problems.take() == []
