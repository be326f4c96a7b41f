"""The dark-mode toggle switches the colours, and the choice outlives reloads and navigation."""

from __future__ import annotations

from urllib.parse import urljoin

from playwright.sync_api import Page, expect

from .checks import Problems
from .site import Site

_BACKGROUND = "getComputedStyle(document.body).backgroundColor"


def test_dark_mode_persists_across_reload_and_navigation(
    page: Page, problems: Problems, guide: Site
):
    # Each page is left only once it is idle: a request cut short counts as a failure.
    body = page.locator("body")
    page.goto("", wait_until="networkidle")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    light = page.evaluate(_BACKGROUND)

    page.get_by_title("Switch to dark mode").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    dark = page.evaluate(_BACKGROUND)
    assert dark != light, f"the page kept its {light} background in dark mode"

    page.reload(wait_until="networkidle")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")

    # To the next chapter through the footer link (Material's instant navigation) ...
    next_link = page.locator("a.md-footer__link--next")
    next_url = urljoin(page.url, next_link.get_attribute("href"))
    next_link.click()
    expect(page).to_have_url(next_url)
    page.wait_for_load_state("networkidle")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    # ... and as a fresh page load.
    page.goto(next_url, wait_until="networkidle")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    assert page.evaluate(_BACKGROUND) == dark

    page.get_by_title("Switch to light mode").click()
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    page.reload(wait_until="networkidle")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    assert page.evaluate(_BACKGROUND) == light
    assert problems.take() == []
