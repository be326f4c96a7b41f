"""The ``flask-example`` block: find it in a page, check it, render it.

A block is a fenced code block whose info string is ``flask-example`` and
whose body is YAML::

    ```flask-example
    example: json_api
    files: [app.py]
    section: routes
    highlight: "12-14"
    requests:
      - GET /api/items
      - POST /api/items {"name": "lamp"} -> 201
    ```

Without the plugin it still reads as YAML. With it, it becomes content tabs:
one per source file (included by ``pymdownx.snippets``) and one per request.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .capture import Request, Response, parse_request
from .errors import BlockError, Location
from .examples import Example

INFO = "flask-example"
KEYS = ("example", "files", "section", "highlight", "requests")
REQUEST_KEYS = ("request", "form", "headers", "show")
_FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*?)[ \t]*$")
_SECTION_RE = re.compile(
    r"^.*?(?<!;)-{1,}8<-{1,}[ \t]+\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*"
    r"(?P<name>[a-z][-_0-9a-z]*)[ \t]*\].*$",
    re.IGNORECASE,
)
_REQUEST_LINE_RE = re.compile(r"^\s*-\s*(request:\s*)?[A-Z]+\s+/")
_HIGHLIGHT_RE = re.compile(r"^\d+(-\d+)?$")
LANGUAGES = {
    ".py": "python",
    ".html": "html+jinja",
    ".jinja": "html+jinja",
    ".j2": "html+jinja",
    ".css": "css",
    ".js": "javascript",
    ".json": "json",
    ".toml": "toml",
    ".cfg": "ini",
    ".ini": "ini",
    ".conf": "nginx",
    ".sql": "sql",
    ".txt": "text",
    ".md": "markdown",
    ".sh": "bash",
    ".yml": "yaml",
    ".yaml": "yaml",
}


@dataclass(frozen=True)
class Block:
    """A parsed block: what it asks for, and where it sits in its page."""

    page: str
    line: int
    end_line: int
    indent: str
    example: str
    files: tuple[str, ...] | None = None
    section: str | None = None
    highlight: tuple[int, ...] = ()
    requests: tuple[Request, ...] = ()
    request_lines: tuple[int, ...] = ()

    @property
    def where(self) -> Location:
        return Location(self.page, self.line)

    def request_where(self, index: int) -> Location:
        return Location(self.page, self.request_lines[index])


@dataclass(frozen=True)
class ShownFile:
    """A source file as one tab shows it."""

    path: str  # relative to the example's directory
    include: str  # what pymdownx.snippets is asked for: "json_api/app.py:routes"
    language: str
    hl_lines: tuple[int, ...] = ()  # counted in the shown lines, from 1


@dataclass(frozen=True)
class Shown:
    """A request and the answer to show for it."""

    request: Request
    response: Response
    preview: str | None = None  # site path of the frozen HTML page, if any


@dataclass
class PageScan:
    blocks: list[Block] = field(default_factory=list)
    errors: list[BlockError] = field(default_factory=list)


@dataclass(frozen=True)
class _Fence:
    start: int  # 0-based index of the opening line
    end: int | None  # 0-based index of the closing line; None if never closed
    indent: str
    fence: str
    info: str


def _fences(lines: list[str]) -> Iterator[_Fence]:
    """Top-level fenced code blocks; what is inside one is never looked at."""
    index = 0
    while index < len(lines):
        match = _FENCE_RE.match(lines[index])
        if not match:
            index += 1
            continue
        fence = match["fence"]
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(index + 1, len(lines)) if close.match(lines[j])), None)
        yield _Fence(index, end, match["indent"], fence, match["info"])
        index = len(lines) if end is None else end + 1


def scan(markdown: str, page: str) -> PageScan:
    """Find every ``flask-example`` block in a page, skipping other code blocks."""
    result = PageScan()
    lines = markdown.splitlines()
    for found in _fences(lines):
        if found.info != INFO:
            continue
        if found.end is None:
            result.errors.append(
                BlockError(
                    "this flask-example block is never closed",
                    where=Location(page, found.start + 1),
                    fix=f"end it with a line holding only {found.fence}",
                )
            )
            break
        body = "\n".join(line[len(found.indent) :] for line in lines[found.start + 1 : found.end])
        try:
            result.blocks.append(_parse(body, page, found.start + 1, found.end + 1, found.indent))
        except BlockError as error:
            result.errors.append(error)
    return result


_PYTHON_LANGS = {"python", "py", "python3", "py3"}


def typed_python(markdown: str, page: str) -> list[BlockError]:
    """Python code blocks whose lines were typed into the page, not included.

    Every line of Python a reader sees must come from a tested file: a
    ``flask-example`` block, or a block holding only ``--8<--`` includes.
    """
    errors: list[BlockError] = []
    lines = markdown.splitlines()
    for found in _fences(lines):
        language = found.info.lstrip("{. ").split(" ")[0].rstrip("}").lower()
        body = [text.strip() for text in lines[found.start + 1 : found.end] if text.strip()]
        if language in _PYTHON_LANGS and not all(text.startswith("--8<--") for text in body):
            errors.append(
                BlockError(
                    "Python typed into a page: readers must only see code the tests run",
                    where=Location(page, found.start + 1),
                    fix="move the code into an example under snippets/ and show it with a "
                    'flask-example block, or include the file: --8<-- "<example>/<file>"',
                )
            )
    return errors


_INCLUDE_RE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']?(?P<path>[^"':\s]+)""")


