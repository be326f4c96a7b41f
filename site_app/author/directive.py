"""The ``flask-example`` block: find it in a page and read what it asks for.

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

Without the plugin it still reads as YAML. Every misuse is a
:class:`~site_app.errors.BlockError` naming the page and the line.
"""

from __future__ import annotations

import dataclasses
import json
import mimetypes
import posixpath
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import BlockError, Location
from ..model import METHODS, Block, Compare, Request, Submit, Upload

INFO = "flask-example"
KEYS = ("example", "files", "section", "function", "lines", "highlight", "show", "requests")
PART_KEYS = ("section", "function", "lines")  # what part of the first file a block shows
REQUEST_KEYS = ("request", "submit", "form", "headers", "show", "files")
SUBMIT_KEYS = ("form", "fields", "status", "novalidate")
UPLOAD_KEYS = ("file", "name", "type")
_FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*?)[ \t]*$")
_REQUEST_LINE_RE = re.compile(r"^\s*-\s*(request:\s*)?[A-Z]+\s+/")
_HIGHLIGHT_RE = re.compile(r"^\d+(-\d+)?$")
_LINES_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
_FUNCTION_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_REQUEST_RE = re.compile(
    r"^(?P<method>[A-Z]+)\s+(?P<path>/\S*)(?:\s+(?P<body>.*?))?(?:\s*->\s*(?P<status>\d{3}))?\s*$"
)


@dataclass
class PageScan:
    blocks: list[Block] = field(default_factory=list)
    errors: list[BlockError] = field(default_factory=list)


@dataclass(frozen=True)
class Fence:
    start: int  # 0-based index of the opening line
    end: int | None  # 0-based index of the closing line; None if never closed
    indent: str
    fence: str
    info: str


def fences(lines: list[str]) -> Iterator[Fence]:
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
        yield Fence(index, end, match["indent"], fence, match["info"])
        index = len(lines) if end is None else end + 1


def scan(markdown: str, page: str) -> PageScan:
    """Find every ``flask-example`` block in a page, skipping other code blocks."""
    result = PageScan()
    lines = markdown.splitlines()
    for found in fences(lines):
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
            block = _parse(body, page, found.start + 1, found.end + 1, found.indent)
            result.blocks.append(dataclasses.replace(block, number=len(result.blocks) + 1))
        except BlockError as error:
            result.errors.append(error)
    return result


COMPARE_INFO = "flask-compare"
_EXAMPLE_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def scan_compares(lines: list[str], page: str, offset: int = 0) -> list[Compare]:
    """Every ``flask-compare`` block of a page: a YAML mapping, column title → example.

    ``offset`` is added to line numbers (the page's front matter, which MkDocs
    strips before a plugin sees the page). A malformed block raises.

        ```flask-compare
        Flask: compare_flask
        FastAPI: compare_fastapi
        ```
    """
    out = []
    for found in fences(lines):
        if found.info != COMPARE_INFO:
            continue
        where = Location(page, found.start + 1 + offset)
        if found.end is None:
            raise BlockError(
                "this flask-compare block is never closed",
                where=where,
                fix=f"end it with a line holding only {found.fence}",
            )
        body = "\n".join(line[len(found.indent) :] for line in lines[found.start + 1 : found.end])
        fix = "write one line per column, its title and its example: 'Flask: compare_flask'"
        try:
            node, data = _load_yaml(body)
        except yaml.YAMLError as exc:
            raise BlockError(f"the block is not valid YAML: {exc}", where=where, fix=fix) from None
        twice = _duplicate_key(node)
        if twice is not None:
            raise BlockError(
                f"the column {twice[0]!r} is named twice",
                where=Location(page, found.start + 2 + offset + twice[2]),
                fix="give each column its own title",
            )
        if not isinstance(data, dict) or len(data) < 2:
            raise BlockError(
                "a flask-compare block needs two columns or more", where=where, fix=fix
            )
        columns = []
        for title, name in data.items():
            if not isinstance(name, str) or not _EXAMPLE_NAME_RE.match(name):
                raise BlockError(
                    f"the column {title!r} names no example: {name!r}", where=where, fix=fix
                )
            columns.append((str(title), name))
        out.append(
            Compare(
                page, found.start + 1 + offset, found.end + 1 + offset, found.indent, tuple(columns)
            )
        )
    return out


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
    _refuse_aliases(node)
    return node, yaml.SafeLoader("").construct_document(node)


