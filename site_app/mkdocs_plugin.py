"""The MkDocs adapter, and the only module that imports MkDocs.

It reads every page's ``flask-example`` blocks before pages are rendered,
has the :class:`~site_app.Builder` freeze the examples and capture the
requests, adds the frozen pages to the site under ``examples/<name>/`` and
swaps each block for its rendered tabs. With ``keep_previous_site`` (on by
default), a build that fails leaves the previous site as it was.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from .author import directive, sources
from .errors import BlockError, BuildFailed, SiteAppError
from .model import Block, Settings
from .orchestrate.builder import (
    Builder,
    BuildResult,
    RenderedBlock,
    Run,
    compare_columns,
    errors_at,
)
from .render import markdown as markdown_render
from .render import runner
from .render.markdown import REQUIRED_EXTENSIONS, run_controls

log = logging.getLogger("mkdocs.plugins.flask_examples")
ASSET = "assets/flask-examples.css"
T = TypeVar("T")
_DEFAULTS = Settings(Path(), Path(), Path())


class _ShownInPage(logging.Filter):
    """Keeps ``--strict`` from counting what serve shows in a page.

    Under serve a failed build would leave the browser waiting for a good one,
    so the problems show in the pages instead (and in the terminal, as errors).
    So does a link into the frozen pages of an example that failed: its files
    are missing because of a problem its page already shows.
    """

    def __init__(self) -> None:
        super().__init__()
        self.failed_folders: set[str] = set()  # "examples/<name>/" of examples that failed

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "flask_examples_in_page", False):
            return False
        if record.levelno == logging.WARNING and self.failed_folders:
            message = record.getMessage()
            return not any(folder in message for folder in self.failed_folders)
        return True


def _count_filter() -> _ShownInPage:
    """The filter on this build's ``--strict`` counter (MkDocs adds one per build)."""
    shown = _ShownInPage()
    for handler in logging.getLogger("mkdocs").handlers:
        if isinstance(handler, CountHandler):
            handler.filters = [f for f in handler.filters if not isinstance(f, _ShownInPage)]
            handler.addFilter(shown)
    return shown


class FlaskExamplesConfig(base.Config):
    """Options of the ``flask-examples`` plugin in ``mkdocs.yml``; paths relative to it."""

    snippets_dir = c.Type(str, default="snippets")
    """Folder of the examples: one package per example."""
    cache_dir = c.Type(str, default=".cache/flask-examples")
    """Private folder for frozen pages and stored outputs."""
    examples_url = c.Type(str, default=_DEFAULTS.examples_url)
    """Folder of the site that holds each example's frozen pages."""
    workers = c.Type(int, default=_DEFAULTS.workers)
    """Worker processes for examples; 0 means one per core."""
    timeout = c.Type((int, float), default=_DEFAULTS.timeout)
    """Seconds one example may take to load, set up, answer, freeze and exit."""
    keep_previous_site = c.Type(bool, default=True)
    """On `mkdocs build`, a failed build leaves the previous site as it was."""
    missing_library_fix = c.Type(str, default=_DEFAULTS.missing_library_fix)
    """Advice when an example imports a library that is not installed."""
    # The project's own rules; each is off unless turned on.
    tests_dir = c.Optional(c.Type(str))
    """Rule: every example is imported by a test file in this folder."""
    require_shown = c.Type(bool, default=_DEFAULTS.require_shown)
    """Rule: every example is shown on some page."""
    forbid_typed_python = c.Type(bool, default=_DEFAULTS.forbid_typed_python)
    """Rule: Python on a page comes from examples only, never typed into the page."""
    check_includes = c.Type(bool, default=_DEFAULTS.check_includes)
    """Rule: every --8<-- include of a page names a file of an example."""
    forbid_text = c.ListOfItems(c.Type(str), default=[])
    """Rule: no page holds any of these texts (a scaffold's placeholders, say)."""
    browser_runner = c.Type(bool, default=False)
    """Ship the in-browser runner: a Run button on every block whose example runs in Pyodide.

    Needs Node.js and `npm ci` (the pinned Pyodide), and browser/requirements.txt."""
    runner_url = c.Type(str, default="runner")
    """Folder of the site that holds the runner, Pyodide and the wheels."""


