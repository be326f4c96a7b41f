"""Run the whole pipeline for a set of pages, without knowing about MkDocs.

pages (Markdown) → blocks → examples → for each example, in a worker process
of its own: run each block's requests on a fresh app, freeze its pages →
everything a renderer needs. A FastAPI or Django example (``[build]
framework`` in its example.toml) is sent its requests through its own
framework's test client and is not frozen: it has no pages to publish.
An example whose inputs have not changed since the last build is not run
again: its output comes from the cache. The worker is named by its dotted
path (:data:`WORKER`); this side never imports Flask.

:meth:`Builder.start` returns a :class:`BuildUnderWay`: the examples run
in worker processes while the caller goes on (MkDocs renders pages
meanwhile), and :meth:`BuildUnderWay.wait` waits for only the examples one
page needs. Every problem is kept with the places in the pages where it
shows (:class:`Problem`), so a caller may fail (``mkdocs build``) or show
each problem in its page (``mkdocs serve``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..author import directive, discover, policy, sources
from ..errors import BlockError, BuildFailed, ExampleError, Location, SiteAppError, describe
from ..model import (
    Block,
    BlockRequests,
    Compare,
    Example,
    Frozen,
    Job,
    Output,
    Settings,
    Shown,
    ShownFile,
)
from . import cache, pool

Log = Callable[[str], None]
WORKER = "site_app.execute.worker:run_example"
# What the fork server imports before it forks a worker: Flask, and one tiny
# example run once, so no worker sets them up again.
PRELOAD = ("flask", "flask_frozen", "site_app.execute.worker", "site_app.execute.warmup")


@dataclass
class RenderedBlock:
    """A block, what it shows of its example, and the answers it got."""

    block: Block
    example: Example
    files: list[ShownFile]
    answers: list[Shown]
    download: str | None = None  # site path of the example's zip


def _link_downloads_once(blocks: dict[Any, RenderedBlock]) -> None:
    """Only an example's first block in a page links its download: one link is
    enough, and a page that shows one app in many blocks stays quiet."""
    linked: set[tuple[str, str]] = set()
    for key in sorted(blocks):
        rendered = blocks[key]
        where = (rendered.block.page, rendered.example.name)
        if where in linked:
            blocks[key] = dataclasses.replace(rendered, download=None)
        linked.add(where)


def compare_columns(
    compare: Compare, blocks: Sequence[RenderedBlock]
) -> list[tuple[str, list[Shown]]]:
    """Each column of a ``flask-compare`` block with the answers it shows: those of the
    one block of its example on the same page that sends requests."""
    columns = []
    for title, name in compare.columns:
        found = [b for b in blocks if b.example.name == name and b.answers]
        if len(found) != 1:
            many = f"{len(found)} blocks of {name} send requests"
            raise BlockError(
                f"the column {title!r} needs one block of {name} on this page that sends "
                f"requests; {'none does' if not found else many}",
                where=compare.where,
                fix=f"add a flask-example block of {name} with requests above the table"
                if not found
                else "compare examples that this page shows once",
            )
        columns.append((title, found[0].answers))
    first_title, first = columns[0]
    for title, answers in columns[1:]:
        if [a.request.label for a in answers] != [a.request.label for a in first]:
            raise BlockError(
                f"the column {title!r} sent other requests than {first_title!r}: "
                f"{[a.request.label for a in answers]} and {[a.request.label for a in first]}",
                where=compare.where,
                fix="send the same requests, in the same order, in each compared block",
            )
    return columns


@dataclass(frozen=True)
class Problem:
    """One error of the build and the places in pages where it shows.

    A place is a page and a line: the first line of the block it stops, or
    the line of the page it names (Python typed into a page). An example that
    fails shows at every block that shows it; ``places`` is empty for a
    problem no page shows (an example that no block shows).
    """

    error: SiteAppError
    places: tuple[Location, ...] = ()


@dataclass
class BuildResult:
    """What the build produced: frozen examples and every block ready to render."""

    examples: dict[str, Example]
    frozen: dict[str, Frozen]
    blocks: dict[tuple[str, int], RenderedBlock]
    prefix: str = "examples"
    urls_frozen: int = 0
    requests_sent: int = 0
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    running: float = 0.0  # seconds from the first worker's start to the last one's end

    def site_files(self) -> dict[str, Path]:
        """Site path → file on disk for every frozen file of every example."""
        out: dict[str, Path] = {}
        for name, frozen in sorted(self.frozen.items()):
            for relative in frozen.all_files():
                out[f"{self.prefix}/{name}/{relative}"] = frozen.directory / relative
        return out


class Builder:
    """Freeze the examples a set of pages uses and capture their requests."""

    def __init__(self, settings: Settings, *, log: Log = print) -> None:
        self.settings = settings
        self.log = log
        self.store = cache.Store(settings.cache_dir)

    def build(self, pages: Mapping[str, str]) -> BuildResult:
        """Run every example the pages show; raise :class:`BuildFailed` listing every problem."""
        under_way = self.start(pages)
        try:
            result = under_way.finish()
        except BaseException:  # Ctrl-C while it waits: the workers end with it
            under_way.stop()
            raise
        if result.errors:
            raise BuildFailed([problem.error for problem in result.errors])
        return result

    def start(self, pages: Mapping[str, str]) -> BuildUnderWay:
        """Check the pages and start the examples that must run; return at once.

        Pages are taken in the order given: examples the first pages need are
        started first. Problems found before any example runs are in
        :meth:`BuildUnderWay.problems` already.
        """
        under_way = self.prepare(pages)
        under_way.launch()
        return under_way

    def prepare(self, pages: Mapping[str, str]) -> BuildUnderWay:
        """:meth:`start` but the start: :meth:`BuildUnderWay.launch` starts the examples.

        A caller that must be able to stop the build (a Ctrl-C can come at any
        moment) holds it before any worker starts.
        """
        settings = self.settings
        errors: list[SiteAppError] = []
        found: list[Block] = []
        for page, text in sorted(pages.items()):
            scanned = directive.scan(text, page)
            found += scanned.blocks
            errors += scanned.errors
        errors += policy.check_pages(pages, settings)
        known = discover.discover(settings.snippets_dir, settings.root)

        folder = settings.display(settings.snippets_dir)
        ready: list[tuple[Block, Example, list[ShownFile]]] = []
        for block in found:
            example = known.get(block.example)
            if example is None:
                errors.append(
                    BlockError(
                        f"there is no example '{block.example}' under {folder}/",
                        where=block.where,
                        fix=discover.suggest(known, block.example, folder),
                    )
                )
                continue
            try:
                ready.append((block, example, sources.resolve_files(block, example)))
            except BlockError as error:
                errors.append(error)
        errors += policy.check_examples(known, (b.example for b in found), pages, settings)
        return BuildUnderWay(self, pages, known, ready, errors)


class BuildUnderWay:
    """A build under way: examples run in worker processes while the caller works.

    Thread-safe: a background thread collects what the workers send back.
    """

    def __init__(
        self,
        builder: Builder,
        pages: Mapping[str, str],
        known: dict[str, Example],
        ready: list[tuple[Block, Example, list[ShownFile]]],
        errors: list[SiteAppError],
    ) -> None:
        self.builder = builder
        self.settings = builder.settings
        self.pages = pages
        self.known = known
        self.ready = ready
        self.static_errors = list(errors)
        self.result = BuildResult(known, {}, {}, prefix=self.settings.examples_url)
        self._outputs: dict[str, Output] = {}
        self._failures: dict[str, list[SiteAppError]] = {}  # example → what its run raised
        self._order: list[str] = []  # failed examples, in the order they failed
        self._settled: set[str] = set()  # examples with an output or a failure, or not run
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._finished: BuildResult | None = None
        prefix = re.escape(self.settings.examples_url.strip("/"))
        self._link_re = re.compile(rf"(?<![\w/-]){prefix}/(\w+)")

    # -- what a page needs ------------------------------------------------

    def shown_on(self, page: str) -> set[str]:
        """The examples the blocks of ``page`` show."""
        return {example.name for block, example, _ in self.ready if block.page == page}

    def linked_from(self, markdown: str) -> set[str]:
        """The examples whose frozen files a page names (``examples/<name>/...``)."""
        return {m[1] for m in self._link_re.finditer(markdown) if m[1] in self.known}

    def needed_by(self, page: str, markdown: str) -> set[str]:
        return self.shown_on(page) | self.linked_from(markdown)

    # -- running ----------------------------------------------------------

    def launch(self) -> None:
        """Start the examples that must run, in a thread of their own; return at once."""
        settings, result = self.settings, self.result
        first_need: dict[str, int] = {}
        for index, (page, text) in enumerate(self.pages.items()):
            for name in self.needed_by(page, text):
                first_need.setdefault(name, index)
        jobs: list[tuple[Job, str]] = []
        box = self._box()
        for name, example in self.known.items():
            requested = tuple(
                BlockRequests(b.page, b.line, b.request_lines, b.requests)
                for b, e, _ in self.ready
                if e is example
            )
            if not requested and settings.require_shown:
                self._settled.add(name)
                continue  # reported as not shown
            distinct = sorted({repr(b.requests) for b in requested})
            key = cache.example_key(_file_digests(example), (settings.examples_url, distinct))
            cached = self.builder.store.load(name, key)
            if isinstance(cached, Output) and _still_on_disk(cached.frozen):
                self._outputs[name] = cached
                self._settled.add(name)
                result.reused.append(name)
                continue
            passed = tuple((k, os.environ[k]) for k in example.settings.env if k in os.environ)
            jobs.append(
                (Job(settings, example, requested, passed, box.writable, box.read_only), key)
            )
        if result.reused:
            self.builder.log(f"reused {len(result.reused)} unchanged example(s) from the cache")
        if not jobs:
            return  # a warm build starts no worker and never imports Flask
        # The pages MkDocs renders first wait for the examples started first.
        jobs.sort(key=lambda item: first_need.get(item[0].name, len(self.pages)))
        self._thread = threading.Thread(
            target=self._collect, args=(jobs,), name="flask-examples", daemon=True
        )
        self._thread.start()

    def _box(self) -> pool.Sandbox:
        """Where workers may write: the cache, but its stored results."""
        cache_dir = self.settings.cache_dir
        return pool.Sandbox(
            writable=(cache_dir,),
            read_only=(cache_dir / "results",),
            contain=self.settings.contain,
            temporary=cache_dir / "tmp",
        )

    def _collect(self, jobs: list[tuple[Job, str]]) -> None:
        settings = self.settings
        keys = {job.name: key for job, key in jobs}
        started = time.monotonic()
        box = self._box()
        self.builder.log(pool.containment(box))
        try:
            finishing: Iterator[pool.Finished[Job]] = pool.run_in_workers(
                WORKER,
                [job for job, _ in jobs],
                workers=settings.workers or os.cpu_count() or 1,
                timeout=settings.timeout,
                preload=PRELOAD,
                stop=self._stop,
                sandbox=box,
            )
            for finished in finishing:
                self._settle(finished, keys[finished.job.name])
        except BaseException as error:  # reported for every example left
            with self._changed:
                for job, _ in jobs:
                    if job.name not in self._settled:
                        self._fail(job.name, [self._bug(job.name, error)])
        finally:
            with self._changed:
                self.result.running = time.monotonic() - started
                self._settled.update(job.name for job, _ in jobs)
                self._changed.notify_all()

    def _bug(self, name: str, error: BaseException) -> SiteAppError:
        example = self.known[name]
        return ExampleError(
            f"building example '{name}' failed: {describe(error)}",
            where=Location(example.display(example.app_file)),
            fix="this looks like a bug in site_app; please report it",
        )

    def _fail(self, name: str, errors: list[SiteAppError]) -> None:
        self._failures[name] = errors
        self._order.append(name)
        self._settled.add(name)
        self._changed.notify_all()

    def _settle(self, finished: pool.Finished[Job], key: str) -> None:
        settings = self.settings
        name = finished.job.name
        example = self.known[name]
        errors: list[SiteAppError] = []
        if finished.timed_out or finished.died or finished.refused:
            errors.append(pool.ended_badly(finished, example, settings.timeout))
        elif isinstance(finished.error, BuildFailed):
            errors += finished.error.errors
        elif isinstance(finished.error, SiteAppError):
            errors.append(finished.error)
        elif finished.error is not None:
            errors.append(self._bug(name, finished.error))
        if errors:
            with self._changed:
                self._fail(name, errors)
            return
        output: Output = finished.result
        self.builder.store.save(name, key, output)
        sent = sum(len(b.requests) for b in finished.job.blocks)
        if example.settings.is_flask:
            done = f"froze {name}: {len(output.frozen.files)} URLs, {sent} requests"
        else:
            done = f"captured {name} ({example.settings.framework}): {sent} requests"
        self.builder.log(f"{done} in {finished.seconds:.2f} s")
        with self._changed:
            self._outputs[name] = output
            self.result.ran.append(name)
            self._settled.add(name)
            self._changed.notify_all()

    # -- waiting ----------------------------------------------------------

    def wait(self, names: Iterable[str]) -> None:
        """Until each named example has its output or has failed."""
        wanted = set(names) & set(self.known)
        with self._changed:
            self._changed.wait_for(lambda: wanted <= self._settled)

    def failed(self) -> bool:
        """Whether any problem is known yet (the examples still running may add more)."""
        with self._changed:
            return bool(self.static_errors or self._failures)

    def output(self, name: str) -> Output | None:
        with self._changed:
            return self._outputs.get(name)

    def site_files(self, names: Iterable[str]) -> dict[str, Path]:
        """Site path → file on disk for the frozen files of the named, finished examples."""
        out: dict[str, Path] = {}
        prefix = self.result.prefix
        for name in sorted(names):
            output = self.output(name)
            if output is not None:
                for relative in output.frozen.all_files():
                    out[f"{prefix}/{name}/{relative}"] = output.frozen.directory / relative
        return out

    def rendered(self, page: str) -> dict[int, RenderedBlock]:
        """Line → the block, for the blocks of ``page`` whose example has finished well."""
        out: dict[int, RenderedBlock] = {}
        for block, example, files in self.ready:
            output = self.output(example.name) if block.page == page else None
            if output is not None:
                out[block.line] = self._rendered(block, example, files, output)
        _link_downloads_once(out)
        return out

    def _rendered(
        self, block: Block, example: Example, files: list[ShownFile], output: Output
    ) -> RenderedBlock:
        answers = output.answers.get(repr(block.requests), []) if block.requests else []
        zipped = output.frozen.download
        prefix = self.builder.settings.examples_url
        where = f"{prefix}/{example.name}/{zipped}" if zipped else None
        return RenderedBlock(block, example, files, answers, where)

    def stop(self) -> None:
        """Stop the workers still running (a build that failed elsewhere); wait for them."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def finish(self) -> BuildResult:
        """Wait for every example, then the whole result with every problem and its places."""
        if self._finished is not None:
            return self._finished
        if self._thread is not None:
            self._thread.join()
        result = self.result
        for block, example, files in self.ready:
            output = self._outputs.get(example.name)
            if output is None:
                continue  # its failure is reported
            rendered = self._rendered(block, example, files, output)
            result.blocks[(block.page, block.line)] = rendered
            result.requests_sent += len(rendered.answers)
        for name, output in sorted(self._outputs.items()):
            result.frozen[name] = output.frozen
            result.urls_frozen += len(output.frozen.files)
        result.errors = self.problems()
        self._finished = result
        return result

    def problems(self) -> list[Problem]:
        """Every problem known so far, with its places; complete once every example settled."""
        with self._changed:
            found = [e for name in self._order for e in self._failures[name]]
        return [Problem(error, self._places(error)) for error in self.static_errors + found]

    def failed_examples(self) -> set[str]:
        with self._changed:
            return set(self._failures)

    def _places(self, error: SiteAppError) -> tuple[Location, ...]:
        """Where in the pages an error shows: its block, its page line, or its example's blocks."""
        where = error.where
        if where is None:
            return ()
        if where.path in self.pages:
            line = where.line or 1
            lines = self.pages[where.path].splitlines()
            for fence in directive.fences(lines):
                last = len(lines) if fence.end is None else fence.end + 1
                if fence.info == directive.INFO and fence.start + 1 <= line <= last:
                    return (Location(where.path, fence.start + 1),)
            return (Location(where.path, line),)
        for name, example in self.known.items():
            folder = example.display(example.directory) + "/"
            if where.path == folder or where.path.startswith(folder):
                return tuple(
                    sorted(
                        {b.where for b, e, _ in self.ready if e.name == name},
                        key=lambda place: (place.path, place.line or 0),
                    )
                )
        return ()


def _file_digests(example: Example) -> list[tuple[str, bytes]]:
    return [
        (path.relative_to(example.directory).as_posix(), path.read_bytes())
        for path in example.source_files()
    ]


def _still_on_disk(frozen: Frozen) -> bool:
    return frozen.directory.is_dir() and all(
        (frozen.directory / relative).is_file() for relative in frozen.files.values()
    )