def _refuse_aliases(root: yaml.Node) -> None:
    """A block has no use for YAML anchors and aliases, and nested aliases grow
    exponentially when walked (a "billion laughs"): refuse any node met twice."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.composer.ComposerError(
                None, None, "a YAML alias (*name) repeats an anchored value", node.start_mark
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


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
    """A block's YAML body, its keys checked and each read by its own function.

    To add a key: name it in ``KEYS``, give it a ``_parse_<key>`` reading its
    value, and pass the result to :class:`~site_app.model.Block` here.
    """
    where = Location(page, line)
    node, data = _read_mapping(body, page, line)
    unknown = [str(key) for key in data if key not in KEYS]
    if unknown:
        raise BlockError(
            f"unknown key(s) {', '.join(repr(k) for k in unknown)}",
            where=where,
            fix=f"the keys a block accepts are {', '.join(KEYS)}",
        )
    files = _parse_block_files(data.get("files"), where)
    shown_headers = _parse_show(data.get("show", []), where, "the block's")
    requests, request_lines = _parse_requests(data.get("requests"), node, page, line, shown_headers)
    function, shown_lines = _parse_part(data, node, page, line)
    return Block(
        page=page,
        line=line,
        end_line=end_line,
        indent=indent,
        example=_parse_example(data.get("example"), where),
        files=files,
        section=_parse_section(data.get("section"), where),
        function=function,
        lines=shown_lines,
        highlight=_parse_highlight(data.get("highlight"), where),
        requests=requests,
        request_lines=request_lines,
        show=shown_headers,
    )


def _read_mapping(body: str, page: str, line: int) -> tuple[yaml.Node | None, dict[Any, Any]]:
    """The block's YAML node tree and its data, a mapping with no key twice."""
    where = Location(page, line)
    try:
        node, data = _load_yaml(body)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = Location(page, line + 1 + mark.line) if mark else where
        raise BlockError(
            f"the block is not valid YAML: {exc.problem or exc.context}",
            where=at,
            fix=_yaml_fix(exc, body),
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
            fix="start with 'example: <name>', the name of an example's folder",
        )
    return node, data


def _yaml_fix(exc: yaml.MarkedYAMLError, body: str) -> str:
    """The fix for a YAML error: the likeliest cause from the line it stopped at."""
    mark = exc.problem_mark or exc.context_mark
    lines = body.splitlines()
    bad = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "YAML alias" in str(exc.problem):
        return "write each value out: anchors (&name) and aliases (*name) have no place in a block"
    if _REQUEST_LINE_RE.match(bad) and ("{" in bad or "[" in bad):
        return 'quote a request that carries a JSON body: - \'POST /items {"name": "x"}\''
    return "write the block as YAML keys, e.g. 'example: hello'"


def _parse_example(value: Any, where: Location) -> str:
    if not isinstance(value, str) or not value:
        raise BlockError(
            "the block has no 'example'",
            where=where,
            fix="add 'example: <name>', the name of an example's folder",
        )
    return value