class FlaskExamplesPlugin(BasePlugin[FlaskExamplesConfig]):
    """Expand ``flask-example`` blocks into tested code and real responses."""

    def __init__(self) -> None:
        self.result: BuildResult | None = None
        self.run: Run | None = None
        self.added: set[str] = set()  # examples whose frozen files are in the site
        self.first_page: str | None = None
        self.shown = _ShownInPage()
        self.runnable: dict[str, str] = {}  # example -> "" (runs) or why it cannot
        self.settings: Settings | None = None
        self.started = 0.0
        self.spent = 0.0
        self.command: str | None = None
        self.previous: Path | None = None  # the last good site, while a build runs

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
        root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.settings = self.make_settings(root)
        self._check_extensions(config)
        if ASSET not in config.extra_css:
            config.extra_css.append(ASSET)
        script = f"{self.config.runner_url.strip('/')}/run.js"
        if self.config.browser_runner and script not in config.extra_javascript:
            # 2.5 kB; it loads runner.js on the first click of Run or Edit.
            config.extra_javascript.append(script)
        self._keep_previous_site(config)
        return config

    def make_settings(self, root: Path) -> Settings:
        """The build's settings from this plugin's options; ``root`` holds mkdocs.yml."""
        options = self.config
        return Settings(
            root=root,
            snippets_dir=(root / options.snippets_dir).resolve(),
            cache_dir=(root / options.cache_dir).resolve(),
            examples_url=options.examples_url.strip("/"),
            tests_dir=(root / options.tests_dir).resolve() if options.tests_dir else None,
            require_shown=options.require_shown,
            forbid_typed_python=options.forbid_typed_python,
            check_includes=options.check_includes,
            forbid_text=tuple(options.forbid_text),
            missing_library_fix=options.missing_library_fix,
            workers=options.workers,
            timeout=float(options.timeout),
        )

    def _check_extensions(self, config: MkDocsConfig) -> None:
        """The Markdown extensions a rendered block needs, configured as it needs them."""
        assert self.settings is not None
        where = config.config_file_path
        folder = self.config.snippets_dir
        for name, required in REQUIRED_EXTENSIONS.items():
            options = config.mdx_configs.get(name, {})
            if name not in config.markdown_extensions:
                extra = "".join(f" with {k}: {str(v).lower()}" for k, v in required.items())
                if name == "pymdownx.snippets":
                    extra = f" with base_path: [{folder}] and check_paths: true"
                raise PluginError(
                    f"{where}: the flask-examples plugin needs the Markdown extension {name}\n"
                    f"    fix: add it under markdown_extensions{extra}"
                )
            for key, value in required.items():
                if options.get(key) != value:
                    raise PluginError(
                        f"{where}: the flask-examples plugin needs {name} with {key}: "
                        f"{str(value).lower()}\n    fix: set it under markdown_extensions"
                    )
        snippets = config.mdx_configs.setdefault("pymdownx.snippets", {})
        # Make include paths absolute so a build works from any directory.
        bases = snippets.get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else bases
        snippets["base_path"] = [str((self.settings.root / b).resolve()) for b in bases]
        if str(self.settings.snippets_dir) not in snippets["base_path"]:
            raise PluginError(
                f"{where}: pymdownx.snippets does not look in {folder}/\n"
                f"    fix: add {folder} to its base_path"
            )

    def _keep_previous_site(self, config: MkDocsConfig) -> None:
        """Move the last good site aside; on_build_error puts it back.

        ``site_dir`` stays what the project set, so every other plugin writes
        where it expects to. A folder left aside by a build that was killed
        is the last good site: it comes back first.
        """
        self.previous = None
        if self.command not in ("build", "gh-deploy") or not self.config.keep_previous_site:
            return
        site = Path(config.site_dir)
        aside = site.with_name(site.name + ".previous")
        if aside.is_dir():
            shutil.rmtree(site, ignore_errors=True)
            aside.rename(site)
        if site.is_dir():
            site.rename(aside)
            self.previous = aside

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        return self._timed(lambda: self._start(files, config))

    def _start(self, files: Files, config: MkDocsConfig) -> Files:
        """Check the pages and start the examples; pages render while they run."""
        settings = self.settings
        assert settings is not None
        if self.run is not None:  # a build under serve that stopped half-way
            self.run.stop()
        self.result = None
        self.added = set()
        self.first_page = None
        # In MkDocs' order: the examples the first pages need start first.
        pages = {self._page_key(f, settings): f.content_string for f in files.documentation_pages()}
        self.run = Builder(settings, log=lambda message: log.info(message)).start(pages)
        if self.run.failed() and not self.serving:
            self._fail()
        if self.serving:
            self.shown = _count_filter()
        # Reused examples' files join the site now; the others once they are
        # frozen, and at the latest before a page that links to them renders.
        self._add_files(files, config, self.run.result.reused)
        nav_links = self.run.linked_from(repr(config.nav))
        if nav_links:  # the nav is checked before any page renders
            self.run.wait(nav_links)
            self._add_files(files, config, nav_links)
        css = Path(__file__).parent / "render" / "assets" / "flask-examples.css"
        files.append(File.generated(config, ASSET, abs_src_path=str(css)))
        if self.config.browser_runner:
            try:
                self._add_runner(files, config)
            except SiteAppError as error:
                raise PluginError(str(error)) from error
        return files

    @property
    def serving(self) -> bool:
        """Under ``mkdocs serve`` a problem shows in its page; elsewhere it fails the build."""
        return self.command == "serve"

    def _fail(self) -> None:
        """Wait for every example, then fail with every problem, as one message."""
        assert self.run is not None
        result = self.run.finish()
        error = BuildFailed([problem.error for problem in result.errors])
        raise PluginError(str(error)) from error

    def _add_files(self, files: Files, config: MkDocsConfig, names: Iterable[str]) -> None:
        """Put the frozen files of the named, finished examples in the site."""
        assert self.run is not None
        assert self.settings is not None
        docs = self.settings.display(Path(config.docs_dir))
        for site_path, source in self.run.site_files(set(names) - self.added).items():
            if files.get_file_from_path(site_path) is not None:
                raise PluginError(
                    f"{docs}/{site_path} clashes with a frozen page of an example\n"
                    f"    fix: move it, or set the plugin's examples_url elsewhere"
                )
            files.append(File.generated(config, site_path, abs_src_path=str(source)))
        self.added |= {name for name in names if self.run.output(name) is not None}

    def _add_runner(self, files: Files, config: MkDocsConfig) -> None:
        """Copy the runner, Pyodide and the wheels into the site; one job file per example."""
        assert self.run is not None
        assert self.settings is not None
        settings, url = self.settings, self.config.runner_url.strip("/")
        folder = settings.cache_dir / "runner-site"
        installed = runner.install_runner(folder, settings.root)
        shipped = runner.Shipped.of(sorted((folder / "wheels").glob("*.whl")))
        stdlib = frozenset(sys.stdlib_module_names)
        used = {example.name: example for _, example, _ in self.run.ready}
        self.runnable = {}
        errors: list[SiteAppError] = []
        jobs: list[str] = []
        for name, example in sorted(used.items()):
            # What it calls that the browser lacks is known once it ran (see _block).
            self.runnable[name] = runner.cannot_run(example, None)
            if self.runnable[name]:
                continue
            try:
                packages = runner.check_imports(example, shipped, stdlib)
            except BuildFailed as failed:
                errors += failed.errors
                continue
            text = json.dumps(runner.example_job(example, packages), sort_keys=True) + "\n"
            target = folder / "examples" / f"{name}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            jobs.append(f"examples/{name}.json")
            self.runnable[name] = ""
        if errors:
            raise BuildFailed(errors)
        for relative in (*installed.files, *jobs):
            site_path = f"{url}/{relative}"
            if files.get_file_from_path(site_path) is not None:
                raise PluginError(
                    f"{site_path} is both a page's file and the runner's\n"
                    "    fix: move it, or set the plugin's runner_url elsewhere"
                )
            files.append(File.generated(config, site_path, abs_src_path=str(folder / relative)))

    @staticmethod
    def _page_key(file: File, settings: Settings) -> str:
        """How errors name a page: its path from the project's folder, docs/x.md."""
        if file.abs_src_path is None:
            return file.src_uri
        return settings.display(Path(file.abs_src_path))

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        return self._timed(lambda: self._expand(markdown, page, config, files))

    def _expand(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        run, settings = self.run, self.settings
        if run is None or settings is None:
            return markdown
        key = self._page_key(page.file, settings)
        # Wait for what this page shows or links to; MkDocs checks its links
        # against `files` right after this event.
        needed = run.needed_by(key, markdown)
        run.wait(needed)
        if run.failed() and not self.serving:
            self._fail()
        self._add_files(files, config, needed)
        problems = run.problems() if self.serving else []
        prefix = run.result.prefix
        self.shown.failed_folders = {f"{prefix}/{name}/" for name in run.failed_examples()}
        if self.first_page is None:
            self.first_page = key
            unplaced = [problem.error for problem in problems if not problem.places]
        else:
            unplaced = []
        at = errors_at(problems, key)
        scanned = directive.scan(markdown, key)
        compares = directive.COMPARE_INFO in markdown
        if not scanned.blocks and not at and not unplaced and not compares:
            return markdown
        lines = markdown.split("\n")
        source = page.file.content_string
        # MkDocs hands over the page without its front matter: lines moved by
        # as many as it held. (None: another plugin changed the page first.)
        offset = (
            source[: len(source) - len(markdown)].count("\n") if source.endswith(markdown) else None
        )
        rendered = run.rendered(key)
        site_root = "../" * page.url.count("/")
        tables = self._compare_tables(key, lines, offset, rendered) if compares else []
        if offset is None:
            if at:  # cannot place them: show them above the page
                unplaced += [error for errors in at.values() for error in errors]
                at = {}
            built = [rendered[line] for line in sorted(rendered)]
            pairs = list(zip(scanned.blocks, built, strict=False))
            if len(built) != len(scanned.blocks):
                self._changed_by_another_plugin(key)
            first = self._first_blocks(rendered)
            for block, output in reversed(pairs):
                self._check_same(key, block, output)
                shown = self._block(output, site_root, first.get(output.example.name) is output)
                lines[block.line - 1 : block.end_line] = shown.split("\n")
        else:
            self._place(key, lines, scanned.blocks, rendered, at, offset, site_root, markdown)
        # The page's lines moved: find the flask-compare blocks again, in the same order.
        found = [f for f in directive.fences(lines) if f.info == directive.COMPARE_INFO]
        for fence, table in reversed(list(zip(found, tables, strict=True))):
            lines[fence.start : (fence.end or fence.start) + 1] = table.split("\n")
        if unplaced:
            title = "The build found a problem no block shows"
            lines[:0] = [markdown_render.error_box(unplaced, title=title)]
        return "\n".join(lines)

    def _compare_tables(
        self, key: str, lines: list[str], offset: int | None, rendered: dict[int, RenderedBlock]
    ) -> list[str]:
        """For each flask-compare block of the page, the table of its examples' answers
        (an error box instead, under serve, for one that cannot be built)."""
        assert self.run is not None
        failed = set(self.run.failed_examples())
        out = []
        try:
            compares = directive.scan_compares(lines, key, offset or 0)
        except BlockError as error:
            if not self.serving:
                raise PluginError(error.message) from error
            return [markdown_render.error_box([error], title="This table did not build")] * sum(
                f.info == directive.COMPARE_INFO for f in directive.fences(lines)
            )
        for compare in compares:
            waiting = [name for _, name in compare.columns if name in failed]
            try:
                if waiting:
                    raise BlockError(
                        f"the table waits for {', '.join(waiting)}, which did not build",
                        where=compare.where,
                        fix="fix the example's own error, shown at its block",
                    )
                columns = compare_columns(compare, list(rendered.values()))
                out.append(markdown_render.compare_table(columns, compare.indent))
            except BlockError as error:
                if not self.serving:
                    raise PluginError(error.message) from error
                title = "This table did not build"
                out.append(markdown_render.error_box([error], title=title, indent=compare.indent))
        return out

    def _place(
        self,
        key: str,
        lines: list[str],
        blocks: list[Block],
        rendered: dict[int, RenderedBlock],
        at: dict[int, list[SiteAppError]],
        offset: int,
        site_root: str,
        markdown: str,
    ) -> None:
        """Swap each block for its output or its error box; put other errors at their line."""
        edits: dict[int, tuple[int, list[str]]] = {}  # first line (0-based) → (last, new lines)
        first = self._first_blocks(rendered)
        for block in blocks:
            line = block.line + offset
            errors = at.pop(line, [])
            new: list[str] = []
            if errors:
                new.append(markdown_render.error_box(errors, indent=block.indent))
            if line in rendered:
                self._check_same(key, block, rendered[line])
                output = rendered[line]
                new += self._block(
                    output, site_root, first.get(output.example.name) is output
                ).split("\n")
            elif not errors:
                self._changed_by_another_plugin(key)
            edits[block.line - 1] = (block.end_line, new)
        include_lines = {number for number, _ in sources.includes(markdown)}
        for line, errors in at.items():
            index = min(max(line - offset, 1), len(lines)) - 1
            old = lines[index]
            indent = old[: len(old) - len(old.lstrip())]
            box = markdown_render.error_box(errors, title="This line did not build", indent=indent)
            # A broken include would stop pymdownx.snippets: leave it out.
            kept = [] if index + 1 in include_lines else [old]
            edits[index] = (index + 1, [box, *kept])
        for start in sorted(edits, reverse=True):
            end, new = edits[start]
            lines[start:end] = new

    @staticmethod
    def _first_blocks(rendered: dict[int, RenderedBlock]) -> dict[str, RenderedBlock]:
        """Each example's first block on the page that sends requests (keyed by line)."""
        first: dict[str, RenderedBlock] = {}
        for line in sorted(rendered):
            if rendered[line].answers:
                first.setdefault(rendered[line].example.name, rendered[line])
        return first

    def _block(self, rendered: RenderedBlock, site_root: str, first: bool) -> str:
        """A block's tabs, and its Run button when the runner ships. An example that
        cannot run says why under its first block of the page only, not under each."""
        text = rendered.markdown(site_root)
        if self.config.browser_runner and rendered.answers:
            name = rendered.example.name
            reason = self.runnable.get(name, "")
            if not reason and self.run is not None:
                reason = runner.cannot_run(rendered.example, self.run.output(name))
            if first or not reason:
                text += "\n" + run_controls(rendered.block, rendered.files, reason)
        return text

    @staticmethod
    def _changed_by_another_plugin(key: str) -> None:
        raise PluginError(
            f"{key}: its flask-example blocks were changed by another plugin after "
            "the examples were built\n    fix: put flask-examples last in plugins"
        )

    def _check_same(self, key: str, block: Block, rendered: RenderedBlock) -> None:
        same = (block.example, block.requests) == (
            rendered.block.example,
            rendered.block.requests,
        )
        if not same:
            self._changed_by_another_plugin(key)

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        # Every page is rendered; MkDocs copies the files next: every example's must be there.
        self._timed(lambda: self._finish(config, files))
        return env

    def _finish(self, config: MkDocsConfig, files: Files) -> None:
        if self.run is None:
            return
        self.result = self.run.finish()
        if self.result.errors and not self.serving:
            self._fail()
        self._add_files(files, config, self.result.frozen)
        if self.result.errors:
            error = BuildFailed([problem.error for problem in self.result.errors])
            log.error(
                f"{error}\n(mkdocs serve shows each problem in its page; "
                "mkdocs build fails until they are fixed)",
                extra={"flask_examples_in_page": True},
            )

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        assert self.settings is not None
        server.watch(str(self.settings.snippets_dir))
        return server

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._report()

    def on_shutdown(self) -> None:
        # MkDocs calls this after a good build; a failed one goes through on_build_error.
        self._drop_previous()

    def on_build_error(self, *, error: Exception) -> None:
        if self.run is not None:
            self.run.stop()
        if self.previous is None:
            return
        site = self.previous.with_name(self.previous.name.removesuffix(".previous"))
        shutil.rmtree(site, ignore_errors=True)
        self.previous.rename(site)
        self.previous = None
        log.error(f"the build failed; {site} was left as it was")

    def _drop_previous(self) -> None:
        if self.previous is not None:
            shutil.rmtree(self.previous, ignore_errors=True)
            self.previous = None

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
            + (
                f"; examples ran for {result.running:.2f} s of it, pages rendered meanwhile"
                if result.ran
                else ""
            )
        )
