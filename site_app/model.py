"""The plain records every layer shares.

Each record is a frozen dataclass of strings, numbers, paths and other
records: it pickles, so it crosses from the build to a worker process and
into the cache, and it imports neither Flask nor MkDocs.

- :class:`Settings`: how a project lays out its examples and which of its
  rules it turns on (from ``mkdocs.yml`` or a caller).
- :class:`Example`, :class:`ExampleSettings`: one example and its
  ``example.toml``.
- :class:`Block`, :class:`Request`: what a page's ``flask-example`` block asks.
- :class:`Response`, :class:`Shown`, :class:`ShownFile`: what a block shows.
- :class:`Job`, :class:`Output`, :class:`Frozen`: what a worker is given and
  gives back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import shown
from .errors import Location, relative_to

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
FRAMEWORKS = ("flask", "fastapi", "django")
# What the in-browser runner can drive: FastAPI needs pydantic-core, a compiled library.
BROWSER_FRAMEWORKS = ("flask", "django")


@dataclass(frozen=True)
class Settings:
    """A project's layout and rules; every path absolute. Defaults live here only.

    The rules (``require_shown``, ``tests_dir``, ``forbid_typed_python``,
    ``check_includes``, ``forbid_text``) are off unless a project turns them on.
    """

    root: Path  # the project's folder; messages name paths relative to it
    snippets_dir: Path  # one example per sub-folder
    cache_dir: Path  # private: frozen pages, stored outputs, instance folders
    examples_url: str = "examples"  # site folder of the frozen pages
    tests_dir: Path | None = None  # rule: every example imported by a test file here
    require_shown: bool = False  # rule: every example shown on some page
    forbid_typed_python: bool = False  # rule: no Python typed into a page
    check_includes: bool = False  # rule: every --8<-- include names a file of an example
    forbid_text: tuple[str, ...] = ()  # rule: no page holds any of these (placeholders)
    missing_library_fix: str = "install it where the build runs, then build again"
    workers: int = 0  # worker processes; 0 means one per core
    timeout: float = 60.0  # seconds of CPU time one example may take (wall clock: 3 times)
    contain: bool = True  # run workers under bubblewrap where the machine allows it
    answer_limit: int = 1_000_000  # bytes of an answer a page shows; the rest is cut, with a note

    def display(self, path: Path) -> str:
        """A path as the project's contributors see it: ``snippets/x/app.py``."""
        return relative_to(path, self.root)


@dataclass(frozen=True)
class ExampleSettings:
    """What ``example.toml`` says about preparing and freezing an example."""

    setup: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    default_mimetype: str = "application/octet-stream"
    config: dict[str, Any] = field(default_factory=dict)
    framework: str = "flask"  # one of FRAMEWORKS; only a Flask example is frozen
    exclude: tuple[str, ...] = ()  # URL paths never frozen (a route that fails outside a flow)
    browser: bool = True  # runs in the reader's browser (Pyodide) when the site ships the runner
    browser_reason: str = ""  # why not, shown under its blocks instead of the Run button
    # Python run after the setup commands, in the app module's namespace, in an app context.
    setup_python: tuple[str, ...] = ()
    setup_python_lines: tuple[int, ...] = ()  # where each step starts in example.toml
    env: tuple[str, ...] = ()  # variables of the build's environment the example gets

    @property
    def is_flask(self) -> bool:
        return self.framework == "flask"


