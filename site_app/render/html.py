"""A block's finished HTML: content tabs of code and real answers, built as text.

The fence (:mod:`site_app.fence`) calls :func:`block_html` for each
``flask-example`` block. Nothing here is Markdown: every captured body, header
and message is escaped, or goes through the highlighter, which escapes it, so
what an example answers is never read as markup of the page.

The tabs are the markup ``pymdownx.tabbed`` makes with ``alternate_style``
(``tests/site_app/test_fence.py`` compares the two), so Material styles
and links them as it does its own. Answers carry ``data-search-exclude``,
which Material's search plugin reads to leave an element out of its index.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import SiteAppError
from ..model import Block, Request, Response, Shown, ShownFile

# code, language, title, lines to highlight (counted from 1) → the highlighted block's HTML
Highlight = Callable[[str, str, str, tuple[int, ...]], str]


@dataclass(frozen=True)
class BlockView:
    """Everything a block's HTML shows, as the engine found it for one place in a page."""

    block: Block
    files: tuple[tuple[ShownFile, str], ...]  # each file and the text its tab shows
    answers: tuple[Shown, ...]
    site_root: str  # the relative URL from the page to the site's root ("../")
    download: str | None = None  # site path of the example's zip, under its first block
    run_note: str | None = None  # None: no runner; "": a Run button; else why it cannot run
    errors: tuple[str, ...] = ()  # under serve: the messages shown instead of the output
    whole: str | None = None  # the first file's whole text, when its tab shows a part of it


def block_html(view: BlockView, highlight: Highlight) -> str:
    """The block's tabs, its summary line, its download link and its Run button."""
    if view.errors:
        return error_box_html(view.errors)
    block = view.block
    labels = _numbered(
        [shown.path for shown, _ in view.files]
        + [f"{a.request.label} → {a.response.status_code}" for a in view.answers]
    )
    contents = [
        highlight(text, shown.language, shown.title, shown.hl_lines) for shown, text in view.files
    ]
    if view.whole is not None and view.files:
        contents[0] += "\n" + whole_file(view.whole)
    # Frames and links are named by request, block and example, so that two
    # blocks of one page that request the same URL still read differently.
    where = (f"block {block.number}, " if block.number else "") + block.example
    for answer, label in zip(view.answers, labels[len(view.files) :], strict=True):
        contents.append(_answer_tab(answer, view.site_root, f"{label} ({where})", highlight))
    out = [tabs(block.number, labels, contents)]
    if len(view.answers) > 1:
        out.append(_summary(block, view.answers))
    if view.download:
        href = html.escape(view.site_root + view.download, quote=True)
        out.append(
            f'<p><span class="ffg-download"><a href="{href}" download>Download the example '
            f"<code>{html.escape(block.example)}</code> (zip)</a>: its files, pinned "
            "requirements and the command that runs it.</span></p>"
        )
    if view.run_note is not None and view.answers:
        focus = answer_in_focus(view.answers)
        controls = run_controls(block, [s for s, _ in view.files], view.run_note, focus)
        out.append(f"<p>{controls}</p>")
    return "\n".join(out)


def whole_file(text: str) -> str:
    """The whole file, under the part of it a tab shows, one click away (a ``<details>``,
    which opens without JavaScript). Plain text, not highlighted: a highlighted file is
    an element per token, and a page of parts held that many again (json-api's DOM went
    from 2,246 to 4,604 elements, which Lighthouse counts against its speed). Left out
    of the search index: the page's search finds the part, and the file where a block
    shows it whole."""
    count = text.count("\n") + 1
    return (
        '<details class="note ffg-whole" data-search-exclude>\n'
        f"<summary>Show the whole file ({count} lines)</summary>\n"
        f"<pre><code>{html.escape(text, quote=False)}</code></pre>\n</details>"
    )


