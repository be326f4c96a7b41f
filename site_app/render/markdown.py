"""Markdown for a block: Material content tabs of code and real answers.

One tab per shown file (included by ``pymdownx.snippets``, so the page and
the tests read the same bytes) and one per request. An HTML answer gets a
frame of its frozen page and its source; an image is shown; anything else is
printed as the HTTP answer it was. The output needs ``pymdownx.superfences``,
``pymdownx.tabbed`` with ``alternate_style``, ``pymdownx.details`` and
``pymdownx.snippets``; the MkDocs plugin checks they are configured.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Sequence

from ..model import Block, Shown, ShownFile

REQUIRED_EXTENSIONS = {
    "pymdownx.superfences": {},
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.details": {},
    "pymdownx.snippets": {},
}


def render(
    block: Block,
    files: Sequence[ShownFile],
    answers: Sequence[Shown],
    site_root: str,
) -> str:
    """Markdown for a block: content tabs for files and requests.

    ``site_root`` is the relative URL from the page to the site's root, used
    for preview frames and links to frozen pages.
    """
    out: list[str] = []
    seen: dict[str, int] = {}

    def tab(label: str) -> list[str]:
        # Material links tabs with equal labels; make them unique within a block.
        seen[label] = seen.get(label, 0) + 1
        return _tab(label if seen[label] == 1 else f"{label} ({seen[label]})")

    for shown in files:
        out += tab(shown.path)
        options = f'title="{shown.title}"'
        if shown.hl_lines:
            options += f' hl_lines="{" ".join(str(n) for n in shown.hl_lines)}"'
        out += _indent(["```" + shown.language + " " + options, f'--8<-- "{shown.include}"', "```"])
    for answer in answers:
        out += tab(f"{answer.request.label} → {answer.response.status_code}")
        out += _indent(_request_body(answer, site_root))
    body = "\n".join(out)
    return "\n".join(block.indent + line if line else line for line in body.split("\n"))


def _tab(title: str) -> list[str]:
    # A tab's title is Markdown: escape what would turn __init__.py into bold.
    escaped = re.sub(r"([\\`*_\[\]<>])", r"\\\1", title.replace('"', "'"))
    return ['=== "' + escaped + '"', ""]


def _indent(lines: list[str]) -> list[str]:
    return [("    " + line) if line else "" for line in lines] + [""]


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _code(language: str, text: str, title: str) -> list[str]:
    fence = _fence(text)
    return [f'{fence}{language} title="{title}"', *text.split("\n"), fence, ""]


def _request_body(answer: Shown, site_root: str) -> list[str]:
    request, response = answer.request, answer.response
    sent = [f"{request.method} {request.path} HTTP/1.1"]
    sent += [f"{name}: {value}" for name, value in request.headers]
    if request.json is not None:
        sent += ["Content-Type: application/json", "", json.dumps(request.json, ensure_ascii=False)]
    elif request.form:
        sent += ["Content-Type: application/x-www-form-urlencoded", ""]
        sent.append(urllib.parse.urlencode(request.form))
    lines = _code("http", "\n".join(sent), "Request")
    head = [f"HTTP/1.1 {response.status}", f"Content-Type: {response.content_type}"]
    for name in ("Location", *request.show):
        values = response.shown_values(name)
        head += [f"{name}: {value}" for value in values]
        if not values and name != "Location":
            head.append(f"{name}: (not sent)")
    if response.is_html and response.body:
        lines += _code("http", "\n".join(head), "Response")
        if answer.preview:
            src = html.escape(site_root + answer.preview, quote=True)
            label = html.escape(f"Frozen page: {request.label}", quote=True)
            # Markdown puts this in a paragraph, so it is built of phrasing
            # content only (a span, not a div), which keeps the HTML valid.
            lines += [
                '<span class="ffg-preview">'
                f'<iframe src="{src}" title="{label}" sandbox="" loading="lazy"></iframe>'
                f'<a class="ffg-open" href="{src}">Open the frozen page</a></span>',
                "",
            ]
        lines += ['??? note "HTML source"', ""]
        lines += _indent(_code("html", response.text.rstrip("\n"), "Response body"))
        return lines
    if response.is_image:
        lines += _code("http", "\n".join(head), "Response")
        if answer.preview:
            src = html.escape(site_root + answer.preview, quote=True)
            label = html.escape(f"Image answered to {request.label}", quote=True)
            lines += [f'<span class="ffg-image"><img src="{src}" alt="{label}"></span>', ""]
        return lines
    body = response.pretty_body().rstrip("\n")
    return lines + _code("http", "\n".join(head + (["", body] if body else [])), "Response")


def run_controls(block: Block, files: Sequence[ShownFile], reason: str = "") -> str:
    """Markdown (raw HTML) after a block's tabs: the in-browser runner's Run button and job.

    The job names the example (its files, setup and wheels are in the runner's
    ``examples/<name>.json``), the requests in order and the files the reader
    may edit. With a ``reason``, the example cannot run in a browser, and the
    reason is shown instead of the button. ``runner/run.js`` gives it life.
    """
    if reason:
        note = html.escape(f"This example does not run in the browser: {reason}", quote=False)
        line = f'<span class="ffg-run-note ffg-run-off">{note}</span>'
    else:
        job = {
            "example": block.example,
            "edit": list(dict.fromkeys(shown.path for shown in files)),
            "requests": [
                {
                    "method": request.method,
                    "path": request.path,
                    # JSON text as Python writes it: a page may send NaN.
                    "json": None if request.json is None else json.dumps(request.json),
                    "form": [list(pair) for pair in request.form],
                    "headers": [list(pair) for pair in request.headers],
                    "status": request.expected_status,
                    "show": list(request.show),
                }
                for request in block.requests
            ],
        }
        text = html.escape(json.dumps(job, ensure_ascii=False, sort_keys=True), quote=True)
        # Markdown puts this in a paragraph (a block may sit in a tab or an
        # admonition), so it is phrasing content only, as the previews are;
        # the job is an attribute, which Markdown leaves alone.
        line = (
            f'<span class="ffg-run" data-ffg-example="{html.escape(block.example)}" '
            f'data-ffg-job="{text}">'
            '<button type="button" class="md-button ffg-run-button" data-ffg-run>Run</button>'
            '<button type="button" class="md-button ffg-edit-button" data-ffg-edit>Edit</button>'
            '<span class="ffg-run-output"></span></span>'
        )
    return block.indent + line + "\n"
