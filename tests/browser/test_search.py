"""Material's search box finds the chapter a word comes from, and takes the reader there."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from urllib.parse import parse_qs, urljoin, urlsplit

from playwright.sync_api import Error, Page, expect

from .checks import Problems
from .site import Site

_WORD = re.compile(r"[a-z]{5,}")
_TAG = re.compile(r"<[^>]+>")

# A result for `word` that links to the page at `path`. Material adds the query
# to each result's link (?h=word), which tells results for the whole word from
# results for the letters typed so far.
_RESULT_FOR = """([path, word]) => [...document.querySelectorAll(".md-search-result__list a")]
    .some(link => {
        const url = new URL(link.href);
        return url.pathname === path && url.searchParams.get("h") === word;
    })"""


def distinctive_words(site: Site) -> dict[str, str]:
    """For each chapter, a word no other page uses, from its headings if one has one."""
    index = json.loads((site.root / "search/search_index.json").read_text(encoding="utf-8"))
    headings: dict[str, set[str]] = defaultdict(set)
    words: dict[str, set[str]] = defaultdict(set)
    for entry in index["docs"]:
        page = entry["location"].partition("#")[0]
        headings[page] |= set(_WORD.findall(entry["title"].lower()))
        words[page] |= headings[page] | set(_WORD.findall(_TAG.sub(" ", entry["text"]).lower()))
    chosen = {}
    for page in site.chapters:
        elsewhere = set().union(*(w for p, w in words.items() if p != page))
        # The index glues neighbouring elements together ("config" + "reload"):
        # keep words the page itself shows as whole words, which search can mark,
        # and not only in code (a captured answer), where it marks nothing.
        text = (site.root / page / "index.html").read_text(encoding="utf-8")
        shown = _TAG.sub(" ", re.sub(r"<pre\b.*?</pre>", " ", text, flags=re.DOTALL)).lower()
        own = {w for w in words[page] - elsewhere if re.search(rf"\b{w}\b", shown)}
        assert own, f"every word of page {page or '/'} is on another page too"
        chosen[page] = min(own, key=lambda w: (w not in headings[page], -len(w), w))
    return chosen


def _search(page: Page, query: str) -> None:
    page.goto("", wait_until="networkidle")
    box = page.locator(".md-search__input")
    box.click()
    box.press_sequentially(query)


def test_search_finds_each_chapter_by_a_word_of_its_own(
    page: Page, problems: Problems, guide: Site
):
    failures = []
    for chapter, word in distinctive_words(guide).items():
        path = urlsplit(urljoin(guide.url, chapter)).path
        _search(page, word)
        links = page.locator(".md-search-result__list a")
        try:
            page.wait_for_function(_RESULT_FOR, arg=[path, word], timeout=10_000)
        except Error:
            shown = links.evaluate_all("links => links.map(link => link.href)")
            failures.append(f"{word!r}: no result links to {path}; results: {shown}")
            continue
        # Following the result opens the chapter with the word highlighted.
        hrefs = [urlsplit(h) for h in links.evaluate_all("ls => ls.map(l => l.href)")]
        index = next(
            i
            for i, href in enumerate(hrefs)
            if href.path == path and parse_qs(href.query).get("h") == [word]
        )
        links.nth(index).click()
        expect(page).to_have_url(re.compile(re.escape(urljoin(guide.url, chapter)) + r"\?h="))
        expect(page.locator(".md-content mark").first).to_have_text(word, ignore_case=True)
    assert not failures, "\n".join(failures)
    assert problems.take() == []


def test_search_says_when_nothing_matches(page: Page, problems: Problems, guide: Site):
    _search(page, "qzxjvkw")
    expect(page.locator(".md-search-result__meta")).to_have_text(re.compile("no matching", re.I))
    expect(page.locator(".md-search-result__list a")).to_have_count(0)
    assert problems.take() == []
