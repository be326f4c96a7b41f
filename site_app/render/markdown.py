"""Markdown for a block: Material content tabs of code and real answers.

One tab per shown file (included by ``pymdownx.snippets``, so the page and
the tests read the same bytes) and one per request. An HTML answer gets a
frame of its frozen page and its source; an image is shown; anything else is
printed as the HTTP answer it was. The output needs ``pymdownx.superfences``,
``pymdownx.tabbed`` with ``alternate_style``, ``pymdownx.details`` and
``pymdownx.snippets``; the MkDocs plugin checks they are configured.

Under ``mkdocs serve`` a block that failed shows :func:`error_box` instead:
the build's own message, file and line, in a box a screen reader announces.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Sequence

from ..errors import SiteAppError
from ..model import Block, Response, Shown, ShownFile

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
    download: str | None = None,
) -> str:
    """Markdown for a block: content tabs for files and requests.

    ``site_root`` is the relative URL from the page to the site's root, used
    for preview frames and links to frozen pages; ``download`` is the site
    path of the example's zip, linked under the block.
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
    # Frames and links are named by request, block and example, so that two
    # blocks of one page that request the same URL still read differently.
    where = (f"block {block.number}, " if block.number else "") + block.example
    for answer in answers:
        label = f"{answer.request.label} → {answer.response.status_code}"
        out += tab(label)
        name = label if seen[label] == 1 else f"{label} ({seen[label]})"
        out += _indent(_request_body(answer, site_root, f"{name} ({where})"))
    if len(answers) > 1:
        out += _summary(block, answers)
    if download:
        href = html.escape(site_root + download, quote=True)
        out += [
            # A span: inside a tab, Markdown puts raw HTML in a paragraph of its own.
            f'<span class="ffg-download"><a href="{href}" download>Download the example '
            f"<code>{html.escape(block.example)}</code> (zip)</a>: its files, pinned "
            "requirements and the command that runs it.</span>",
            "",
        ]
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


def _summary(block: Block, answers: Sequence[Shown]) -> list[str]:
    """One line per request, under the tabs: the whole exchange at a glance.

    ``METHOD path → status``, then the headers the block names with ``show``
    that this answer sent.
    """
    items = []
    for answer in answers:
        request, response = answer.request, answer.response
        line = (
            f"<code>{html.escape(request.label)}</code> → "
            f"<strong>{html.escape(response.status)}</strong>"
        )
        for name in block.show:
            values = response.shown_values(name)  # an absent header would only add noise
            line += "".join(
                f' <span class="ffg-field"><code>{html.escape(f"{name}: {value}")}</code></span>'
                for value in values
            )
        items.append(f'<span class="ffg-summary-item" role="listitem">{line}</span>')
    # Phrasing content only (spans with list roles, not <ol>): inside a tab or an
    # admonition, Markdown puts raw HTML in a paragraph, where an <ol> is invalid.
    return [
        f'<span class="ffg-summary" role="list" aria-label="Requests of this '
        f'{html.escape(block.example)} example and their answers">' + "".join(items) + "</span>",
        "",
    ]


CELL_CHARS = 120  # a compared answer's body is cut after this many characters


def compare_table(columns: Sequence[tuple[str, Sequence[Shown]]], indent: str = "") -> str:
    """A Markdown table of several examples' answers to the same requests, side by side.

    A row per request (labelled by the first column's request, with its JSON
    body); each cell holds that example's status and the start of its body.
    """

    def cell(text: str) -> str:
        return _text(text).replace("|", "&#124;")

    header = "| request | " + " | ".join(cell(title) for title, _ in columns) + " |"
    lines = [header, "|---" * (len(columns) + 1) + "|"]
    for row, first in enumerate(columns[0][1]):
        request = first.request
        label = request.label
        if request.json is not None:
            label += " " + json.dumps(request.json, ensure_ascii=False)
        cells = [f"<code>{cell(label)}</code>"]
        for _, answers in columns:
            response = answers[row].response
            body = " ".join(_compact(response).split())
            if len(body) > CELL_CHARS:
                body = body[: CELL_CHARS - 1] + "…"
            shown = f"<strong>{cell(response.status)}</strong>"
            if body:
                shown += f"<br><code>{cell(body)}</code>"
            cells.append(shown)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(indent + line for line in ["", *lines, ""])


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


