"""Run the whole pipeline for a set of pages, without knowing about MkDocs.

pages (Markdown) → blocks → examples → for each example, in a worker process
of its own: run each block's requests on a fresh app, freeze its pages →
everything a renderer needs. A FastAPI or Django example (``[build]
framework`` in its example.toml) is sent its requests through its own
framework's test client and is not frozen: it has no pages to publish.
An example whose inputs have not changed since the last build is not run
again: its output comes from the cache. What a worker does is in
:mod:`site_app.running`; this side never imports Flask.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import blocks, cache, examples, workers
from .blocks import Block, Shown, ShownFile
from .capture import Request
from .errors import BlockError, BuildFailed, ExampleError, Location, SiteAppError, describe
from .examples import Example
from .freezing import FrozenExample

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
    example: Example  # plain data too: the worker need not look through snippets/ again
    blocks: tuple[BlockRequests, ...]
    prefix: str

    @property
    def name(self) -> str:
        return self.example.name


@dataclass(frozen=True)
class ExampleOutput:
    """One example's frozen pages and the answers to each distinct list of requests."""

    frozen: FrozenExample
    answers: dict[str, list[Shown]]  # keyed by repr() of a block's requests


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
            tests = _test_sources(self.tests_dir)
            problems += [
                ExampleError(
                    f"example '{name}' has no tests",
                    where=Location(example.display(example.directory) + "/"),
                    fix=f"add tests/snippets/test_{name}.py that imports {example.app_module}",
                )
                for name, example in known.items()
                if not _has_tests(example, tests)
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
                str(self.snippets_dir), str(self.cache_dir), example, requested, self.prefix
            )
            jobs.append((job, key))
        keys = {job.name: key for job, key in jobs}
        finishing: Iterator[workers.Finished[ExampleJob]] = iter(())
        if jobs:  # a warm build starts no worker and never imports Flask
            from .running import run_example

            finishing = workers.run(
                run_example, [job for job, _ in jobs], workers=self.workers, timeout=self.timeout
            )
        for finished in finishing:
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


def _test_sources(tests_dir: Path) -> list[str]:
    return [
        path.read_text(encoding="utf-8", errors="replace") for path in tests_dir.rglob("test_*.py")
    ]


def _has_tests(example: Example, tests: list[str]) -> bool:
    """A test file under tests/ imports the example, or the example holds its own tests."""
    if any(example.directory.rglob("test_*.py")):
        return True
    pattern = re.compile(rf"\b{re.escape(example.package)}\b")
    return any(pattern.search(source) for source in tests)
