"""The engine: every example a set of pages needs, with no site builder in sight.

It reads the pages' blocks, runs their examples (worker pool, cache, freeze,
through :class:`~site_app.orchestrate.builder.Builder`), and gives:

- for each block, a :class:`~site_app.render.html.BlockView`, found by the
  block's content (its YAML, as a fence receives it), never by its line;
- the files a site publishes: each example's frozen pages and download, and,
  with the in-browser runner, Pyodide, the wheels and one job per example.

:func:`run_pages` is the one call (``python -m site_app build`` runs it): it
writes those files into an output folder and the blocks into the cache, where
the fence finds them when a site builder without plugins (Zensical) renders
the pages. The MkDocs plugin drives an :class:`Engine` itself, so that
examples run while pages render.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..author import directive, sources
from ..errors import BlockError, BuildFailed, Location, SiteAppError
from ..model import Settings
from ..render import html, runner
from .builder import Builder, BuildResult, BuildUnderWay, RenderedBlock, compare_columns

Log = Callable[[str], None]
INDEX = "blocks.pickle"  # in the cache folder: every block's view, for a later render
STYLESHEET = "assets/flask-examples.css"  # the blocks' styles, in the site
MARKER = ".flask-examples-output"  # in an output folder: the engine may empty it
STYLESHEET_SOURCE = Path(html.__file__).parent / "assets" / "flask-examples.css"


def block_key(body: str) -> str:
    """A block's identity: its YAML, as written, whatever its indentation or line."""
    lines = [line.rstrip() for line in body.expandtabs(4).replace("\r\n", "\n").split("\n")]
    text = textwrap.dedent("\n".join(lines)).strip("\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_keys(text: str, info: str) -> dict[int, str]:
    """First line (from 1) → key of each closed fenced block of ``info`` in a page."""
    lines = text.splitlines()
    out = {}
    for fence in directive.fences(lines):
        if fence.info == info and fence.end is not None:
            out[fence.start + 1] = block_key("\n".join(lines[fence.start + 1 : fence.end]))
    return out


@dataclass
class Index:
    """Every block's view and every comparison table, by content key, in page order.

    Picklable: :func:`run_pages` stores it for a builder that renders in another process.
    """

    # key → (page, the view, or an error box's HTML under serve)
    blocks: dict[str, list[tuple[str, html.BlockView | str]]] = field(default_factory=dict)
    compares: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key → HTML

    def find(self, info: str, key: str, page: str | None, seen: int) -> html.BlockView | str | None:
        """The ``seen``-th block (from 0) with this content, on ``page`` when it is known."""
        table = self.blocks if info == directive.INFO else self.compares
        found: list[tuple[str, html.BlockView | str]] = list(table.get(key, []))
        if page is not None:
            found = [entry for entry in found if entry[0] == page]
        return found[seen % len(found)][1] if found else None


class Engine:
    """A build under way: examples run in workers while the caller renders pages.

    ``roots`` gives each page's relative URL to the site's root (``../``).
    Under ``serving``, a block that failed gets its error in its view instead
    of stopping the build.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        log: Log = print,
        runner_url: str | None = None,
        serving: bool = False,
    ) -> None:
        self.settings = settings
        self.log = log
        self.runner_url = runner_url
        self.serving = serving
        self.under_way: BuildUnderWay | None = None
        self.roots: Mapping[str, str] = {}
        self.keys: dict[tuple[str, int], str] = {}  # (page, line) → a flask-example's key
        self.compare_keys: dict[tuple[str, int], str] = {}  # the same for flask-compare
        self.runnable: dict[str, str] = {}  # example → "" (runs) or why it cannot
        self.published: set[str] = set()  # examples whose frozen files the caller has
        self.first_page = ""  # under serve, the first page shown: it lists what no page shows
        self._pages: dict[str, Index] = {}

    def start(self, pages: Mapping[str, str], roots: Mapping[str, str]) -> BuildUnderWay:
        """Check the pages and start their examples; return at once."""
        self.roots = roots
        self._pages, self.published, self.first_page = {}, set(), ""
        self.keys, self.compare_keys = {}, {}
        for page, text in pages.items():
            for line, key in page_keys(text, directive.INFO).items():
                self.keys[(page, line)] = key
            for line, key in page_keys(text, directive.COMPARE_INFO).items():
                self.compare_keys[(page, line)] = key
        # Held before its thread starts: a Ctrl-C as it starts leaves it to stop.
        self.under_way = Builder(self.settings, log=self.log).prepare(pages)
        self.under_way.launch()
        return self.under_way

    # -- for a site builder, in the order it works -------------------------

    def first_files(self, nav: str) -> dict[str, Path]:
        """What the site needs before a page renders: the files of the examples ``nav``
        links to (waited for) and of those the cache held, and, with the runner, its
        files. Raises when a build that does not serve has failed already."""
        under_way = self.under_way
        assert under_way is not None
        if under_way.failed() and not self.serving:
            raise self.failure()
        nav_links = under_way.linked_from(nav)
        under_way.wait(nav_links)  # a builder checks the nav before any page renders
        files = self.new_site_files([*under_way.result.reused, *nav_links])
        if self.runner_url is not None:
            files.update(self.add_runner())
        return files

    def page_files(self, page: str, markdown: str) -> dict[str, Path]:
        """Wait for the examples ``page`` shows or links to; their files not handed yet.
        Raises when a build that does not serve has failed."""
        assert self.under_way is not None
        needed = self.wait_for_page(page, markdown)
        if self.under_way.failed() and not self.serving:
            raise self.failure()
        return self.new_site_files(needed)

    def page_markdown(self, page: str, markdown: str, source: str) -> str:
        """The page to render: under serve with its problems shown (:meth:`show_problems`),
        else as it is, once no block of it changed since the examples ran."""
        if not self.serving:
            self.check_read(page, markdown)
            return markdown
        self.first_page = self.first_page or page
        return self.show_problems(page, markdown, source, self.first_page == page)

    def failed_folders(self) -> set[str]:
        """``examples/<name>/`` of each example that failed: a served page's links there fail."""
        assert self.under_way is not None
        url = self.settings.examples_url.strip("/")
        return {f"{url}/{name}/" for name in self.under_way.failed_examples()}

    def last_files(self) -> dict[str, Path]:
        """Every example settled: their files not handed yet. Raises when a build that
        does not serve failed."""
        result = self.finish()
        if result.errors and not self.serving:
            raise self.failure()
        return self.new_site_files(result.frozen)

    def clash(self, site_path: str, docs: str) -> SiteAppError:
        """A file of the site's own sources (under ``docs``) where the engine publishes one."""
        url = (self.runner_url or "").strip("/")
        runner = self.runner_url is not None and site_path.startswith(f"{url}/")
        return SiteAppError(
            f"{docs}/{site_path} clashes with "
            f"{'the runner' if runner else 'a frozen page of an example'}",
            fix=f"move it, or set the plugin's {'runner_url' if runner else 'examples_url'} "
            "elsewhere",
        )

    # -- what a page shows ------------------------------------------------

    def wait_for_page(self, page: str, markdown: str) -> set[str]:
        """Wait for the examples ``page`` shows or links to; their names."""
        assert self.under_way is not None
        needed = self.under_way.needed_by(page, markdown)
        self.under_way.wait(needed)
        return needed

    def check_read(self, page: str, markdown: str) -> None:
        """Raise for a block of ``markdown`` the engine has no view of: another plugin
        changed it after the examples ran."""
        index = self.page_index(page)
        for info in (directive.INFO, directive.COMPARE_INFO):
            for line, key in page_keys(markdown, info).items():
                if index.find(info, key, page, 0) is None:
                    raise BlockError(
                        f"the {info} block on line {line} (after front matter) was changed "
                        "by another plugin after the examples ran",
                        where=Location(page),
                        fix="have that plugin leave flask-example blocks as they are",
                    )

    def page_index(self, page: str) -> Index:
        """The views of one page's blocks; call it once the page's examples settled."""
        if page not in self._pages:
            self._pages[page] = self._index([page])
        return self._pages[page]

    def index(self) -> Index:
        """Every page's views; call it once every example settled."""
        assert self.under_way is not None
        return self._index(sorted(self.under_way.pages))

    def _index(self, pages: list[str]) -> Index:
        under_way = self.under_way
        assert under_way is not None
        index = Index()
        problems = under_way.problems() if self.serving else []
        for page in pages:
            at: dict[int, list[str]] = {}
            for problem in problems:
                for place in problem.places:
                    if place.path == page:
                        at.setdefault(place.line or 1, []).append(problem.error.message)
            rendered = under_way.rendered(page)
            first = _first_blocks(rendered)
            for (where, line), key in self.keys.items():
                view: html.BlockView | str | None = None
                if where != page:
                    continue
                if line in rendered:
                    shown = rendered[line]
                    view = self._view(shown, page, first.get(shown.example.name) is shown)
                elif line in at:  # under serve: the box in the block's place
                    view = html.error_box_html(at[line])
                if view is not None:
                    index.blocks.setdefault(key, []).append((page, view))
            self._compares(index, page, list(rendered.values()), at)
        return index

    def _view(self, rendered: RenderedBlock, page: str, first: bool) -> html.BlockView:
        block, example = rendered.block, rendered.example
        files = tuple(
            (shown, sources.shown_text(block, example, shown, position == 0))
            for position, shown in enumerate(rendered.files)
        )
        # A part of the first file: the whole of it is a click away, under the part.
        whole = None
        if block.shows_part and files:
            whole = sources.shown_text(block, example, files[0][0], first=False)
        note = None
        if self.runner_url is not None and rendered.answers:
            reason = self.runnable.get(example.name, "")
            if not reason and self.under_way is not None:
                reason = runner.cannot_run(example, self.under_way.output(example.name))
            note = reason if (first or not reason) else None
        return html.BlockView(
            block,
            files,
            tuple(rendered.answers),
            self.roots.get(page, ""),
            rendered.download,
            note,
            whole=whole,
        )

    def _compares(
        self, index: Index, page: str, rendered: list[RenderedBlock], at: dict[int, list[str]]
    ) -> None:
        under_way = self.under_way
        assert under_way is not None
        text = under_way.pages.get(page, "")
        if directive.COMPARE_INFO not in text:
            return
        failed = under_way.failed_examples()
        try:
            compares = directive.scan_compares(text.splitlines(), page)
        except BlockError as error:
            if not self.serving:
                raise
            box = html.error_box_html([error.message], "This table did not build")
            for (where, _), key in self.compare_keys.items():
                if where == page:
                    index.compares.setdefault(key, []).append((page, box))
            return
        for compare in compares:
            key = self.compare_keys[(page, compare.line)]
            waiting = [name for _, name in compare.columns if name in failed]
            try:
                if waiting:
                    raise BlockError(
                        f"the table waits for {', '.join(waiting)}, which did not build",
                        where=compare.where,
                        fix="fix the example's own error, shown at its block",
                    )
                table = html.compare_table(compare_columns(compare, rendered))
            except BlockError as error:
                if not self.serving:
                    raise
                table = html.error_box_html([error.message], "This table did not build")
            index.compares.setdefault(key, []).append((page, table))

    def show_problems(self, page: str, markdown: str, source: str, first: bool) -> str:
        """Under serve: each problem no block shows, in a box before the page line it
        names (a broken include line left out, or pymdownx.snippets would stop); on the
        ``first`` page, the problems no page shows. ``source`` is the page's file, of which
        ``markdown`` may be the end (MkDocs hands a page over without its front matter)."""
        assert self.under_way is not None
        cut = source[: len(source) - len(markdown)] if source.endswith(markdown) else ""
        offset = cut.count("\n")
        blocks = {line - offset for where, line in self.keys if where == page}
        lines = markdown.split("\n")
        includes = {number for number, _ in sources.includes(markdown)}
        at: dict[int, list[SiteAppError]] = {}
        unplaced = []
        for problem in self.under_way.problems():
            if not problem.places:
                unplaced.append(problem.error)
            for place in problem.places:
                line = min(max((place.line or 1) - offset, 1), len(lines))
                if place.path == page and line not in blocks:
                    at.setdefault(line, []).append(problem.error)
        for line in sorted(at, reverse=True):
            old = lines[line - 1]
            indent = old[: len(old) - len(old.lstrip())]
            box = html.error_box(at[line], title="This line did not build", indent=indent)
            lines[line - 1 : line] = [box] if line in includes else [box, old]
        if first and unplaced:
            lines[:0] = [html.error_box(unplaced, title="The build found a problem no block shows")]
        return "\n".join(lines)

    # -- what a site publishes --------------------------------------------

    def add_runner(self) -> dict[str, Path]:
        """Install the runner, Pyodide and the wheels, and one job per example shown;
        site path → file. Raises :class:`BuildFailed` for an example whose imports the
        shipped wheels lack."""
        under_way, settings, url = self.under_way, self.settings, (self.runner_url or "").strip("/")
        assert under_way is not None
        folder = settings.cache_dir / "runner-site"
        installed = runner.install_runner(folder, settings.root)
        shipped = runner.Shipped.of(sorted((folder / "wheels").glob("*.whl")))
        stdlib = frozenset(sys.stdlib_module_names)
        errors: list[SiteAppError] = []
        files = {f"{url}/{relative}": folder / relative for relative in installed.files}
        for name, example in sorted({e.name: e for _, e, _ in under_way.ready}.items()):
            # What it calls that the browser lacks is known once it ran (see _view).
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
            files[f"{url}/examples/{name}.json"] = target
            self.runnable[name] = ""
        if errors:
            raise BuildFailed(errors)
        return files

    def new_site_files(self, names: Iterable[str]) -> dict[str, Path]:
        """Site path → file for the named examples that finished and were not handed yet."""
        assert self.under_way is not None
        done = {name for name in names if self.under_way.output(name) is not None} - self.published
        self.published |= done
        return self.under_way.site_files(done)

    def failure(self) -> BuildFailed:
        """Every problem, once every example settled, as one error."""
        return BuildFailed([problem.error for problem in self.finish().errors])

    def report(self, spent: float, total: float) -> str:
        """The line a build ends with: what ran, and the share of the build it took."""
        result = self.finish()
        return (
            f"{len(result.frozen)} examples, {result.urls_frozen} URLs frozen, "
            f"{result.requests_sent} requests captured; the plugin took {spent:.2f} s "
            f"of a {total:.2f} s build ({100 * spent / total if total else 0:.0f} %)"
        ) + (
            f"; examples ran for {result.running:.2f} s of it, pages rendered meanwhile"
            if result.ran
            else ""
        )

    def finish(self) -> BuildResult:
        """Wait for every example; the whole result, every problem with its places."""
        assert self.under_way is not None
        return self.under_way.finish()


def _first_blocks(rendered: dict[int, RenderedBlock]) -> dict[str, RenderedBlock]:
    """Each example's first block on the page that sends requests (keyed by line)."""
    first: dict[str, RenderedBlock] = {}
    for line in sorted(rendered):
        if rendered[line].answers:
            first.setdefault(rendered[line].example.name, rendered[line])
    return first


def publish(files: Mapping[str, Path], output: Path) -> int:
    """Make ``output`` hold exactly ``files`` (site path → source); copy only what changed.

    Returns how many files were copied. A file is copied when its size or
    modification time differs from the source's; files no longer published go.
    A folder the engine did not make (no marker file in it) is left alone.
    """
    marker = output / MARKER
    if output.is_dir() and any(output.iterdir()) and not marker.is_file():
        raise SiteAppError(
            f"{output} holds files the engine did not write; it empties its output folder",
            fix="give an empty or new folder, or the one an earlier build wrote",
        )
    output.mkdir(parents=True, exist_ok=True)
    marker.write_text("Written by python -m site_app build; emptied by the next one.\n")
    copied = 0
    for site_path, source in files.items():
        target = output / site_path
        stat = source.stat()
        if target.is_file():
            there = target.stat()
            if (there.st_size, there.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied += 1
    wanted = {output / site_path for site_path in files} | {marker}
    for path in sorted(output.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return copied


def save_index(index: Index, cache_dir: Path) -> Path:
    path = cache_dir / INDEX
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(partial, path)
    return path


def load_index(cache_dir: Path) -> Index | None:
    path = cache_dir / INDEX
    if not path.is_file():
        return None
    index = pickle.loads(path.read_bytes())
    return index if isinstance(index, Index) else None


def run_pages(
    settings: Settings,
    pages: Mapping[str, str],
    output: Path,
    *,
    roots: Mapping[str, str],
    runner_url: str | None = None,
    log: Log = print,
) -> BuildResult:
    """Run every example ``pages`` need; write the site's files into ``output`` and the
    blocks' views into the cache. Raises :class:`BuildFailed` listing every problem."""
    engine = Engine(settings, log=log, runner_url=runner_url)
    under_way = engine.start(pages, roots)
    try:
        files = engine.add_runner() if runner_url is not None else {}
    except SiteAppError:
        under_way.stop()
        raise
    result = engine.finish()
    if result.errors:
        raise BuildFailed([problem.error for problem in result.errors])
    files.update(under_way.site_files(result.frozen))
    files[STYLESHEET] = STYLESHEET_SOURCE
    save_index(engine.index(), settings.cache_dir)
    publish(files, output)
    return result
