"""The MkDocs adapter, and the only module that knows about MkDocs.

It reads every page's ``flask-example`` blocks before pages are rendered,
has :mod:`site_app.build` freeze the examples and capture the requests, adds
the frozen pages to the site under ``examples/<name>/`` and swaps each block
for its rendered tabs.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from . import blocks
from .build import Builder, BuildResult
from .errors import SiteAppError

log = logging.getLogger("mkdocs.plugins.flask_examples")
ASSET = "assets/flask-examples.css"
T = TypeVar("T")


class FlaskExamplesConfig(base.Config):
    """Options of the ``flask-examples`` plugin in ``mkdocs.yml``."""

    snippets_dir = c.Type(str, default="snippets")
    """Directory of the examples, relative to ``mkdocs.yml``."""
    cache_dir = c.Type(str, default=".cache/flask-examples")
    """Private directory for frozen pages, relative to ``mkdocs.yml``."""
    examples_url = c.Type(str, default="examples")
    """Folder of the site that holds each example's frozen pages."""
    tests_dir = c.Optional(c.Type(str))
    """If set, every example must be imported by a test file there (or hold its own tests)."""
    require_shown = c.Type(bool, default=True)
    """Fail when an example is shown on no page."""
    workers = c.Type(int, default=0)
    """Worker processes for examples; 0 means one per core."""
    timeout = c.Type((int, float), default=60)
    """Seconds an example may take to load, set up, answer and freeze."""
    pages = c.DictOfItems(c.Type(str), default={})
    """Pages made from project files outside docs/: site path -> file (e.g. CONTRIBUTING.md)."""


