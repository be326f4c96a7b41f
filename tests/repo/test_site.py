"""The site's chrome in a real strict build: 404 page, sitemap, descriptions, logo, links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from mkdocs.utils.meta import get_data

from tests.guide import built_guide
from tools import project_pages

from .conftest import ROOT

pytestmark = pytest.mark.build

DOCS = ROOT / "docs"


class Loader(yaml.SafeLoader):
    """mkdocs.yml may hold !!python/name tags; none of them matter here."""


Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)

CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
SITE_URL = CONFIG["site_url"]


class Links(HTMLParser):
    """Every URL a page loads or links to, and its meta description."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.description: str | None = None
        self.icons: list[str] = []
        self.sources: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        for name in ("href", "src"):
            if found.get(name):
                self.urls.append((tag, found[name]))
        if tag == "meta" and found.get("name") == "description":
            self.description = found.get("content")
        if tag == "link" and found.get("rel") == "icon":
            self.icons.append(found["href"])
        if tag == "a" and "md-source" in (found.get("class") or "").split():
            self.sources.append(found)


def links(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_url(page: Path) -> str:
    """Where MkDocs puts a page (use_directory_urls), relative to the site root."""
    parts = page.relative_to(DOCS).with_suffix("").parts
    if parts[-1] == "index":
        parts = parts[:-1]
    return "".join(f"{part}/" for part in parts)


PAGES = sorted(DOCS.rglob("*.md"))


@pytest.fixture(scope="module")
def site() -> Path:
    return built_guide().site


def test_the_404_page_loads_everything_from_under_the_site_path(site):
    prefix = urlsplit(SITE_URL).path
    assert prefix.endswith("/")
    local = [url for tag, url in links(site / "404.html").urls if not urlsplit(url).scheme]
    assert local, "404.html links to nothing on the site"
    wrong = [url for url in local if not url.startswith(prefix)]
    assert not wrong, (
        f"404.html is served at any depth, so its links must start with {prefix}: {wrong}"
    )


def test_the_sitemap_lists_every_page_under_the_site_url(site):
    tree = ElementTree.parse(site / "sitemap.xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {element.text for element in tree.findall("s:url/s:loc", namespace)}
    # Pages the guide's hook makes from project files (CONTRIBUTING.md, ...) are pages too.
    made = {SITE_URL + Path(name).with_suffix("").as_posix() + "/" for name in project_pages.PAGES}
    assert locations == {SITE_URL + page_url(page) for page in PAGES} | made
    assert made, "the hook lists no page: the check above lost its point"


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_each_page_carries_its_own_description(site, page):
    """Material's meta description is the page's own, or the site's if the page has none
    (tests/repo/test_pages.py then fails for it)."""
    front_matter = get_data(page.read_text(encoding="utf-8"))[1]
    html = site / page_url(page) / "index.html"
    wanted = front_matter.get("description", CONFIG["site_description"])
    assert links(html).description == wanted


def test_logo_and_favicon_are_the_guide_s_own_svg(site):
    logo = CONFIG["theme"]["logo"]
    assert CONFIG["theme"]["favicon"] == logo
    home = links(site / "index.html")
    assert home.icons == [logo]
    assert ("img", logo) in home.urls
    assert (site / logo).read_bytes() == (DOCS / logo).read_bytes()
    assert re.search(rb"<svg[^>]*viewBox", (site / logo).read_bytes())


def test_pages_have_edit_and_view_links_to_their_source(site):
    base = f"{CONFIG['repo_url'].rstrip('/')}/{CONFIG['edit_uri']}"
    for page in PAGES:
        urls = {url for _, url in links(site / page_url(page) / "index.html").urls}
        source = page.relative_to(DOCS).as_posix()
        assert base + source in urls, f"no edit link on {source}"
        assert base.replace("/edit/", "/raw/") + source in urls, f"no view link on {source}"


def test_no_page_loads_anything_from_another_host(site):
    """The header's repository link must not call the GitHub API from readers' browsers."""
    for html in site.rglob("*.html"):
        if "examples" in html.relative_to(site).parts:
            continue
        parsed = links(html)
        loaded = [url for tag, url in parsed.urls if tag in ("script", "img", "link", "iframe")]
        foreign = [url for url in loaded if urlsplit(url).scheme in ("http", "https")]
        name = html.relative_to(site)
        assert not [u for u in foreign if not u.startswith(SITE_URL)], f"{name} loads {foreign}"
        for source in parsed.sources:
            assert "data-md-component" not in source, (
                f"{name}: the repository link asks the GitHub API for facts;"
                " overrides/partials/source.html must keep it a plain link"
            )
