"""Every page on a phone, light and dark: nothing sticks out, wide tables say so, code breaks between words."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from .site import PHONE, Site, slug

# Narrow desktop windows, not emulated phones (which widen themselves to fit
# the page). A scheme changes colours, not layout: light is checked on the
# narrowest common phone, 375 px, with each tab shown in turn; dark on 390 px.
PHONE_390 = {"width": 390, "height": 844}
WINDOWS = (("light", "default", PHONE), ("dark", "slate", PHONE_390))

# One round trip per page and scheme; returns what is wrong, in words.
_PROBLEMS = """() => {
    const problems = [];
    const name = e => e.tagName.toLowerCase() + [...e.classList].map(c => "." + c).join("")
        + (e.textContent.trim() ? ` "${e.textContent.trim().slice(0, 40)}"` : "");
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over > 0) problems.push(`the page scrolls sideways by ${over}px`);

    // An element past the right edge, unless a box around it scrolls or clips it.
    const clipped = e => {
        for (let box = e.parentElement; box && box !== document.body; box = box.parentElement)
            if (getComputedStyle(box).overflowX !== "visible") return true;
        return false;
    };
    for (const e of document.querySelectorAll(".md-main *")) {
        const box = e.getBoundingClientRect();
        if (box.width && box.right > window.innerWidth + 0.5 && !clipped(e))
            problems.push(`${name(e)} ends at ${Math.round(box.right)}px`);
    }

    // A table wider than the box that scrolls it shows shadows fixed to the box's edges.
    const scrolls = e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX)
        && e.scrollWidth > e.clientWidth + 1;
    for (const table of document.querySelectorAll(".md-typeset table")) {
        let box = table;
        while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
        if (!box || box === document.body) continue;  // it fits
        const style = getComputedStyle(box);
        const shadows = style.backgroundImage.split("linear-gradient").length - 1;
        if (shadows < 4 || !style.backgroundAttachment.includes("scroll")
                || !style.backgroundAttachment.includes("local"))
            problems.push(`the table "${table.innerText.replace(/\\s+/g, " ").slice(0, 30)}" scrolls `
                + `(${box.scrollWidth} in ${box.clientWidth}px) with no shadow at its edges`);
    }

    // Inline code that wraps breaks at a space or a sign (`/`, `?`, `=`), never
    // between two letters, digits or underscores: not SESSION_COO|KIE_SECURE.
    for (const code of document.querySelectorAll(".md-typeset code")) {
        if (code.closest("pre") || code.getClientRects().length < 2) continue;
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        let previous = null;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (!rect) continue;
                const here = {char: node.data[i], top: rect.top, text: node.data, i};
                if (previous && here.top > previous.top + rect.height / 2
                        && /\\w/.test(previous.char) && /\\w/.test(here.char)) {
                    const at = here.text.slice(0, here.i) + "|" + here.text.slice(here.i);
                    problems.push(`code breaks inside a word: ${at.slice(Math.max(0, here.i - 25), here.i + 25)}`);
                }
                previous = here;
            }
        }
    }
    return problems;
}"""
# Show each tab in turn, as a click on its label does, until the page grows too
# wide; return the label that made it so, or null. One round trip per page.
_FIRST_TAB_TOO_WIDE = """() => {
    for (const label of document.querySelectorAll(".tabbed-labels > label")) {
        label.click();
        if (document.documentElement.scrollWidth > window.innerWidth) return label.innerText;
    }
    return null;
}"""


def test_every_page_fits_a_phone_in_light_and_dark(
    browser: Browser, guide: Site, screenshots: Path
):
    failures = []
    # Material takes its scheme from the system's colours, then remembers it for
    # the site: a fresh context for each scheme.
    for scheme, material, window in WINDOWS:
        context = browser.new_context(viewport=window, color_scheme=scheme)
        page = context.new_page()
        for url in guide.pages:
            page.goto(guide.url + url, wait_until="load")
            expect(page.locator("body")).to_have_attribute("data-md-color-scheme", material)
            found = page.evaluate(_PROBLEMS)
            if scheme == "light":
                if url in guide.chapters:
                    page.screenshot(
                        path=screenshots / f"{slug(url)}-phone.png",
                        full_page=True,
                        animations="disabled",
                    )
                if not found and (label := page.evaluate(_FIRST_TAB_TOO_WIDE)) is not None:
                    found.append(f"the page scrolls sideways with tab {label!r} shown")
            width = window["width"]
            failures += [f"{url or '/'} ({scheme}, {width}px): {p}" for p in found]
        context.close()
    assert not failures, "\n".join(failures)
