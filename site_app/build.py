"""Run the whole pipeline for a set of pages, without knowing about MkDocs.

pages (Markdown) → blocks → examples → for each example, in a worker process
of its own: run each block's requests on a fresh app, freeze its pages →
everything a renderer needs. A FastAPI or Django example (``[build]
framework`` in its example.toml) is sent its requests through its own
framework's test client and is not frozen: it has no pages to publish.
An example whose inputs have not changed since the last build is not run
again: its output comes from the cache.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import random
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask_frozen import relative_url_for

from . import blocks, cache, clients, examples, workers
from .blocks import Block, Shown, ShownFile
from .capture import Request, Response, perform, status_is_expected
from .clients import Client, FlaskTestClient
from .errors import (
    BlockError,
    BuildFailed,
    ExampleError,
    Location,
    RequestFailed,
    SiteAppError,
)
from .examples import Example
from .freezing import FrozenExample, freeze, not_frozen
from .loading import describe, isolated_modules, load_app, run_setup, where_in_example

Log = Callable[[str], None]
_INCLUDE_RE = re.compile(r"""--8<--\s+["']?(?P<name>[a-z][a-z0-9_]*)/""")


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
class ExampleJob:
    """Everything a worker needs to run one example; plain data, so it pickles."""

    snippets_dir: str
    cache_dir: str
    name: str
    blocks: tuple[BlockRequests, ...]
    prefix: str


@dataclass(frozen=True)
class ExampleOutput:
    """One example's frozen pages and the answers to each distinct list of requests."""

    frozen: FrozenExample
    answers: dict[str, list[Shown]]  # keyed by repr() of a block's requests


@dataclass(frozen=True)
class Captured:
    """A request's answer, and the file as frozen when it is a page or an image."""

    request: Request
    response: Response
    preview_body: bytes | None


@dataclass
class RenderedBlock:
    block: Block
    example: Example
    files: list[ShownFile]
    answers: list[Shown]

    def markdown(self, site_root: str) -> str:
        return blocks.render(self.block, self.example, self.files, self.answers, site_root)


@dataclass
class BuildResult:
    """What the build produced: frozen examples and every block ready to render."""

    examples: dict[str, Example]
    frozen: dict[str, FrozenExample]
    blocks: dict[tuple[str, int], RenderedBlock]
    seconds: float = 0.0
    urls_frozen: int = 0
    requests_sent: int = 0
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)

    def site_files(self, prefix: str = "examples") -> dict[str, Path]:
        """Site path → file on disk for every frozen file of every example."""
        out: dict[str, Path] = {}
        for name, frozen in sorted(self.frozen.items()):
            for relative in frozen.all_files():
                out[f"{prefix}/{name}/{relative}"] = frozen.directory / relative
        return out