@dataclass(frozen=True)
class Example:
    """One example: a package in the examples folder that holds an app."""

    name: str
    directory: Path
    package: str  # dotted: snippets.hello
    app_module: str  # dotted: snippets.hello.app
    app_file: Path
    settings: ExampleSettings
    root: Path  # the project's folder, for messages

    def display(self, path: Path) -> str:
        """A path of this example as contributors see it: ``snippets/x/app.py``."""
        return relative_to(path, self.root)

    def source_files(self) -> list[Path]:
        """Every file of the example (what its build output depends on).

        A symbolic link that leads outside the example is never one of them
        (:meth:`links_out` names it): its target is not the example's to publish.
        """
        inside = self.directory.resolve()
        return sorted(
            p
            for p in self.directory.rglob("*")
            if p.is_file()
            and (not p.is_symlink() or p.resolve().is_relative_to(inside))
            and "__pycache__" not in p.parts
            and not p.name.endswith(".pyc")
        )

    def links_out(self) -> list[Path]:
        """Symbolic links of the example that lead outside its folder (or nowhere)."""
        inside = self.directory.resolve()
        return sorted(
            p
            for p in self.directory.rglob("*")
            if p.is_symlink() and not p.resolve().is_relative_to(inside)
        )


COOKIES = "cookies"  # in a request's ``show``: the cookies the client holds after it


@dataclass(frozen=True)
class Upload:
    """A file a request uploads (``multipart/form-data``), read from the example."""

    field: str  # the form field's name
    source: str  # the file, relative to the example's directory
    filename: str  # the name the browser sends
    content_type: str
    content: bytes = b""  # filled in by the worker, which reads ``source``


@dataclass(frozen=True)
class Submit:
    """Post the form of the previous HTML answer, as a browser would."""

    form: str | None = None  # which form: "#id", ".class" or its action "/path"; None if one
    fields: tuple[tuple[str, str | bool], ...] = ()  # True/False tick or untick a checkbox
    novalidate: bool = False  # send it even when a browser's constraint validation would not


@dataclass(frozen=True)
class Request:
    """One request of a block: ``POST /api/items {"name": "lamp"} -> 201``.

    A request with ``submit`` has no method and path of its own: the worker
    takes them from the form, and shows the request it made.
    """

    method: str
    path: str
    json: Any = None
    expected_status: int | None = None
    form: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    show: tuple[str, ...] = ()  # response headers to show besides Content-Type and Location
    submit: Submit | None = None
    files: tuple[Upload, ...] = ()
    # A submitted form's body type (multipart even without a file); "" to let the client choose.
    enctype: str = ""

    @property
    def label(self) -> str:
        if self.submit is not None and not self.method:  # not yet sent
            return f"submit {self.submit.form or 'the form'}"
        return f"{self.method} {self.path}"

    @property
    def shows_cookies(self) -> bool:
        return any(name.lower() == COOKIES for name in self.show)

    @property
    def shown_headers(self) -> tuple[str, ...]:
        """``show`` without ``cookies``: the response headers to show."""
        return tuple(name for name in self.show if name.lower() != COOKIES)

    def body_options(self) -> dict[str, Any]:
        """The body and headers as test clients take them (json=, data=, headers=)."""
        options: dict[str, Any] = {}
        if self.json is not None:
            options["json"] = self.json
        if self.form:
            options["data"] = dict(self.form)
        if self.headers:
            options["headers"] = list(self.headers)
        return options


@dataclass(frozen=True)
class Response:
    """What the app answered, reduced to what a page shows."""

    status_code: int
    status: str
    content_type: str
    mimetype: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    # With ``show: [cookies]``: each cookie the client holds after the request,
    # as a Set-Cookie line (name=value; flags). None when not asked for.
    cookies: tuple[str, ...] | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def is_json(self) -> bool:
        return shown.is_json(self.mimetype)

    @property
    def is_html(self) -> bool:
        return self.mimetype == "text/html"

    @property
    def is_image(self) -> bool:
        return self.mimetype.startswith("image/")

    def pretty_body(self) -> str:
        """JSON indented, everything else as sent (:mod:`site_app.shown`)."""
        return shown.pretty_body(self.mimetype, self.body)

    def shown_values(self, name: str) -> list[str]:
        """A header's values as pages show them; ``Allow`` sorted (:mod:`site_app.shown`)."""
        return shown.shown_values(self.headers, name)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class Block:
    """A parsed ``flask-example`` block: what it asks for, and where it sits in its page."""

    page: str
    line: int
    end_line: int
    indent: str
    example: str
    files: tuple[str, ...] | None = None
    section: str | None = None
    function: str | None = None  # a function of the first file, by its (dotted) name
    lines: tuple[int, int] | None = None  # first and last line of the first file to show
    highlight: tuple[int, ...] = ()
    show: tuple[str, ...] = ()  # headers every request's answer shows (and its summary line)
    requests: tuple[Request, ...] = ()
    request_lines: tuple[int, ...] = ()
    number: int = 0  # its place among the page's blocks, from 1 (0: not from a page scan)

    @property
    def where(self) -> Location:
        return Location(self.page, self.line)

    @property
    def shows_part(self) -> bool:
        """Its first file's tab shows a section, a function or a range of lines, not all of it."""
        return self.section is not None or self.function is not None or self.lines is not None


