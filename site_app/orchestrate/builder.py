"""Run the whole pipeline for a set of pages, without knowing about MkDocs.

pages (Markdown) → blocks → examples → for each example, in a worker process
of its own: run each block's requests on a fresh app, freeze its pages →
everything a renderer needs. A FastAPI or Django example (``[build]
framework`` in its example.toml) is sent its requests through its own
framework's test client and is not frozen: it has no pages to publish.
An example whose inputs have not changed since the last build is not run
again: its output comes from the cache. The worker is named by its dotted
path (:data:`WORKER`); this side never imports Flask.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..author import directive, discover, policy, sources
from ..errors import BlockError, BuildFailed, ExampleError, Location, SiteAppError, describe
from ..model import Block, BlockRequests, Example, Frozen, Job, Output, Settings, Shown, ShownFile
from ..render import markdown
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

    def markdown(self, site_root: str) -> str:
        return markdown.render(self.block, self.files, self.answers, site_root, self.download)


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

        result = BuildResult(known, {}, {}, prefix=settings.examples_url)
        outputs = self._run_examples(known, ready, result, errors)
        for block, example, files in ready:
            output = outputs.get(example.name)
            if output is None:
                continue  # its failure was reported
            answers = output.answers.get(repr(block.requests), []) if block.requests else []
            zipped = output.frozen.download
            where = f"{result.prefix}/{example.name}/{zipped}" if zipped else None
            result.blocks[(block.page, block.line)] = RenderedBlock(
                block, example, files, answers, where
            )
            result.requests_sent += len(answers)
        if errors:
            raise BuildFailed(errors)
        return result

    def _run_examples(
        self,
        known: dict[str, Example],
        ready: list[tuple[Block, Example, list[ShownFile]]],
        result: BuildResult,
        errors: list[SiteAppError],
    ) -> dict[str, Output]:
        settings = self.settings
        outputs: dict[str, Output] = {}
        jobs: list[tuple[Job, str]] = []
        for name, example in known.items():
            requested = tuple(
                BlockRequests(b.page, b.line, b.request_lines, b.requests)
                for b, e, _ in ready
                if e is example
            )
            if not requested and settings.require_shown:
                continue  # reported as not shown
            distinct = sorted({repr(b.requests) for b in requested})
            key = cache.example_key(_file_digests(example), (settings.examples_url, distinct))
            cached = self.store.load(name, key)
            if isinstance(cached, Output) and _still_on_disk(cached.frozen):
                outputs[name] = cached
                result.reused.append(name)
                continue
            jobs.append((Job(settings, example, requested), key))
        keys = {job.name: key for job, key in jobs}
        finishing: Iterator[pool.Finished[Job]] = iter(())
        if jobs:  # a warm build starts no worker and never imports Flask
            finishing = pool.run(
                WORKER,
                [job for job, _ in jobs],
                workers=settings.workers or os.cpu_count() or 1,
                timeout=settings.timeout,
                preload=PRELOAD,
            )
        for finished in finishing:
            name = finished.job.name
            example = known[name]
            if finished.timed_out:
                errors.append(
                    ExampleError(
                        f"example '{name}' did not finish within {settings.timeout:g} s",
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
                output: Output = finished.result
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


def _still_on_disk(frozen: Frozen) -> bool:
    return frozen.directory.is_dir() and all(
        (frozen.directory / relative).is_file() for relative in frozen.files.values()
    )