def _parse_block_files(value: Any, where: Location) -> tuple[str, ...] | None:
    """The block's ``files``: one name or a list of them (a request's ``files`` are uploads)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(f, str) for f in value):
        raise BlockError(
            "'files' must be a list of file names",
            where=where,
            fix="write e.g. 'files: [app.py, templates/index.html]'",
        )
    return tuple(value)


def _parse_section(value: Any, where: Location) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BlockError("'section' must be a name", where=where, fix="e.g. 'section: routes'")
    return value


def _parse_requests(
    value: Any, node: yaml.Node | None, page: str, line: int, shown_headers: tuple[str, ...]
) -> tuple[tuple[Request, ...], tuple[int, ...]]:
    """Each request of ``requests`` and the page line it is written on.

    The block's ``show`` comes first in each request's, then the request's own, each once.
    """
    raw_requests = value or []
    where = Location(page, line)
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
        request = _parse_request(item, Location(page, request_line))
        if shown_headers:
            own = [name for name in request.show if name.lower() not in _lower(shown_headers)]
            request = dataclasses.replace(request, show=(*shown_headers, *own))
        requests.append(request)
        request_lines.append(request_line)
    return tuple(requests), tuple(request_lines)


def _key_line(node: Any, key: str) -> int:
    """0-based line of a top-level key inside the block body (0 when absent)."""
    if isinstance(node, yaml.MappingNode):
        for name, _ in node.value:
            if name.value == key:
                return int(name.start_mark.line)
    return 0


def _parse_part(
    data: dict[Any, Any], node: Any, page: str, line: int
) -> tuple[str | None, tuple[int, int] | None]:
    """``function: create_app`` or ``lines: 12-30``: the part of the first file a block shows.

    A block shows one part at most: a section, a function or a range of lines.
    """
    given = [key for key in PART_KEYS if data.get(key) is not None]
    if len(given) > 1:
        raise BlockError(
            f"the block names {' and '.join(repr(k) for k in given)}; it shows one part of a file",
            where=Location(page, line + 1 + _key_line(node, given[1])),
            fix=f"keep one of {', '.join(PART_KEYS)}: a marked section, a function by its name "
            "(function: create_app), or a range of lines (lines: 12-30)",
        )
    function, lines = data.get("function"), data.get("lines")
    if function is not None and not (isinstance(function, str) and _FUNCTION_RE.match(function)):
        raise BlockError(
            f"'function' must name a function, not {function!r}",
            where=Location(page, line + 1 + _key_line(node, "function")),
            fix="write its name, e.g. function: create_app, or Class.method for a method "
            "(outer.inner for a function defined in another)",
        )
    if lines is None:
        return function, None
    match = _LINES_RE.match(str(lines))
    first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
    if not 1 <= first <= last:
        raise BlockError(
            f"cannot read 'lines' {lines!r}",
            where=Location(page, line + 1 + _key_line(node, "lines")),
            fix="give the first and last line as the file counts them, low-high: lines: 12-30",
        )
    return None, (first, last)


def _parse_request(item: Any, where: Location) -> Request:
    """A request is a line of text, or a mapping whose ``request`` key is that line
    (or whose ``submit`` key posts the previous page's form)."""
    options: dict[str, Any] = {}
    if isinstance(item, dict):
        unknown = sorted(str(k) for k in item if k not in REQUEST_KEYS)
        if unknown or ("request" in item) == ("submit" in item):
            raise BlockError(
                f"a request written as a mapping has unknown key(s) {', '.join(unknown)}"
                if unknown
                else "a request written as a mapping needs a 'request' key or a 'submit' key"
                if "request" not in item
                else "a request cannot have both 'request' and 'submit'",
                where=where,
                fix=f"its keys are {', '.join(REQUEST_KEYS)}; e.g. request: POST /login, "
                "or submit: {form: '#login', fields: {username: ada}}",
            )
        options = item
        if "submit" in item:
            return _parse_submit(item, where)
        item = item["request"]
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
    form, headers, show = _form_headers_show(options, where)
    files = _parse_files(options.get("files"), where)
    if (form or files) and request.json is not None:
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
        files=files,
    )


def _form_headers_show(
    options: dict[str, Any], where: Location
) -> tuple[dict[Any, Any], dict[Any, Any], list[str]]:
    form, headers = options.get("form", {}), options.get("headers", {})
    show = list(_parse_show(options.get("show", []), where, "a request's"))
    if not isinstance(form, dict) or not isinstance(headers, dict):
        raise BlockError(
            "'form' and 'headers' of a request must be mappings",
            where=where,
            fix="write e.g. form: {username: ada}",
        )
    return form, headers, show