@dataclass(frozen=True)
class Compare:
    """A parsed ``flask-compare`` block: a table of what several examples answered.

    Each column is one example's block on the same page, titled as the page
    names it; row N holds each example's answer to its Nth request.
    """

    page: str
    line: int
    end_line: int
    indent: str
    columns: tuple[tuple[str, str], ...]  # (title, example name), in the page's order

    @property
    def where(self) -> Location:
        return Location(self.page, self.line)


@dataclass(frozen=True)
class ShownFile:
    """A source file as one tab shows it."""

    path: str  # relative to the example's directory
    title: str  # as the project's contributors name it: snippets/json_api/app.py
    include: str  # what pymdownx.snippets is asked for: "json_api/app.py:routes"
    language: str
    hl_lines: tuple[int, ...] = ()  # counted in the shown lines, from 1


@dataclass(frozen=True)
class Shown:
    """A request and the answer to show for it."""

    request: Request
    response: Response
    preview: str | None = None  # site path of the frozen HTML page, if any


@dataclass(frozen=True)
class BlockRequests:
    """The requests of one block, and where they are written."""

    page: str
    line: int
    request_lines: tuple[int, ...]
    requests: tuple[Request, ...]

    def where(self, index: int) -> Location:
        return Location(self.page, self.request_lines[index])


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to run one example."""

    settings: Settings
    example: Example
    blocks: tuple[BlockRequests, ...]
    # The variables ``example.toml`` passes (``[build] env``), with the build's values;
    # every other variable of the build's environment stays out of the worker.
    environment: tuple[tuple[str, str], ...] = ()
    # The folders the worker may write (the build's cache) and those in them it may
    # not (the stored results): what bubblewrap binds, and what the worker's guard allows.
    writable: tuple[Path, ...] = ()
    read_only: tuple[Path, ...] = ()

    @property
    def name(self) -> str:
        return self.example.name


@dataclass(frozen=True)
class Frozen:
    """Where an example was frozen and which file each URL became."""

    name: str
    directory: Path
    files: dict[str, str]  # URL path -> file path relative to ``directory``
    # URL path -> why it was not frozen (an extensionless URL whose answer a
    # static host would serve with the wrong type); captured, never published.
    skipped: dict[str, str] = field(default_factory=dict)
    download: str | None = None  # the example's zip, relative to ``directory``

    def all_files(self) -> list[str]:
        """Every file written, URLs' pages and static files alike, sorted."""
        return sorted(
            p.relative_to(self.directory).as_posix()
            for p in self.directory.rglob("*")
            if p.is_file()
        )


@dataclass(frozen=True)
class Output:
    """One example's frozen pages and the answers to each distinct list of requests."""

    frozen: Frozen
    answers: dict[str, list[Shown]]  # keyed by repr() of a block's requests
    # (distribution, version) of every installed library the worker had imported
    # when it finished: the cache reuses the output while these stay the same.
    libraries: tuple[tuple[str, str], ...] = ()
    # Why it cannot run in the reader's browser, from what it called while it ran
    # (hashlib.scrypt, threads...); empty when it called nothing Pyodide lacks.
    browser_lacks: tuple[str, ...] = ()