class FlaskExamplesPlugin(BasePlugin[FlaskExamplesConfig]):
    """Expand ``flask-example`` blocks into tested code and real responses."""

    def __init__(self) -> None:
        self.result: BuildResult | None = None
        self.started = 0.0
        self.spent = 0.0
        self.root = Path.cwd()
        self.command: str | None = None
        self.final_site: Path | None = None
        self.warnings = CountHandler(level=logging.WARNING)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def _timed(self, step: Callable[[], T]) -> T:
        t0 = time.perf_counter()
        try:
            return step()
        finally:
            self.spent += time.perf_counter() - t0

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.started = time.perf_counter()
        self.spent = 0.0
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        snippets = config.mdx_configs.get("pymdownx.snippets")
        if "pymdownx.snippets" not in config.markdown_extensions or snippets is None:
            raise PluginError(
                f"{config.config_file_path}: the flask-examples plugin needs pymdownx.snippets\n"
                "    fix: add it under markdown_extensions with "
                f"base_path: [{self.config.snippets_dir}] and check_paths: true"
            )
        # Make include paths absolute so a build works from any directory.
        bases = snippets.get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else bases
        snippets["base_path"] = [str((self.root / b).resolve()) for b in bases]
        snippets_dir = str(self.root / self.config.snippets_dir)
        if snippets_dir not in snippets["base_path"]:
            raise PluginError(
                f"{config.config_file_path}: pymdownx.snippets does not look in "
                f"{self.config.snippets_dir}/\n"
                f"    fix: add {self.config.snippets_dir} to its base_path"
            )
        if ASSET not in config.extra_css:
            config.extra_css.append(ASSET)
        self._stage(config)
        return config

    def _stage(self, config: MkDocsConfig) -> None:
        """Build into a sibling folder; the real site_dir changes only on success."""
        self.final_site = None
        if self.command not in ("build", "gh-deploy"):
            return  # serve builds into a temporary folder of its own
        final = Path(config.site_dir)
        self.final_site = final
        config.site_dir = str(final.with_name(final.name + ".partial"))
        self.warnings.counts.clear()
        logging.getLogger("mkdocs").addHandler(self.warnings)

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        def step() -> Files:
            self._add_project_pages(files, config)
            pages = {self._page_key(f): f.content_string for f in files.documentation_pages()}
            tests_dir = self.config.tests_dir
            builder = Builder(
                self.root / self.config.snippets_dir,
                self.root / self.config.cache_dir,
                log=lambda message: log.info(message),
                examples_prefix=self.config.examples_url.strip("/"),
                tests_dir=self.root / tests_dir if tests_dir else None,
                require_shown=self.config.require_shown,
                workers=self.config.workers or None,
                timeout=self.config.timeout,
            )
            try:
                self.result = builder.build(pages)
            except SiteAppError as error:
                raise PluginError(str(error)) from error
            for site_path, source in self.result.site_files(builder.prefix).items():
                if files.get_file_from_path(site_path) is not None:
                    raise PluginError(
                        f"docs/{site_path} clashes with a frozen page of an example\n"
                        f"    fix: move it, or set the plugin's examples_url elsewhere"
                    )
                files.append(File.generated(config, site_path, abs_src_path=str(source)))
            css = Path(__file__).with_name("assets") / "flask-examples.css"
            files.append(File.generated(config, ASSET, abs_src_path=str(css)))
            return files

        return self._timed(step)

    def _add_project_pages(self, files: Files, config: MkDocsConfig) -> None:
        """Pages whose source is a project file, so it is written once (CONTRIBUTING.md)."""
        for site_path, source in sorted(self.config.pages.items()):
            path = self.root / source
            if not path.is_file():
                raise PluginError(
                    f"{config.config_file_path}: the page {site_path} is made from {source}, "
                    "which does not exist\n    fix: correct the path under the plugin's pages"
                )
            if files.get_file_from_path(site_path) is not None:
                raise PluginError(
                    f"docs/{site_path} clashes with the page made from {source}\n"
                    "    fix: remove one of them"
                )
            page = File.generated(config, site_path, content=path.read_text(encoding="utf-8"))
            page.abs_src_path = str(path)  # errors name the real file
            docs = Path(config.docs_dir).resolve()
            page.edit_uri = Path(os.path.relpath(path, docs)).as_posix()  # and so does "edit"
            files.append(page)

    def _page_key(self, file: File) -> str:
        """How errors name a page: its path from the project root, docs/x.md."""
        if file.abs_src_path is None:
            return file.src_uri
        path = Path(file.abs_src_path)
        return (
            path.relative_to(self.root).as_posix()
            if path.is_relative_to(self.root)
            else file.src_uri
        )

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        return self._timed(lambda: self._expand(markdown, page))

    def _expand(self, markdown: str, page: Page) -> str:
        result = self.result
        key = self._page_key(page.file)
        scanned = blocks.scan(markdown, key)
        if not scanned.blocks or result is None:
            return markdown
        # MkDocs hands over the page without its front matter, so lines have
        # moved: pair blocks by their order in the page, and check each pair.
        built = [rb for (page_key, _), rb in sorted(result.blocks.items()) if page_key == key]
        site_root = "../" * page.url.count("/")
        lines = markdown.split("\n")
        pairs = list(zip(scanned.blocks, built, strict=False))
        for block, rendered in reversed(pairs):
            same = (block.example, block.requests) == (
                rendered.block.example,
                rendered.block.requests,
            )
            if len(built) != len(scanned.blocks) or not same:
                raise PluginError(
                    f"{key}: its flask-example blocks were changed by another plugin after "
                    "the examples were built\n    fix: put flask-examples last in plugins"
                )
            lines[block.line - 1 : block.end_line] = rendered.markdown(site_root).split("\n")
        return "\n".join(lines)

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        server.watch(str(self.root / self.config.snippets_dir))
        return server

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._report()
        if self.final_site is None:
            return
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        if config.strict and self.warnings.get_counts():
            return  # MkDocs aborts next; on_build_error removes the partial site
        staged, final = Path(config.site_dir), self.final_site
        old = final.with_name(final.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        staged.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        config.site_dir = str(final)
        log.info(f"the new site replaced {final}")

    def on_build_error(self, *, error: Exception) -> None:
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        if self.final_site is not None:
            partial = self.final_site.with_name(self.final_site.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            log.error(f"the build failed; {self.final_site} was left as it was")

    def _report(self) -> None:
        total = time.perf_counter() - self.started
        result = self.result
        if result is None:
            return
        share = 100 * self.spent / total if total else 0.0
        log.info(
            f"{len(result.frozen)} examples, {result.urls_frozen} URLs frozen, "
            f"{result.requests_sent} requests captured; the plugin took "
            f"{self.spent:.2f} s of a {total:.2f} s build ({share:.0f} %)"
        )
