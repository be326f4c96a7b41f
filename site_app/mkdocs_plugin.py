"""The MkDocs adapter, the only module that imports MkDocs: options, the engine
(:mod:`site_app.orchestrate.engine`) started early so examples run while pages render, the
fences (:mod:`site_app.fence`) registered, the engine's files copied when they changed, and
the previous site kept until the new one is whole (a failed or interrupted build leaves it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config import config_options as c
from mkdocs.config.base import LegacyConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from . import fence
from .author.project import OPTIONS, Option, check_extensions, settings_from
from .errors import SiteAppError
from .model import Settings
from .orchestrate.engine import STYLESHEET, STYLESHEET_SOURCE, Engine
from .orchestrate.previous_site import LastGoodSite, stash, unstash

log = logging.getLogger("mkdocs.plugins.flask_examples")
ASSET = STYLESHEET


class _ShownInPage(logging.Filter):
    """Under serve, keeps ``--strict`` from counting what a page shows: the problems,
    and links into the frozen pages of an example that failed."""

    failed: frozenset[str] | set[str] = frozenset()  # "examples/<name>/" of failed examples

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "flask_examples_in_page", False):
            return False
        message = record.getMessage() if record.levelno == logging.WARNING else ""
        return not any(folder in message for folder in self.failed)


_SHOWN = _ShownInPage()


@contextmanager
def _reported() -> Iterator[None]:
    """The library's errors as MkDocs reports a plugin's: the message, no traceback."""
    try:
        yield
    except SiteAppError as error:
        raise PluginError(str(error)) from error


class _Output(File):
    """A file of the engine's: copied only when it changed since the last copy."""

    def copy_file(self, dirty: bool = False) -> None:
        super().copy_file(dirty=True)


def _checked(option: Option) -> Any:
    """MkDocs' check of one of the plugin's options (:data:`~site_app.author.project.OPTIONS`)."""
    if option.default is None:
        return c.Optional(c.Type(option.kinds[0]))
    if option.kinds == (list,):
        return c.ListOfItems(c.Type(str), default=list(option.default))
    return c.Type(
        option.kinds if len(option.kinds) > 1 else option.kinds[0], default=option.default
    )


class FlaskExamplesPlugin(BasePlugin[LegacyConfig]):
    """Run the examples the pages show; the fences put their code and answers in the pages."""

    config_scheme = tuple((name, _checked(option)) for name, option in OPTIONS.items())

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.settings = Settings(Path(), Path(), Path())
        self.command = ""
        self.runner: str | None = None  # the runner's folder in the site, when it ships
        self.kept: list[str] = []  # the engine's folders, which outlive serve's emptying
        self.spent = self.started = 0.0
        self.last_good = LastGoodSite()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.started, self.spent = time.perf_counter(), 0.0
        where = config.config_file_path or "mkdocs.yml"
        with _reported():
            self.settings = settings_from(dict(self.config), Path(where).parent, where)
            check_extensions(where, config.markdown_extensions, config.mdx_configs, self.settings)
        fence.register(config.mdx_configs)
        self.runner = (
            self.config["runner_url"].strip("/") if self.config["browser_runner"] else None
        )
        kept = [self.settings.examples_url, *([self.runner] if self.runner else [])]
        self.kept = kept if self.command == "serve" else []
        if ASSET not in config.extra_css:
            config.extra_css.append(ASSET)
        if self.runner and f"{self.runner}/run.js" not in config.extra_javascript:
            config.extra_javascript.append(f"{self.runner}/run.js")  # loads runner.js on a click
        if self.command in ("build", "gh-deploy"):
            keep = self.config["keep_previous_site"]
            self.last_good.start(Path(config.site_dir), keep_previous=keep)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        stash(Path(config.site_dir), self.kept)

    @event_priority(50)  # early: the examples run while other plugins and the pages work
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        t0 = time.perf_counter()
        unstash(Path(config.site_dir), self.kept)
        if self.engine is not None and self.engine.under_way is not None:
            self.engine.under_way.stop()  # a build under serve that stopped half-way
        serving = self.command == "serve"
        self.engine = Engine(self.settings, log=log.info, runner_url=self.runner, serving=serving)
        pages = {self._key(f): f for f in files.documentation_pages()}
        roots = {key: "../" * f.url.removeprefix("./").count("/") for key, f in pages.items()}
        with _reported():
            self.engine.start({k: f.content_string for k, f in pages.items()}, roots)
            self._add(files, config, self.engine.first_files(repr(config.nav)))
        files.append(File.generated(config, ASSET, abs_src_path=str(STYLESHEET_SOURCE)))
        if serving:  # what a page shows does not count as a warning of --strict
            for handler in logging.getLogger("mkdocs").handlers:
                if isinstance(handler, CountHandler):
                    handler.filters = [f for f in handler.filters if f is not _SHOWN]
                    handler.addFilter(_SHOWN)
        self.spent += time.perf_counter() - t0
        return files

    def _key(self, file: File) -> str:
        """How errors name a page: its path from the project's folder, docs/x.md."""
        path = file.abs_src_path
        return file.src_uri if path is None else self.settings.display(Path(path))

    def _add(self, files: Files, config: MkDocsConfig, new: dict[str, Path]) -> None:
        """Put the engine's files in the site; none may take the place of a page's own."""
        assert self.engine is not None
        for at, source in new.items():
            if files.get_file_from_path(at) is not None:
                raise self.engine.clash(at, self.settings.display(Path(config.docs_dir)))
            files.append(_Output.generated(config, at, abs_src_path=str(source)))

    @event_priority(-100)  # last: the page as every other plugin left it
    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        engine, t0, key = self.engine, time.perf_counter(), self._key(page.file)
        if engine is None or engine.under_way is None:
            return markdown
        with _reported():
            self._add(files, config, engine.page_files(key, markdown))
            index = engine.page_index(key)
            fence.use(lambda info, k, p, seen: index.find(info, k, p, seen), key)
            markdown = engine.page_markdown(key, markdown, page.file.content_string)
        _SHOWN.failed = engine.failed_folders() if engine.serving else frozenset()
        self.spent += time.perf_counter() - t0
        return markdown

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        """Every page is rendered; MkDocs copies the files next: every example's must be there."""
        fence.use(None)
        if self.engine is None:
            return env
        with _reported():
            self._add(files, config, self.engine.last_files())
        if self.engine.finish().errors:
            log.error(
                f"{self.engine.failure()}\n(mkdocs serve shows each problem in its page; "
                "mkdocs build fails until they are fixed)",
                extra={"flask_examples_in_page": True},
            )
        return env

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        server.watch(str(self.settings.snippets_dir))
        return server

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.last_good.whole = True
        if self.engine is not None:
            log.info(self.engine.report(self.spent, time.perf_counter() - self.started))

    def on_build_error(self, *, error: Exception) -> None:
        self.last_good.whole = False
        self.on_shutdown()

    def on_shutdown(self) -> None:
        """Workers stopped; the previous site dropped after a whole build, else put back."""
        if self.engine is not None and self.engine.under_way is not None:
            self.engine.under_way.stop()
        told = self.last_good.end()
        if told:
            log.error(told)