def _numbered(labels: Sequence[str]) -> list[str]:
    """Material links tabs with equal labels: within a block, the second is ``(2)``."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def tabs(number: int, labels: Sequence[str], contents: Sequence[str]) -> str:
    """A tab set as ``pymdownx.tabbed`` writes one with ``alternate_style``.

    Ids are the block's own (``__tabbed_ffg<block>_<tab>``), so they never meet
    the numbers pymdownx.tabbed gives the page's other tab sets.
    """
    group = f"__tabbed_ffg{number}"
    inputs = "".join(
        f"<input{' checked=' + chr(34) + 'checked' + chr(34) if i == 1 else ''} "
        f'id="{group}_{i}" name="{group}" type="radio" />'
        for i in range(1, len(labels) + 1)
    )
    names = "".join(
        f'<label for="{group}_{i}">{html.escape(label, quote=False)}</label>'
        for i, label in enumerate(labels, start=1)
    )
    blocks = "".join(f'<div class="tabbed-block">\n{body}\n</div>\n' for body in contents)
    return (
        f'<div class="tabbed-set tabbed-alternate" data-tabs="{number}:{len(labels)}">'
        f'{inputs}<div class="tabbed-labels">{names}</div>\n'
        f'<div class="tabbed-content">\n{blocks}</div>\n</div>'
    )


def _answer_tab(answer: Shown, site_root: str, name: str, highlight: Highlight) -> str:
    """A request's tab: the request as sent, the answer's head and body, the cookies held."""
    request, response = answer.request, answer.response
    out = [highlight(request_text(answer), "http", "Request", ())]
    head = [f"HTTP/1.1 {response.status}", f"Content-Type: {response.content_type}"]
    for header in ["Location", *(h for h in request.shown_headers if h.lower() != "location")]:
        values = response.shown_values(header)
        head += [f"{header}: {value}" for value in values]
        if not values and header in request.shown_headers:
            head.append(f"{header}: (not sent)")
    if response.is_html and response.body:
        out.append(highlight("\n".join(head), "http", "Response", ()))
        if answer.preview:
            src = html.escape(site_root + answer.preview, quote=True)
            out.append(f"<p>{_preview(src, name)}</p>")
        source = highlight(response.text.rstrip("\n"), "html", "Response body", ())
        out.append(f'<details class="note">\n<summary>HTML source</summary>\n{source}\n</details>')
    elif response.is_image:
        out.append(highlight("\n".join(head), "http", "Response", ()))
        if answer.preview:
            src = html.escape(site_root + answer.preview, quote=True)
            label = html.escape(f"Image answered to {name}", quote=True)
            out.append(f'<p><span class="ffg-image"><img src="{src}" alt="{label}"></span></p>')
    else:
        body = response.pretty_body().rstrip("\n")
        out.append(
            highlight("\n".join(head + (["", body] if body else [])), "http", "Response", ())
        )
    if response.cookies is not None:
        held = "\n".join(response.cookies) or "(none)"
        out.append(highlight(held, "http", "Cookies the client holds now", ()))
    return "\n".join(_unsearched(element) for element in out)


def _unsearched(element: str) -> str:
    """``element`` with ``data-search-exclude`` on its first tag.

    Each element of an answer carries it, not the tab around them: Material's
    search parser (9.x) compares elements by tag name, so the first inner
    ``</div>`` ends the exclusion of an outer ``<div>``
    (tests/site_app/test_fence.py shows it); no element marked here holds
    another of its own tag.
    """
    return re.sub(r"^<(\w+)", r"<\1 data-search-exclude", element, count=1)


def request_text(answer: Shown) -> str:
    """The request as the tab shows it: its line, its headers and its body."""
    request = answer.request
    sent = [f"{request.method} {request.path} HTTP/1.1"]
    sent += [f"{name}: {value}" for name, value in request.headers]
    if request.json is not None:
        sent += ["Content-Type: application/json", "", json.dumps(request.json, ensure_ascii=False)]
    elif request.files or request.enctype == "multipart/form-data":
        # The parts of a multipart body, one a line; a file by its name, type and size.
        sent += ["Content-Type: multipart/form-data", ""]
        sent += [f"{name}: {value}" for name, value in request.form]
        sent += [
            f"{upload.field}: file {upload.filename} ({upload.content_type}, "
            f"{len(upload.content)} bytes)"
            if upload.filename
            else f"{upload.field}: no file chosen (an empty part)"
            for upload in request.files
        ]
    elif request.form:
        sent += ["Content-Type: application/x-www-form-urlencoded", ""]
        sent.append(urllib.parse.urlencode(request.form))
    return "\n".join(sent)


def _summary(block: Block, answers: Sequence[Shown]) -> str:
    """One line per request, under the tabs: ``METHOD path → status`` and the headers
    the block names with ``show`` that this answer sent."""
    items = []
    for answer in answers:
        request, response = answer.request, answer.response
        line = (
            f"<code>{html.escape(request.label)}</code> → "
            f"<strong>{html.escape(response.status)}</strong>"
        )
        for name in block.show:
            line += "".join(
                f' <span class="ffg-field"><code>{html.escape(f"{name}: {value}")}</code></span>'
                for value in response.shown_values(name)
            )
        items.append(f'<span class="ffg-summary-item" role="listitem">{line}</span>')
    # Spans with list roles: the line keeps the paragraph it always had.
    return (
        f'<p data-search-exclude><span class="ffg-summary" role="list" aria-label="Requests '
        f'of this {html.escape(block.example)} example and their answers">'
        + "".join(items)
        + "</span></p>"
    )


# Methods that only read: a block's answer in focus is its first request that sends something.
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def answer_in_focus(answers: Sequence[Shown]) -> int:
    """Which answer a block is about, counted from 0: the first to a request that is
    not a read (the POST of a form, not the GET that fetched it), else the first."""
    return next((i for i, a in enumerate(answers) if a.request.method.upper() not in READS), 0)


def run_controls(block: Block, files: Sequence[ShownFile], reason: str = "", focus: int = 0) -> str:
    """The in-browser runner's Run and Edit buttons and the block's job (an attribute);
    with a ``reason``, the example cannot run in a browser and the reason shows instead.
    ``focus`` is the answer the runner's tabs open on (:func:`answer_in_focus`).
    ``runner/run.js`` gives it life."""
    if reason:
        note = html.escape(f"This example does not run in the browser: {reason}", quote=False)
        return f'<span class="ffg-run-note ffg-run-off">{note}</span>'
    job = {
        "example": block.example,
        "edit": list(dict.fromkeys(shown.path for shown in files)),
        "requests": [_job_request(request) for request in block.requests],
        "open": focus,
    }
    text = html.escape(json.dumps(job, ensure_ascii=False, sort_keys=True), quote=True)
    return (
        f'<span class="ffg-run" data-ffg-example="{html.escape(block.example)}" '
        f'data-ffg-job="{text}">'
        '<button type="button" class="md-button ffg-run-button" data-ffg-run>Run</button>'
        '<button type="button" class="md-button ffg-edit-button" data-ffg-edit '
        'aria-expanded="false">Edit</button>'
        '<span class="ffg-run-output"></span></span>'
    )


def _job_request(request: Request) -> dict[str, object]:
    return {
        "method": request.method,
        "path": request.path,
        # JSON text as Python writes it: a page may send NaN.
        "json": None if request.json is None else json.dumps(request.json),
        "form": [list(pair) for pair in request.form],
        "headers": [list(pair) for pair in request.headers],
        "status": request.expected_status,
        "show": list(request.show),
        # Posts the previous page's form: the browser fills it in as the build does.
        "submit": None
        if request.submit is None
        else {
            "form": request.submit.form,
            "fields": [list(p) for p in request.submit.fields],
            "novalidate": request.submit.novalidate,
        },
        # Read from the example's files, as the reader left them.
        "files": [
            {
                "field": upload.field,
                "source": upload.source,
                "filename": upload.filename,
                "content_type": upload.content_type,
            }
            for upload in request.files
        ],
    }


CELL_CHARS = 120  # a compared answer's body is cut after this many characters


def compare_table(columns: Sequence[tuple[str, Sequence[Shown]]]) -> str:
    """A table of several examples' answers to the same requests, side by side.

    A row per request (labelled by the first column's request, with its JSON
    body); each cell holds that example's status and the start of its body.
    """
    head = "".join(f"<th>{_text(title)}</th>" for title, _ in columns)
    rows = []
    for row, first in enumerate(columns[0][1]):
        request = first.request
        label = request.label
        if request.json is not None:
            label += " " + json.dumps(request.json, ensure_ascii=False)
        cells = [f"<td><code>{_text(label)}</code></td>"]
        for _, answers in columns:
            response = answers[row].response
            body = " ".join(_compact(response).split())
            if len(body) > CELL_CHARS:
                body = body[: CELL_CHARS - 1] + "…"
            shown = f"<strong>{_text(response.status)}</strong>"
            if body:
                shown += f"<br><code>{_text(body)}</code>"
            cells.append(f"<td>{shown}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table data-search-exclude>\n<thead>\n<tr><th>request</th>{head}</tr>\n</thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )


def _compact(response: Response) -> str:
    """The body on one line: JSON without its indentation, anything else as sent."""
    if response.is_json and response.body:
        try:
            return json.dumps(json.loads(response.body), ensure_ascii=False)
        except ValueError:
            pass
    return response.text


# Runs in the guide's page when a preview has loaded: links in the frozen page
# open in a new tab (the frame's sandbox lets a popup leave it), and the frame
# takes the height of its page, up to the CSS max-height; "Show the whole page"
# lifts that limit. The frame is first made 0 px tall: a document is never
# shorter than its frame, so measured at the CSS height a short page (a 404,
# one heading) kept that whole height, blank below it. The sandbox has no
# allow-scripts: the frozen page itself runs no script. Without JavaScript,
# the frame keeps the CSS height.
_FIT = (
    "var d=this.contentDocument;if(!d||!d.documentElement)return;"
    "if(d.head&&!d.querySelector('base[target]')){var b=d.createElement('base');"
    "b.target='_blank';d.head.prepend(b);}"
    "this.style.height='0px';"
    "var h=d.documentElement.scrollHeight;this.style.height=(h+2)+'px';"
    "var x=this.parentNode.querySelector('.ffg-expand');"
    "if(x)x.hidden=this.getBoundingClientRect().height>=h;"
)
_EXPAND = (
    "var p=this.parentNode,on=p.classList.toggle('ffg-full');"
    "this.setAttribute('aria-expanded',on);"
    "this.textContent=on?'Show less':'Show the whole page';"
)
SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"


def _preview(src: str, name: str) -> str:
    """A frame of the frozen page, a button to show all of it, and a link to open it."""
    title = html.escape(f"Frozen page: {name}", quote=True)
    hidden = html.escape(f" of {name}")
    return (
        '<span class="ffg-preview">'
        f'<iframe src="{src}" title="{title}" sandbox="{SANDBOX}" loading="lazy" '
        f'onload="{html.escape(_FIT, quote=True)}"></iframe>'
        '<button type="button" class="ffg-expand md-button" aria-expanded="false" hidden '
        f'onclick="{html.escape(_EXPAND, quote=True)}">Show the whole page</button>'
        f'<a class="ffg-open" href="{src}">Open the frozen page'
        f'<span class="ffg-hidden">{hidden}</span></a></span>'
    )


# Characters Markdown would read as markup, written as character references,
# so a message reads the same inside a raw HTML block and, in an indented
# block where Markdown treats the lines as inline HTML, in a paragraph.
_MARKUP = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]~^="})


def _text(text: str) -> str:
    return html.escape(text, quote=True).translate(_MARKUP)


def error_box_html(messages: Sequence[str], title: str = "This block did not build") -> str:
    """HTML that shows build errors in place of a block's output (under ``mkdocs serve``).

    The box uses Material's admonition colours (``failure``), which read in
    light and dark mode, and ``role="alert"``; each message is escaped.
    """
    count = len(messages)
    lines = [
        '<div class="admonition failure ffg-error" role="alert">',
        f'<p class="admonition-title">{_text(title)}</p>',
    ]
    for message in messages:
        text = "<br>".join(_text(line) for line in message.split("\n"))
        lines.append(f'<p class="ffg-error-message"><code>{text}</code></p>')
    lines.append(
        f"<p>{'This problem also shows' if count == 1 else f'These {count} problems also show'}"
        " in the terminal, and <code>mkdocs build</code> fails on "
        f"{'it' if count == 1 else 'them'}. Fix and save: this page reloads with the output.</p>"
    )
    lines.append("</div>")
    return "\n".join(lines)


def error_box(
    errors: Sequence[SiteAppError], *, title: str = "This block did not build", indent: str = ""
) -> str:
    """:func:`error_box_html` as lines of a Markdown page, indented as the page needs."""
    box = error_box_html([error.message for error in errors], title)
    return "\n".join(indent + line for line in box.split("\n")) + "\n"