class Builder:
    """Freeze the examples a set of pages uses and capture their requests."""

    def __init__(
        self,
        snippets_dir: Path,
        cache_dir: Path,
        *,
        log: Log = print,
        examples_prefix: str = "examples",
        tests_dir: Path | None = None,
        require_shown: bool = False,
        workers: int | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.snippets_dir = snippets_dir.resolve()
        self.cache_dir = cache_dir.resolve()
        self.log = log
        self.prefix = examples_prefix
        self.tests_dir = tests_dir.resolve() if tests_dir else None
        self.require_shown = require_shown
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.store = cache.Store(self.cache_dir)

    def build(self, pages: Mapping[str, str]) -> BuildResult:
        started = time.perf_counter()
        errors: list[SiteAppError] = []
        found: list[Block] = []
        for page, markdown in sorted(pages.items()):
            scanned = blocks.scan(markdown, page)
            found += scanned.blocks
            errors += scanned.errors + blocks.typed_python(markdown, page)
            errors += blocks.bad_includes(markdown, page, self.snippets_dir)
        known = examples.discover(self.snippets_dir)

        ready: list[tuple[Block, Example, list[ShownFile]]] = []
        for block in found:
            example = known.get(block.example)
            if example is None:
                errors.append(
                    BlockError(
                        f"there is no example '{block.example}' under snippets/",
                        where=block.where,
                        fix=examples.suggest(known, block.example),
                    )
                )
                continue
            try:
                ready.append((block, example, blocks.resolve_files(block, example)))
            except BlockError as error:
                errors.append(error)
        errors += self._check_references(known, found, pages)

        result = BuildResult(known, {}, {})
        outputs = self._run_examples(known, ready, result, errors)
        for block, example, files in ready:
            output = outputs.get(example.name)
            if output is None:
                continue  # its failure was reported
            answers = output.answers.get(repr(block.requests), []) if block.requests else []
            result.blocks[(block.page, block.line)] = RenderedBlock(block, example, files, answers)
            result.requests_sent += len(answers)
        if errors:
            raise BuildFailed(errors)
        result.seconds = time.perf_counter() - started
        return result

    def _check_references(
        self, known: dict[str, Example], found: list[Block], pages: Mapping[str, str]
    ) -> list[SiteAppError]:
        problems: list[SiteAppError] = []
        if self.require_shown:
            shown = {block.example for block in found}
            for markdown in pages.values():
                shown |= {m["name"] for m in _INCLUDE_RE.finditer(markdown)}
            problems += [
                ExampleError(
                    f"example '{name}' is not shown on any page",
                    where=Location(example.display(example.directory) + "/"),
                    fix="show it with a flask-example block on a page, or delete it",
                )
                for name, example in known.items()
                if name not in shown
            ]
        if self.tests_dir is not None:
            problems += [
                ExampleError(
                    f"example '{name}' has no tests",
                    where=Location(example.display(example.directory) + "/"),
                    fix=f"add tests/snippets/test_{name}.py that imports {example.app_module}",
                )
                for name, example in known.items()
                if not _has_tests(example, self.tests_dir)
            ]
        return problems

    def _run_examples(
        self,
        known: dict[str, Example],
        ready: list[tuple[Block, Example, list[ShownFile]]],
        result: BuildResult,
        errors: list[SiteAppError],
    ) -> dict[str, ExampleOutput]:
        outputs: dict[str, ExampleOutput] = {}
        jobs: list[tuple[ExampleJob, str]] = []
        for name, example in known.items():
            requested = tuple(
                BlockRequests(b.page, b.line, b.request_lines, b.requests)
                for b, e, _ in ready
                if e is example
            )
            if not requested and self.require_shown:
                continue  # reported as not shown
            distinct = sorted({repr(b.requests) for b in requested})
            key = cache.example_key(_file_digests(example), (self.prefix, distinct))
            cached = self.store.load(name, key)
            if isinstance(cached, ExampleOutput) and _still_on_disk(cached.frozen):
                outputs[name] = cached
                result.reused.append(name)
                continue
            job = ExampleJob(
                str(self.snippets_dir), str(self.cache_dir), name, requested, self.prefix
            )
            jobs.append((job, key))
        keys = {job.name: key for job, key in jobs}
        for finished in workers.run(
            run_example, [job for job, _ in jobs], workers=self.workers, timeout=self.timeout
        ):
            name = finished.job.name
            example = known[name]
            if finished.timed_out:
                errors.append(
                    ExampleError(
                        f"example '{name}' did not finish within {self.timeout:.0f} s",
                        where=Location(example.display(example.app_file)),
                        fix="look for a loop or a blocking call at import, in setup or in a "
                        "view; the plugin's timeout option sets the limit",
                    )
                )
            elif isinstance(finished.error, BuildFailed):
                errors += finished.error.errors
            elif isinstance(finished.error, SiteAppError):
                errors.append(finished.error)
            elif finished.error is not None:
                errors.append(
                    ExampleError(
                        f"building example '{name}' failed: {describe(finished.error)}",
                        where=Location(example.display(example.app_file)),
                        fix="this looks like a bug in site_app; please report it",
                    )
                )
            else:
                output: ExampleOutput = finished.result
                outputs[name] = output
                self.store.save(name, keys[name], output)
                result.ran.append(name)
                sent = sum(len(b.requests) for b in finished.job.blocks)
                if example.settings.is_flask:
                    done = f"froze {name}: {len(output.frozen.files)} URLs, {sent} requests"
                else:
                    done = f"captured {name} ({example.settings.framework}): {sent} requests"
                self.log(f"{done} in {finished.seconds:.2f} s")
        if result.reused:
            self.log(f"reused {len(result.reused)} unchanged example(s) from the cache")
        for name, output in sorted(outputs.items()):
            result.frozen[name] = output.frozen
            result.urls_frozen += len(output.frozen.files)
        return outputs


def _file_digests(example: Example) -> list[tuple[str, bytes]]:
    return [
        (path.relative_to(example.directory).as_posix(), path.read_bytes())
        for path in example.source_files()
    ]


def _still_on_disk(frozen: FrozenExample) -> bool:
    return frozen.directory.is_dir() and all(
        (frozen.directory / relative).is_file() for relative in frozen.files.values()
    )


def _has_tests(example: Example, tests_dir: Path) -> bool:
    """A test file under tests/ imports the example, or the example holds its own tests."""
    if any(example.directory.rglob("test_*.py")):
        return True
    pattern = re.compile(rf"\b{re.escape(example.package)}\b")
    return any(
        pattern.search(path.read_text(encoding="utf-8", errors="replace"))
        for path in tests_dir.rglob("test_*.py")
    )


# Everything below runs in a worker process, one example at a time.


REPRODUCIBLE_TIME = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def reproducible(seed: str) -> None:
    """Give this worker process a fixed clock and seeded randomness.

    Session cookies carry the time they were signed and CSRF tokens come from
    ``os.urandom``; with these fixed, two builds write the same bytes. Only
    the worker that runs one example is changed, never the build itself.
    """
    generator = random.Random(seed)
    os.urandom = generator.randbytes
    random.seed(seed)
    time.time = lambda: REPRODUCIBLE_TIME
    time.time_ns = lambda: int(REPRODUCIBLE_TIME * 1e9)


def run_example(job: ExampleJob) -> ExampleOutput:
    """Capture every block's requests, freeze the example, pick previews."""
    reproducible(job.name)
    snippets_dir, cache_dir = Path(job.snippets_dir), Path(job.cache_dir)
    example = examples.discover(snippets_dir)[job.name]
    before = _snapshot(example)
    errors: list[SiteAppError] = []
    captured: dict[str, list[Captured]] = {}
    for block in job.blocks:
        if not block.requests or repr(block.requests) in captured:
            continue
        try:
            captured[repr(block.requests)] = _capture(example, block, snippets_dir, cache_dir)
        except SiteAppError as error:
            errors.append(error)
    pages = sorted(
        {
            c.request.path
            for answers in captured.values()
            for c in answers
            if c.preview_body and c.response.status_code == 200
        }
    )
    frozen: FrozenExample | None = None
    try:
        if example.settings.is_flask:
            frozen = _freeze(example, pages, snippets_dir, cache_dir)
        else:
            frozen = not_frozen(example, cache_dir / "frozen" / example.name)
    except SiteAppError as error:
        errors.append(error)
    errors += _writes(example, before)
    if errors or frozen is None:
        # An import error repeats for every block and for the freeze: say it once.
        unique = {error.message: error for error in errors}
        raise BuildFailed(list(unique.values()))
    answers = {
        requests: [Shown(c.request, c.response, _preview(c, frozen, job.prefix)) for c in found]
        for requests, found in captured.items()
    }
    return ExampleOutput(frozen, answers)


def _snapshot(example: Example) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file of the example, and what sits beside it.

    Not the whole project: other tools (coverage, editors) write there while a build runs.
    """
    state = {
        path.relative_to(example.directory.parent).as_posix(): (
            path.stat().st_size,
            path.stat().st_mtime_ns,
        )
        for path in example.source_files()
    }
    # Beside it: the other entries of snippets/, and Flask's default instance
    # folder at the project root (where an app that ignores instance_path writes).
    snippets = example.directory.parent
    state.update({f"{snippets.name}/{entry}": (0, 0) for entry in os.listdir(snippets)})
    if (snippets.parent / "instance").exists():
        state["instance/"] = (0, 0)
    return state


def _writes(example: Example, before: dict[str, tuple[int, int]]) -> list[SiteAppError]:
    after = _snapshot(example)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    # Coverage data files appear next to the project while other measured processes exit.
    ignored = ("__pycache__", ".cache", "/.coverage")
    changed = [name for name in changed if not any(part in name for part in ignored)]
    if not changed:
        return []
    return [
        ExampleError(
            f"example '{example.name}' wrote into the source tree: {', '.join(changed)}",
            where=Location(example.display(example.app_file)),
            fix="write files under app.instance_path (the build points it at a temporary "
            "folder), or use {instance} in [build.config] of example.toml",
        )
    ]


def _instance_dir(example: Example, cache_dir: Path) -> tempfile.TemporaryDirectory[str]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=f"{example.name}-instance-", dir=cache_dir)


def _freeze(
    example: Example, urls: list[str], snippets_dir: Path, cache_dir: Path
) -> FrozenExample:
    destination = cache_dir / "frozen" / example.name
    with (
        _instance_dir(example, cache_dir) as instance,
        isolated_modules(snippets_dir.name, snippets_dir.parent),
    ):
        app = load_app(example, Path(instance))
        run_setup(example, app)
        return freeze(example, app, destination, urls)


def _capture(
    example: Example, block: BlockRequests, snippets_dir: Path, cache_dir: Path
) -> list[Captured]:
    """Run one block's requests in order on one fresh app, with one client."""
    answers: list[Captured] = []
    with (
        _instance_dir(example, cache_dir) as instance,
        isolated_modules(snippets_dir.name, snippets_dir.parent),
    ):
        client: Client
        if example.settings.is_flask:
            app = load_app(example, Path(instance))
            run_setup(example, app)
            client = FlaskTestClient(app)
        else:
            client = clients.connect(example)
        # One client for the whole block, so cookies carry over.
        for index, request in enumerate(block.requests):
            response = _send(block, index, example, client, request)
            body = None
            # Only a Flask example is frozen, so only its pages and images get previews.
            if isinstance(client, FlaskTestClient) and request.method == "GET" and response.body:
                # A redirect's body is a stub whose link points at the live
                # app's root; the Location header says all there is to say.
                if response.is_html and not 300 <= response.status_code < 400:
                    body = _as_frozen(client, request)
                elif response.is_image and response.status_code == 200:
                    body = response.body
            answers.append(Captured(request, response, body))
    return answers


def _as_frozen(client: FlaskTestClient, request: Request) -> bytes:
    """The page as Frozen-Flask writes it: with relative URLs."""
    app = client.app
    previous = app.jinja_env.globals["url_for"]
    app.jinja_env.globals["url_for"] = relative_url_for
    try:
        response, _ = perform(app, request, client.client)
    finally:
        app.jinja_env.globals["url_for"] = previous
    return response.body


def _send(
    block: BlockRequests, index: int, example: Example, client: Client, request: Request
) -> Response:
    where = block.where(index)
    try:
        response, raised = client.send(request)
    except Exception as exc:
        raise RequestFailed(
            f"{request.label} to example '{example.name}' raised {describe(exc)} "
            f"({where_in_example(example, exc)})",
            where=where,
            fix="fix the view, or remove the request",
        ) from exc
    if status_is_expected(request, response):
        return response
    expected = str(request.expected_status) if request.expected_status else "a 2xx status"
    because = ""
    if raised:
        because = (
            f"; the view raised {describe(raised[-1])} ({where_in_example(example, raised[-1])})"
        )
    elif response.header("Location"):
        because = f"; it redirects to {response.header('Location')}"
    raise RequestFailed(
        f"{request.label} to example '{example.name}' answered {response.status}, "
        f"expected {expected}{because}",
        where=where,
        fix=f"fix the view, or if this status is what the page means to show, "
        f"write the request as '{request.label} -> {response.status_code}'",
    )


def _preview(captured: Captured, frozen: FrozenExample, prefix: str) -> str | None:
    """Site path of a frozen file that shows exactly this answer, if it is a page."""
    if captured.preview_body is None:
        return None
    path = captured.request.path
    relative = frozen.files.get(path) if captured.response.status_code == 200 else None
    base = f"{prefix}/{frozen.name}/"
    if relative and (frozen.directory / relative).read_bytes() == captured.preview_body:
        return base + relative
    # An error page, or a page the block changed before this GET: keep its own
    # copy, in the same folder as the URL's page so relative links still work.
    folder = posixpath.dirname(relative or path.lstrip("/"))
    digest = hashlib.sha256(captured.preview_body).hexdigest()[:12]
    suffix = posixpath.splitext(relative or path)[1] or ".html"
    name = posixpath.join(folder, f"preview-{digest}{suffix}")
    target = frozen.directory / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(captured.preview_body)
    return base + name