def _parse_submit(options: dict[str, Any], where: Location) -> Request:
    """``submit: {form: "#login", fields: {username: ada}, status: 302}``."""
    submit = _submit_mapping(options, where)
    selector = _parse_selector(submit.get("form"), where)
    fields = submit.get("fields") or {}
    if not isinstance(fields, dict):
        raise BlockError(
            "'fields' of 'submit' must be a mapping of field names to values",
            where=where,
            fix="write e.g. fields: {username: ada, remember: true}",
        )
    status = submit.get("status")
    if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
        raise BlockError(
            f"'status' of 'submit' must be an HTTP status, not {status!r}",
            where=where,
            fix="write e.g. status: 302",
        )
    novalidate = submit.get("novalidate", False)
    if not isinstance(novalidate, bool):
        raise BlockError(
            f"'novalidate' of 'submit' must be true or false, not {novalidate!r}",
            where=where,
            fix="write novalidate: true to send a form a browser would refuse to send",
        )
    _, headers, show = _form_headers_show(options, where)
    return Request(
        method="",
        path="",
        expected_status=status,
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
        show=tuple(show),
        submit=Submit(
            form=selector,
            fields=tuple((str(k), v if isinstance(v, bool) else str(v)) for k, v in fields.items()),
            novalidate=novalidate,
        ),
        files=_parse_files(options.get("files"), where),
    )


def _submit_mapping(options: dict[str, Any], where: Location) -> dict[Any, Any]:
    """The value of ``submit``: a mapping of SUBMIT_KEYS (empty when left blank)."""
    submit = options["submit"]
    if submit is None:
        submit = {}
    if not isinstance(submit, dict) or any(k not in SUBMIT_KEYS for k in submit):
        unknown = sorted(str(k) for k in submit) if isinstance(submit, dict) else []
        raise BlockError(
            "'submit' must be a mapping of "
            + ", ".join(SUBMIT_KEYS)
            + (
                f"; it has unknown key(s) {', '.join(k for k in unknown if k not in SUBMIT_KEYS)}"
                if unknown
                else ""
            ),
            where=where,
            fix="write e.g. submit: {form: '#login', fields: {username: ada}, status: 302}",
        )
    if "form" in options:
        raise BlockError(
            "a submitted form takes its fields from 'fields' under 'submit', not from 'form'",
            where=where,
            fix="move them: submit: {fields: {username: ada}}",
        )
    return submit


def _parse_selector(selector: Any, where: Location) -> str | None:
    """``form`` of ``submit``: an id, a class or an action; None for the page's one form."""
    if selector is not None and not (
        isinstance(selector, str) and selector[:1] in ("#", ".", "/") and len(selector) > 1
    ):
        raise BlockError(
            f"cannot read the form selector {selector!r}",
            where=where,
            fix="name the form by its id ('#login'), a class ('.search') or its action "
            "('/login/'); leave 'form' out when the page has one form",
        )
    return selector


def _parse_files(value: Any, where: Location) -> tuple[Upload, ...]:
    """``files: {photo: {file: samples/cat.png, name: cat.png, type: image/png}}``.

    ``photo: samples/cat.png`` is short for the file under its own name and the
    type its extension suggests.
    """
    if value is None:
        return ()
    fix = (
        "write e.g. files: {photo: {file: uploads/cat.png, name: cat.png, type: image/png}}, "
        "with 'file' relative to the example's folder"
    )
    if not isinstance(value, dict) or not value:
        raise BlockError("'files' of a request must map form fields to files", where=where, fix=fix)
    uploads = []
    for field_name, spec in value.items():
        if isinstance(spec, str):
            spec = {"file": spec}
        if not isinstance(spec, dict) or any(k not in UPLOAD_KEYS for k in spec):
            raise BlockError(
                f"the upload for field '{field_name}' must be a file name or a mapping of "
                f"{', '.join(UPLOAD_KEYS)}",
                where=where,
                fix=fix,
            )
        source = spec.get("file")
        if not isinstance(source, str) or not source:
            raise BlockError(
                f"the upload for field '{field_name}' names no 'file'", where=where, fix=fix
            )
        filename = str(spec.get("name") or posixpath.basename(source))
        content_type = str(
            spec.get("type") or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        )
        uploads.append(Upload(str(field_name), source, filename, content_type))
    return tuple(uploads)


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


