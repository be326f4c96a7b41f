"""Run the whole pipeline for a set of pages, without knowing about MkDocs.

pages (Markdown) → blocks → examples → freeze each one → run each block's
requests on a fresh app → everything a renderer needs.
"""

from __future__ import annotations

import hashlib
import posixpath
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_frozen import relative_url_for

from . import blocks, examples
from .blocks import Block, Shown, ShownFile
from .capture import Request, Response, perform, status_is_expected
from .errors import BlockError, BuildFailed, RequestFailed, SiteAppError
from .examples import Example
from .freezing import FrozenExample, freeze
from .loading import describe, isolated_modules, load_app, run_setup, where_in_example

Log = Callable[[str], None]


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
    ) -> None:
        self.snippets_dir = snippets_dir.resolve()
        self.cache_dir = cache_dir.resolve()
        self.log = log
        self.prefix = examples_prefix

    def build(self, pages: Mapping[str, str]) -> BuildResult:
        started = time.perf_counter()
        errors: list[SiteAppError] = []
        found: list[Block] = []
        for page, markdown in sorted(pages.items()):
            scanned = blocks.scan(markdown, page)
            found += scanned.blocks
            errors += scanned.errors + blocks.typed_python(markdown, page)
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

        frozen: dict[str, FrozenExample] = {}
        rendered: dict[tuple[str, int], RenderedBlock] = {}
        urls_frozen = sent = 0
        for name, example in known.items():
            t0 = time.perf_counter()
            captured: list[tuple[Block, list[ShownFile], list[Captured]]] = []
            for block, used, files in ready:
                if used is not example:
                    continue
                try:
                    captured.append((block, files, self._capture(block, example)))
                except SiteAppError as error:
                    errors.append(error)
            html_urls = [
                c.request.path
                for *_, answers in captured
                for c in answers
                if c.preview_body is not None
            ]
            try:
                frozen[name] = self._freeze(example, html_urls)
            except SiteAppError as error:
                errors.append(error)
                continue
            for block, files, answers in captured:
                shown = [
                    Shown(c.request, c.response, self._preview(c, frozen[name])) for c in answers
                ]
                rendered[(block.page, block.line)] = RenderedBlock(block, example, files, shown)
                sent += len(shown)
            urls_frozen += len(frozen[name].files)
            self.log(
                f"froze {name}: {len(frozen[name].files)} URLs in {time.perf_counter() - t0:.2f} s"
            )
        if errors:
            raise BuildFailed(errors)
        return BuildResult(
            known, frozen, rendered, time.perf_counter() - started, urls_frozen, sent
        )

    def _instance_dir(self, example: Example) -> tempfile.TemporaryDirectory[str]:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix=f"{example.name}-instance-", dir=self.cache_dir)

    def _fresh_app(self, example: Example, instance: str) -> Flask:
        app = load_app(example, Path(instance))
        run_setup(example, app)
        return app

    def _freeze(self, example: Example, urls: list[str]) -> FrozenExample:
        destination = self.cache_dir / "frozen" / example.name
        with (
            self._instance_dir(example) as instance,
            isolated_modules(self.snippets_dir.name, self.snippets_dir.parent),
        ):
            app = self._fresh_app(example, instance)
            return freeze(example, app, destination, urls)

    def _capture(self, block: Block, example: Example) -> list[Captured]:
        """Run the block's requests in order on one fresh app."""
        if not block.requests:
            return []
        answers: list[Captured] = []
        with (
            self._instance_dir(example) as instance,
            isolated_modules(self.snippets_dir.name, self.snippets_dir.parent),
        ):
            app = self._fresh_app(example, instance)
            client = app.test_client()  # one client, so cookies carry over
            for index, request in enumerate(block.requests):
                response = self._send(block, index, example, client, request)
                body = None
                if request.method == "GET" and response.status_code == 200:
                    if response.is_html:
                        body = self._as_frozen(client, request)
                    elif response.is_image:
                        body = response.body
                answers.append(Captured(request, response, body))
        return answers

    @staticmethod
    def _as_frozen(client: FlaskClient, request: Request) -> bytes:
        """The page as Frozen-Flask writes it: with relative URLs."""
        app = client.application
        previous = app.jinja_env.globals["url_for"]
        app.jinja_env.globals["url_for"] = relative_url_for
        try:
            response, _ = perform(app, request, client)
        finally:
            app.jinja_env.globals["url_for"] = previous
        return response.body

    def _send(
        self, block: Block, index: int, example: Example, client: FlaskClient, request: Request
    ) -> Response:
        where = block.request_where(index)
        try:
            response, raised = perform(client.application, request, client)
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
                f"; the view raised {describe(raised[-1])} "
                f"({where_in_example(example, raised[-1])})"
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

    def _preview(self, captured: Captured, frozen: FrozenExample) -> str | None:
        """Site path of a frozen file that shows exactly this answer, if it is a page."""
        if captured.preview_body is None:
            return None
        path = captured.request.path
        relative = frozen.files.get(path)
        base = f"{self.prefix}/{frozen.name}/"
        if relative and (frozen.directory / relative).read_bytes() == captured.preview_body:
            return base + relative
        # The block changed the app's state before this GET: keep its own copy,
        # in the same folder as the URL's page so relative links still work.
        folder = posixpath.dirname(relative or path.lstrip("/"))
        digest = hashlib.sha256(captured.preview_body).hexdigest()[:12]
        suffix = posixpath.splitext(relative or path)[1] or ".html"
        name = posixpath.join(folder, f"preview-{digest}{suffix}")
        target = frozen.directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(captured.preview_body)
        return base + name
