"""Every page of the guide loads cleanly and is photographed for review (phones: test_phone.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from .checks import Problems
from .site import Site, slug

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def test_the_chapters_found_are_those_of_the_sitemap(guide: Site):
    assert "" in guide.pages, "the home page is missing from the built site"
    tree = ElementTree.parse(guide.root / "sitemap.xml")
    paths = [urlsplit(loc.text or "").path for loc in tree.iter(f"{{{SITEMAP}}}loc")]
    home = min(paths, key=len)  # every page's URL starts with the home page's
    assert sorted(path.removeprefix(home) for path in paths) == sorted(guide.chapters)


def test_every_page_loads_without_errors_and_each_chapter_is_photographed_in_light(
    page: Page, problems: Problems, guide: Site, screenshots: Path
):
    """Material follows the reader's system colours: light here, dark below."""
    failures = []
    for url in guide.pages:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None
        expect(page.locator(".md-content h1")).to_be_visible()
        found = problems.take()
        if response.status != 200:
            found.insert(0, f"the page itself answered {response.status}")
        failures += [f"{url or '/'}: {problem}" for problem in found]
        if url in guide.chapters:
            expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
            path = screenshots / f"{slug(url)}-light.png"
            page.screenshot(path=path, full_page=True, animations="disabled")
            assert path.stat().st_size > 0
    assert not failures, "\n".join(failures)


@pytest.mark.browser_context_args(color_scheme="dark")
def test_each_chapter_is_photographed_in_dark(
    page: Page, problems: Problems, guide: Site, screenshots: Path
):
    for url in guide.chapters:
        page.goto(url, wait_until="networkidle")
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        path = screenshots / f"{slug(url)}-dark.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        assert path.stat().st_size > 0
    assert problems.take() == []