def parse_request(text: str) -> Request:
    """Parse ``METHOD /path [JSON body] [-> status]``; ValueError says what is off."""
    match = _REQUEST_RE.match(text.strip())
    if not match:
        raise ValueError(
            f"cannot read request {text!r}; write it as METHOD /path, optionally followed "
            'by a JSON body and "-> status", e.g. POST /api/items {"name": "lamp"} -> 201'
        )
    method = match["method"]
    if method not in METHODS:
        raise ValueError(f"unknown HTTP method {method!r} in {text!r}; use one of {METHODS}")
    body: Any = None
    if match["body"]:
        try:
            body = json.loads(match["body"])
        except json.JSONDecodeError as exc:
            raise ValueError(f"the body of {text!r} is not valid JSON: {exc.msg}") from exc
    status = int(match["status"]) if match["status"] else None
    problem = path_problem(match["path"])
    if problem:
        raise ValueError(f"the path of {text!r} {problem}")
    return Request(method, match["path"], body, status)


_DOT_SEGMENTS = {".": ".", "%2e": ".", "..": "..", ".%2e": "..", "%2e.": "..", "%2e%2e": ".."}


def path_problem(path: str) -> str | None:
    """What is wrong with a request's path as a browser would send it, if anything.

    A browser resolves ``.`` and ``..`` (``%2e`` too) before it sends a path,
    never sends a control character, and reads ``//host/x`` as another host.
    """
    bare = path.split("?", 1)[0].split("#", 1)[0]
    decoded = urllib.parse.unquote(bare)
    if any(ord(c) < 32 or ord(c) == 127 for c in decoded):
        return "holds a control character (NUL, a newline, ...), raw or %-encoded; remove it"
    if bare.startswith("//"):
        return (
            "starts with '//', which a browser reads as another host "
            f"({bare[2:].split('/', 1)[0] or 'none'}); write one '/' before the path"
        )
    # A browser splits the path at '/' (never at %2F) and reads '.', '..' and
    # their %2e spellings as dot segments (the URL standard's path parser).
    segments = [_DOT_SEGMENTS.get(segment.lower(), segment) for segment in bare.split("/")]
    if any(segment in (".", "..") for segment in segments):
        joined = "/".join(segments)
        resolved = posixpath.normpath(joined) + ("/" if joined.endswith(("/", ".")) else "")
        resolved = "/" + resolved.lstrip("/")
        return (
            "holds a '.' or '..' segment (maybe %-encoded), which a browser resolves before "
            f"sending; write the path it sends: {resolved}"
        )
    return None


def _parse_show(value: Any, where: Location, whose: str) -> tuple[str, ...]:
    """Header names to show: a list of names, each once (case does not matter)."""
    if isinstance(value, str) or not isinstance(value, list):
        raise BlockError(
            f"{whose} 'show' must be a list of header names",
            where=where,
            fix="write e.g. show: [Set-Cookie, X-Frame-Options], or show: [cookies] for the "
            "cookies the client holds",
        )
    names: list[str] = []
    for name in value:
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name):
            raise BlockError(
                f"{whose} 'show' lists {name!r}, which is not a header name",
                where=where,
                fix="write header names as HTTP spells them, e.g. show: [Allow, Set-Cookie]",
            )
        if name.lower() in _lower(names):
            raise BlockError(
                f"{whose} 'show' lists {name!r} twice",
                where=where,
                fix=f"keep one '{name}'",
            )
        names.append(name)
    return tuple(names)


def _lower(names: Any) -> set[str]:
    return {name.lower() for name in names}
