"""The built guide in Debian's Chromium: one real strict build, served on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Page

from tests.guide import built_guide
from tests.helpers import ROOT

from .checks import Problems
from .site import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Site, guide_pages, serve


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"the browser tests run Debian's Chromium, and {CHROMIUM} is missing: "
            "install it with `apt-get install chromium`",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A light desktop unless a test asks otherwise; the base URL is the served guide.
    return {**browser_context_args, "viewport": DESKTOP, "color_scheme": "light"}


@pytest.fixture(scope="session")
def guide() -> Iterator[Site]:
    """The real guide, built with `mkdocs build --strict` once for every test process
    (tests/guide.py), served on 127.0.0.1 by each."""
    built = built_guide()
    # Served where site_url puts it (a project site lives under /<name>/), so
    # absolute links such as the 404 page's work as they will when published.
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    with serve(built.site, urlsplit(config["site_url"]).path or "/") as url:
        yield Site(built.site, url, guide_pages(built.site))


@pytest.fixture(scope="session")
def base_url(guide: Site) -> str:
    """Relative URLs in page.goto() are pages of the served guide."""
    return guide.url


@pytest.fixture
def problems(page: Page) -> Problems:
    return Problems(page)


@pytest.fixture(scope="session")
def screenshots(pytestconfig: pytest.Config) -> Path:
    """Where screenshots go: test-results/screenshots/ unless --output says otherwise."""
    return Path(pytestconfig.getoption("--output")).absolute() / "screenshots"