def bad_includes(markdown: str, page: str, snippets_dir: Path) -> list[BlockError]:
    """``--8<--`` lines of a page that name a file outside ``snippets/`` or none at all."""
    errors: list[BlockError] = []
    root = snippets_dir.resolve()
    for number, line in enumerate(markdown.splitlines(), start=1):
        match = _INCLUDE_RE.match(line)
        if not match or match["path"].startswith(("[", ";")):  # a section marker, a comment
            continue
        relative = match["path"]
        target = (root / relative).resolve()
        if Path(relative).is_absolute() or not target.is_relative_to(root):
            what = f"the include {relative!r} leads outside {snippets_dir.name}/"
            fix = f"include files of examples only, named from {snippets_dir.name}/"
        elif not target.is_file():
            what = f"the include {relative!r} names no file under {snippets_dir.name}/"
            fix = "check the example's name and the file's path"
        else:
            continue
        errors.append(BlockError(what, where=Location(page, number), fix=fix))
    return errors


# libyaml, when PyYAML was built with it, reads a block many times faster.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(body: str) -> tuple[yaml.Node | None, Any]:
    """The block's node tree (for line numbers) and its data, from one parse.

    Bad YAML is parsed again by the pure-Python loader, so an error reads the
    same whichever loader is installed.
    """
    try:
        node = yaml.compose(body, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        yaml.compose(body, Loader=yaml.SafeLoader)
        raise
    if node is None:
        return None, None
    return node, yaml.SafeLoader("").construct_document(node)


def _duplicate_key(node: yaml.Node | None) -> tuple[str, int, int] | None:
    """The first key given twice in one mapping of the tree: key, first and second line (0-based).

    PyYAML keeps the last value without a word; a page would show the wrong example.
    """
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            if isinstance(key, yaml.ScalarNode) and name in seen:
                return name, seen[name], key.start_mark.line
            seen[name] = key.start_mark.line
            found = _duplicate_key(value)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found is not None:
                return found
    return None


def _parse(body: str, page: str, line: int, end_line: int, indent: str) -> Block:
    where = Location(page, line)
    try:
        node, data = _load_yaml(body)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = Location(page, line + 1 + mark.line) if mark else where
        bad = body.splitlines()[mark.line] if mark and mark.line < len(body.splitlines()) else ""
        if _REQUEST_LINE_RE.match(bad) and ("{" in bad or "[" in bad):
            fix = 'quote a request that carries a JSON body: - \'POST /items {"name": "x"}\''
        else:
            fix = "write the block as YAML keys, e.g. 'example: hello'"
        raise BlockError(
            f"the block is not valid YAML: {exc.problem or exc.context}", where=at, fix=fix
        ) from exc
    duplicate = _duplicate_key(node)
    if duplicate is not None:
        key, first, again = duplicate
        raise BlockError(
            f"key '{key}' appears twice in one mapping (first on line {line + 1 + first}); "
            "YAML would keep only the last value",
            where=Location(page, line + 1 + again),
            fix=f"keep one '{key}:' and delete the other",
        )
    if not isinstance(data, dict):
        raise BlockError(
            "the block must be a YAML mapping of keys",
            where=where,
            fix="start with 'example: <name of a directory under snippets/>'",
        )
    unknown = [str(key) for key in data if key not in KEYS]
    if unknown:
        raise BlockError(
            f"unknown key(s) {', '.join(repr(k) for k in unknown)}",
            where=where,
            fix=f"the keys a block accepts are {', '.join(KEYS)}",
        )
    example = data.get("example")
    if not isinstance(example, str) or not example:
        raise BlockError(
            "the block has no 'example'",
            where=where,
            fix="add 'example: <name>', the name of a directory under snippets/",
        )
    files = data.get("files")
    if files is not None:
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
            raise BlockError(
                "'files' must be a list of file names",
                where=where,
                fix="write e.g. 'files: [app.py, templates/index.html]'",
            )
    section = data.get("section")
    if section is not None and not isinstance(section, str):
        raise BlockError("'section' must be a name", where=where, fix="e.g. 'section: routes'")
    highlight = _parse_highlight(data.get("highlight"), where)
    raw_requests = data.get("requests") or []
    if not isinstance(raw_requests, list):
        raise BlockError(
            "'requests' must be a list",
            where=where,
            fix="write one request per line, each starting with '- ', e.g. '- GET /'",
        )
    request_nodes = _request_nodes(node)
    requests, request_lines = [], []
    for position, item in enumerate(raw_requests):
        request_line = line + 1 + request_nodes[position] if position < len(request_nodes) else line
        requests.append(_parse_request(item, Location(page, request_line)))
        request_lines.append(request_line)
    return Block(
        page=page,
        line=line,
        end_line=end_line,
        indent=indent,
        example=example,
        files=tuple(files) if files else None,
        section=section,
        highlight=highlight,
        requests=tuple(requests),
        request_lines=tuple(request_lines),
    )


def _parse_request(item: Any, where: Location) -> Request:
    """A request is a line of text, or a mapping whose ``request`` key is that line."""
    options: dict[str, Any] = {}
    if isinstance(item, dict):
        unknown = sorted(str(k) for k in item if k not in REQUEST_KEYS)
        if unknown or "request" not in item:
            raise BlockError(
                f"a request written as a mapping has unknown key(s) {', '.join(unknown)}"
                if unknown
                else "a request written as a mapping needs a 'request' key",
                where=where,
                fix=f"its keys are {', '.join(REQUEST_KEYS)}; e.g. request: POST /login",
            )
        options, item = item, item["request"]
    if not isinstance(item, str):
        raise BlockError(
            "a request must be a line of text such as 'GET /'",
            where=where,
            fix="quote it if it contains a colon, e.g. - 'POST /items {\"a\": 1}'",
        )
    try:
        request = parse_request(item)
    except ValueError as exc:
        raise BlockError(
            str(exc),
            where=where,
            fix='write it as METHOD /path, then an optional JSON body and "-> status"',
        ) from exc
    form, headers = options.get("form", {}), options.get("headers", {})
    show = options.get("show", [])
    if not isinstance(form, dict) or not isinstance(headers, dict):
        raise BlockError(
            "'form' and 'headers' of a request must be mappings",
            where=where,
            fix="write e.g. form: {username: ada}",
        )
    if not isinstance(show, list) or not all(isinstance(h, str) for h in show):
        raise BlockError(
            "'show' must be a list of header names",
            where=where,
            fix="write e.g. show: [Set-Cookie, X-Frame-Options]",
        )
    if form and request.json is not None:
        raise BlockError(
            "a request cannot carry both a JSON body and a form",
            where=where,
            fix="keep one of them",
        )
    return dataclasses.replace(
        request,
        form=tuple((str(k), str(v)) for k, v in form.items()),
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
        show=tuple(show),
    )


def _request_nodes(node: Any) -> list[int]:
    """0-based line of each item of ``requests`` inside the block body."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "requests" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line for item in value.value]
    return []


def _parse_highlight(value: Any, where: Location) -> tuple[int, ...]:
    if value is None:
        return ()
    lines: set[int] = set()
    for part in str(value).replace(",", " ").split():
        if not _HIGHLIGHT_RE.match(part):
            raise BlockError(
                f"cannot read highlight {value!r}",
                where=where,
                fix='give line numbers of the shown file and ranges, e.g. highlight: "3 5-7"',
            )
        first, _, last = part.partition("-")
        start, stop = int(first), int(last or first)
        if stop < start or start < 1:
            raise BlockError(
                f"highlight range {part!r} is empty", where=where, fix="write it as low-high"
            )
        lines.update(range(start, stop + 1))
    return tuple(sorted(lines))


def resolve_files(block: Block, example: Example) -> list[ShownFile]:
    """Check the block's files, section and highlight against the example."""
    names = block.files or (example.display(example.app_file).split("/", 2)[-1],)
    shown: list[ShownFile] = []
    for position, name in enumerate(names):
        path = _inside(block, example, name)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise BlockError(
                f"{example.display(path)} is not valid UTF-8 text",
                where=block.where,
                fix="save the file as UTF-8",
            ) from exc
        section = block.section if position == 0 else None
        numbers = _shown_line_numbers(block, example, path, lines, section)
        hl_lines: tuple[int, ...] = ()
        if position == 0 and block.highlight:
            missing = [n for n in block.highlight if n not in numbers]
            if missing:
                span = f"lines {numbers[0]}-{numbers[-1]}" if numbers else "no lines"
                raise BlockError(
                    f"highlight line {missing[0]} is not shown: {example.display(path)}"
                    + (f" section '{section}'" if section else "")
                    + f" shows {span}",
                    where=block.where,
                    fix="give line numbers as the file itself counts them, within what is shown",
                )
            hl_lines = tuple(numbers.index(n) + 1 for n in block.highlight)
        relative = path.relative_to(example.directory.resolve()).as_posix()
        include = f"{example.name}/{relative}" + (f":{section}" if section else "")
        language = LANGUAGES.get(path.suffix, "text")
        shown.append(ShownFile(relative, include, language, hl_lines))
    return shown


def _inside(block: Block, example: Example, name: str) -> Path:
    root = example.directory.resolve()
    candidate = Path(name)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise BlockError(
            f"file {name!r} is outside example '{example.name}'",
            where=block.where,
            fix=f"name files relative to snippets/{example.name}/, without '..' or a leading '/'",
        )
    path = (root / candidate).resolve()
    if not path.is_relative_to(root):
        raise BlockError(
            f"file {name!r} of example '{example.name}' leads outside the example "
            f"(it resolves to {path})",
            where=block.where,
            fix="copy the file into the example instead of linking to it",
        )
    if not path.is_file():
        present = ", ".join(
            p.relative_to(root).as_posix() for p in example.source_files() if p.suffix != ".pyc"
        )
        raise BlockError(
            f"example '{example.name}' has no file {name!r}",
            where=block.where,
            fix=f"name one of its files: {present}",
        )
    return path


def _shown_line_numbers(
    block: Block, example: Example, path: Path, lines: list[str], section: str | None
) -> list[int]:
    """File line numbers of the lines a tab shows, as pymdownx.snippets picks them."""
    markers = {n: _SECTION_RE.match(text) for n, text in enumerate(lines, start=1)}
    if section is None:
        return [n for n, m in markers.items() if m is None]
    shown: list[int] = []
    inside = found = False
    for number, marker in markers.items():
        if marker and marker["name"] == section:
            if marker["type"] == "start" and not inside:
                inside = found = True
            elif marker["type"] == "end" and inside:
                break
            continue
        if inside and marker is None:
            shown.append(number)
    if not found:
        names = sorted({m["name"] for m in markers.values() if m and m["type"] == "start"})
        raise BlockError(
            f"{example.display(path)} has no section '{section}'",
            where=block.where,
            fix=(f"use one of its sections ({', '.join(names)}), or " if names else "")
            + f"mark it in the file with '# --8<-- [start:{section}]' and "
            f"'# --8<-- [end:{section}]'",
        )
    return shown


def render(
    block: Block,
    example: Example,
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
        options = f'title="snippets/{example.name}/{shown.path}"'
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