def _request_body(answer: Shown, site_root: str, name: str) -> list[str]:
    request, response = answer.request, answer.response
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
    lines = _code("http", "\n".join(sent), "Request")
    head = [f"HTTP/1.1 {response.status}", f"Content-Type: {response.content_type}"]
    shown = ["Location", *(h for h in request.shown_headers if h.lower() != "location")]
    for header in shown:
        values = response.shown_values(header)
        head += [f"{header}: {value}" for value in values]
        if not values and header in request.shown_headers:
            head.append(f"{header}: (not sent)")
    return _answer(answer, site_root, name, lines, head) + _cookies(answer)


def _cookies(answer: Shown) -> list[str]:
    """With ``show: [cookies]``: what the client holds after the request, one cookie a line."""
    held = answer.response.cookies
    if held is None:
        return []
    return _code("http", "\n".join(held) or "(none)", "Cookies the client holds now")


def _answer(
    answer: Shown, site_root: str, name: str, lines: list[str], head: list[str]
) -> list[str]:
    response = answer.response
    if response.is_html and response.body:
        lines += _code("http", "\n".join(head), "Response")
        if answer.preview:
            src = html.escape(site_root + answer.preview, quote=True)
            # Markdown puts this in a paragraph, so it is built of phrasing
            # content only (spans, not divs), which keeps the HTML valid.
            lines += [_preview(src, name), ""]
        lines += ['??? note "HTML source"', ""]
        lines += _indent(_code("html", response.text.rstrip("\n"), "Response body"))
        return lines
    if response.is_image:
        lines += _code("http", "\n".join(head), "Response")
        if answer.preview:
            src = html.escape(site_root + answer.preview, quote=True)
            label = html.escape(f"Image answered to {name}", quote=True)
            lines += [f'<span class="ffg-image"><img src="{src}" alt="{label}"></span>', ""]
        return lines
    body = response.pretty_body().rstrip("\n")
    return lines + _code("http", "\n".join(head + (["", body] if body else [])), "Response")


# Characters Markdown would read as markup, written as character references,
# so a message reads the same inside a raw HTML block and, in an indented
# block where Markdown treats the lines as inline HTML, in a paragraph.
_MARKUP = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]~^="})


def _text(text: str) -> str:
    return html.escape(text, quote=True).translate(_MARKUP)


def error_box(
    errors: Sequence[SiteAppError],
    *,
    title: str = "This block did not build",
    indent: str = "",
) -> str:
    """HTML, one block of it, that shows build errors in place of a block's output.

    The box uses Material's admonition colours (``failure``), which read in
    light and dark mode, and ``role="alert"``; each message is escaped.
    """
    count = len(errors)
    lines = [
        '<div class="admonition failure ffg-error" role="alert">',
        f'<p class="admonition-title">{_text(title)}</p>',
    ]
    for error in errors:
        message = "<br>".join(_text(line) for line in error.message.split("\n"))
        lines.append(f'<p class="ffg-error-message"><code>{message}</code></p>')
    lines.append(
        f"<p>{'This problem also shows' if count == 1 else f'These {count} problems also show'}"
        " in the terminal, and <code>mkdocs build</code> fails on "
        f"{'it' if count == 1 else 'them'}. Fix and save: this page reloads with the output.</p>"
    )
    lines.append("</div>")
    return "\n".join(indent + line for line in lines) + "\n"


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
                    # Posts the previous page's form: the browser fills it in as the build does.
                    "submit": None
                    if request.submit is None
                    else {
                        "form": request.submit.form,
                        "fields": [list(pair) for pair in request.submit.fields],
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
