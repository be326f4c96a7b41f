"""axe-core, run in Chromium on every page of the built site: no serious or critical violation.

The guide's pages are checked in light and in dark mode (the colours differ);
the frozen example pages once. axe-core is npm's package at the version
package.json pins (`npm ci` installs it), injected into each page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import ROOT

from .site import EXAMPLES, Site

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The impacts that fail the test; axe also reports "moderate" and "minor".
FAILING = ("serious", "critical")


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    impact: str
    target: str
    summary: str


@dataclass(frozen=True)
class Allowed:
    """Violations of one rule on pages matching `pages`, on elements whose selector contains `where`."""

    rule: str
    pages: re.Pattern[str]
    where: str
    reason: str

    def covers(self, violation: Violation) -> bool:
        return (
            violation.rule == self.rule
            and self.pages.search(violation.page) is not None
            and self.where in violation.target
        )


# Keep this short. Each entry names what only someone else can fix.
ALLOWED = (
    # The previews of one block are titled by their first URL ("Frozen page:
    # GET /"), so two shown at once share a title. Fixed in the renderer by the
    # integrator. (Today only one preview of a block is visible at a time and
    # axe skips hidden frames, so this entry matches nothing yet.)
    Allowed(
        "frame-title-unique", re.compile(""), "iframe", "site_app's renderer titles the frames"
    ),
    # Every "Open the frozen page" link of a page reads the same, whatever page
    # it opens (axe: identical-links-same-purpose, a minor finding axe leaves
    # for review, so it cannot fail this test). Fixed in the renderer by the
    # integrator.
    #
    # Two examples answer a bare HTML fragment (no doctype, <title> or lang),
    # and the build freezes it as it is: issue 13, item 2.
    Allowed(
        "document-title",
        re.compile(r"^examples/(hello|security/latest)/index\.html$"),
        "html",
        "a fragment frozen as a page",
    ),
    Allowed(
        "html-has-lang",
        re.compile(r"^examples/(hello|security/latest)/index\.html$"),
        "html",
        "a fragment frozen as a page",
    ),
)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE.relative_to(ROOT)}): run `npm ci` in {ROOT}",
            pytrace=False,
        )
    return AXE.read_text(encoding="utf-8")


def frozen_pages(site: Site) -> list[str]:
    """URLs of the frozen example pages, relative to the site's URL."""
    return sorted(
        p.relative_to(site.root).as_posix() for p in (site.root / EXAMPLES).rglob("*.html")
    )


def audit(page: Page, axe_source: str, urls: list[str] | tuple[str, ...]) -> list[Violation]:
    """Every violation axe finds on each page, of any impact, one per element."""
    found = []
    for url in urls:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None, f"{url}: no response"
        assert response.status == 200, f"{url}: HTTP {response.status}"
        page.add_script_tag(content=axe_source)
        result: dict[str, Any] = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
        )
        found += violations(url or "/", result)
    return found


def violations(url: str, result: dict[str, Any]) -> list[Violation]:
    """axe's result as one Violation per element."""
    return [
        Violation(
            url,
            rule["id"],
            node["impact"] or rule["impact"],
            " ".join(map(str, node["target"])),
            node.get("failureSummary", "").replace("\n", " "),
        )
        for rule in result["violations"]
        for node in rule["nodes"]
    ]


def report(found: list[Violation]) -> str:
    """Counts by rule and impact (nodes, pages), then each failing element."""
    counts = Counter((v.rule, v.impact) for v in found)
    pages = {key: len({v.page for v in found if (v.rule, v.impact) == key}) for key in counts}
    lines = [
        f"{rule} ({impact}): {n} nodes on {pages[rule, impact]} pages"
        for (rule, impact), n in counts.most_common()
    ]
    failing = [v for v in found if v.impact in FAILING and not allowed(v)]
    lines += [f"{v.page}: {v.rule} at {v.target}: {v.summary}" for v in failing[:60]]
    if len(failing) > 60:
        lines.append(f"... and {len(failing) - 60} more")
    return "\n".join(lines)


def allowed(violation: Violation) -> bool:
    return any(entry.covers(violation) for entry in ALLOWED)


def check(found: list[Violation]) -> None:
    failing = [v for v in found if v.impact in FAILING and not allowed(v)]
    assert not failing, f"{len(failing)} serious or critical violations:\n{report(found)}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_guide_pages_pass_axe(browser: Browser, axe_source: str, guide: Site, scheme: str):
    context = browser.new_context(
        base_url=guide.url, color_scheme=scheme, viewport={"width": 1280, "height": 800}
    )
    try:
        page = context.new_page()
        found = audit(page, axe_source, guide.pages)
    finally:
        context.close()
    check(found)


def test_frozen_pages_pass_axe(page: Page, axe_source: str, guide: Site):
    urls = frozen_pages(guide)
    assert len(urls) > 10, f"too few frozen pages found under {guide.root / EXAMPLES}: {urls}"
    check(audit(page, axe_source, urls))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_runner_s_editor_and_answers_pass_axe(
    browser: Browser, axe_source: str, guide: Site, scheme: str
) -> None:
    """What the runner adds to a page once clicked: the open editor, its Reset, the
    answers' tabs; and the Edit button once it has closed the editor again."""
    context = browser.new_context(
        base_url=guide.url, color_scheme=scheme, viewport={"width": 1280, "height": 800}
    )
    try:
        page = context.new_page()
        page.goto("forms/", wait_until="networkidle")
        box = page.locator('.ffg-run[data-ffg-job*="vegetarian"]').first
        box.locator("[data-ffg-edit]").click()
        expect(box.locator("textarea").first).to_be_visible()
        box.locator("[data-ffg-run]").click()
        box.locator(".ffg-run-output .ffg-run-tabs").wait_for(timeout=180_000)
        page.add_script_tag(content=axe_source)
        # The button just clicked is hovered, and its colours ease into their hover
        # state (a CSS transition): scan once every transition in the box has ended,
        # as a reader sees it, not a colour halfway (a run caught 3.62:1 mid-way).
        settled = "box => Promise.all(box.getAnimations({subtree: true}).map(a => a.finished))"
        scan = "box => axe.run(box, {resultTypes: ['violations']})"
        box.evaluate(settled)
        found = violations("forms/ (runner, editor open)", box.evaluate(scan))
        box.locator("[data-ffg-edit]").click()
        expect(box.locator("textarea").first).to_be_hidden()
        box.evaluate(settled)
        found += violations("forms/ (runner, editor closed)", box.evaluate(scan))
    finally:
        context.close()
    check(found)
