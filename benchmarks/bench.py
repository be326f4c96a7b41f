"""Benchmark the build: plugin cost, warm rebuilds, freezing, scaling, memory.

Run it through nox, which installs the project and the ``docs`` group::

    nox -s bench                                   # N = 20, 100, 300; 3 runs
    nox -s bench -- --sizes 20,100 --runs 3
    nox -s bench -- --quick                        # N = 5, 20; 1 run: to try it
    nox -s bench -- --quick --profile 100          # and profile a cold build at N = 100

The machine may be shared and noisy, so absolute times mean little. Every
figure is a ratio of two things measured in the same run, the two sides
interleaved (their order alternates from run to run), and the median over the
runs.

What is compared:

- A synthetic guide of N examples, generated in a temporary directory. Each
  example is a Flask app with a template page (``templates/page.html``
  extending ``templates/base.html``) and a JSON route; each has a page whose
  ``flask-example`` block shows two files and sends two requests.
- Its plain twin: the same pages, each block replaced by the Markdown the
  plugin produced for it with the included code pasted in, the frozen pages
  and the plugin's stylesheet copied in as static files, built by MkDocs
  without the plugin and without ``pymdownx.snippets``. The benchmark checks
  that both builds write the same files, so the twin is what the plugin's
  output would be if written by hand.
- The same for the real guide (a copy of the repository's ``mkdocs.yml``,
  ``docs/`` and ``snippets/``, so the repository's own cache is not touched).

Every build is ``python -m mkdocs build -f <yml> -d <dir>`` in a subprocess,
with ``NO_MKDOCS_2_WARNING=1`` and without ``-q`` on both sides (so the
plugin's own report of its share can be read). Wall time is the figure judged;
the ratio of CPU time is shown beside it because it is less disturbed by other
load. Both count every process of a build: the benchmark adopts the plugin's
fork server when ``mkdocs`` exits (Linux's child subreaper), so the CPU time
of its workers is collected too. Peak memory is the largest sum of the
proportional set sizes (PSS: pages a worker shares with the fork server count
once in all) of the build's processes, sampled every 50 ms. A cold build deletes the plugin's
cache directory first; a warm one follows another plugin build with nothing
changed. Builds may write bytecode (``PYTHONDONTWRITEBYTECODE`` is removed from
their environment), as on a contributor's machine: without it every build
compiles every module it imports, which swamps what is measured; ``--no-pyc``
measures that case.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import posixpath
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
PLUGIN = "flask-examples"
SNIPPETS_EXT = "pymdownx.snippets"
DEFAULT_CACHE = ".cache/flask-examples"
DEFAULT_SIZES = (20, 100, 300)
DEFAULT_RUNS = 3
QUICK_SIZES = (5, 20)
BUILD_TIMEOUT = 1800.0
MIN_FROZEN_URLS = 60  # per run of the freezing figure
# Files whose content depends on the day, not on the build.
UNSTABLE_FILES = {"sitemap.xml", "sitemap.xml.gz"}
PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>
SAMPLE_SECONDS = 0.05
ORPHAN_TIMEOUT = 60.0
PLUGIN_LINE = re.compile(r"the plugin took ([\d.]+) s of a ([\d.]+) s build")
_STARTED = time.perf_counter()


class BenchError(Exception):
    """A step failed; the message says which and what it printed."""


def progress(message: str) -> None:
    print(f"[bench {time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# mkdocs.yml, read and written back without resolving its tags
# --------------------------------------------------------------------------


class _Tagged:
    """A node with a tag such as ``!ENV`` or ``!!python/name:``, kept as it was."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Loader.add_multi_constructor("!", lambda _loader, _suffix, node: _Tagged(node))
_Loader.add_multi_constructor(
    "tag:yaml.org,2002:python/", lambda _loader, _suffix, node: _Tagged(node)
)
_Dumper.add_representer(_Tagged, lambda _dumper, tagged: tagged.node)


def read_config(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise BenchError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise BenchError(f"{path} is not a mapping of settings")
    return data


def write_config(path: Path, data: dict[str, Any]) -> None:
    path.write_text(
        yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def _entries(value: Any) -> list[tuple[str, Any]]:
    """``plugins`` or ``markdown_extensions`` as (name, options), list or mapping form."""
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.items())
    out: list[tuple[str, Any]] = []
    for item in value:
        if isinstance(item, dict) and len(item) == 1:
            out += list(item.items())
        else:
            out.append((str(item), None))
    return out


def _without(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != name}
    return [
        item
        for item in value or []
        if item != name and not (isinstance(item, dict) and name in item)
    ]


def plugin_cache_dir(yml: Path) -> Path:
    """The plugin's cache directory for this config (``cache_dir`` option)."""
    options = dict(_entries(read_config(yml).get("plugins")))
    if PLUGIN not in options:
        raise BenchError(f"{yml} does not use the {PLUGIN} plugin")
    cache = (options[PLUGIN] or {}).get("cache_dir", DEFAULT_CACHE)
    if isinstance(cache, _Tagged):  # !ENV [VARIABLE, ..., default], as MkDocs reads it
        node = cache.node
        names = (
            [n.value for n in node.value] if isinstance(node, yaml.SequenceNode) else [node.value]
        )
        cache = next((os.environ[n] for n in names[:-1] if n in os.environ), names[-1])
    return (yml.parent / cache).resolve()


def write_plain_config(yml: Path, plain_docs: Path, destination: Path) -> Path:
    """``yml`` without the plugin and pymdownx.snippets, reading ``plain_docs``."""
    from site_app.mkdocs_plugin import ASSET

    data = read_config(yml)
    data["docs_dir"] = os.path.relpath(plain_docs, destination.parent)
    data["plugins"] = _without(data.get("plugins", ["search"]), PLUGIN)
    data["markdown_extensions"] = _without(data.get("markdown_extensions"), SNIPPETS_EXT)
    extra_css = list(data.get("extra_css") or [])
    if ASSET not in extra_css:
        extra_css.append(ASSET)  # as the plugin does
    data["extra_css"] = extra_css
    write_config(destination, data)
    return destination


# --------------------------------------------------------------------------
# The synthetic guide
# --------------------------------------------------------------------------

SYNTHETIC_YML = """\
site_name: Synthetic guide of {n} examples
site_url: https://synthetic.invalid/
strict: true
theme:
  name: material
  font: false
  features:
    - navigation.instant
    - navigation.footer
    - search.highlight
    - search.suggest
    - content.code.copy
    - content.code.annotate
    - content.tabs.link
plugins:
  - search
  - flask-examples:
      snippets_dir: snippets
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.highlight:
      anchor_linenums: true
      line_spans: __span
      pygments_lang_class: true
  - pymdownx.inlinehilite
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.snippets:
      base_path: [snippets]
      check_paths: true
      dedent_subsections: true
"""

APP_PY = """\
from flask import Flask, render_template

ITEMS = [
    {{"name": "kettle", "price": {a}}},
    {{"name": "teapot", "price": {b}}},
    {{"name": "mug", "price": {c}}},
]


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    @app.get("/")
    def page():
        return render_template("page.html", title="Example {i}", items=ITEMS)

    @app.get("/api/data.json")
    def data():
        return {{"example": {i}, "items": ITEMS, "total": sum(i["price"] for i in ITEMS)}}

    return app
"""

BASE_HTML = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{% block title %}{% endblock %} · Synthetic guide</title>
</head>
<body>
  <nav><a href="{{ url_for('page') }}">Home</a> · <a href="{{ url_for('data') }}">Data</a></nav>
  <main>{% block content %}{% endblock %}</main>
</body>
</html>
"""

PAGE_HTML = """\
{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<ul>
{% for item in items %}
  <li>{{ item.name }}: {{ item.price }} €</li>
{% endfor %}
</ul>
{% endblock %}
"""

PAGE_MD = """\
# Example {i}

A template page and a JSON route. The page extends a base template, which
links to both routes with `url_for`.

```flask-example
example: {name}
files: [app.py, templates/page.html]
requests:
  - GET /
  - GET /api/data.json
```

The JSON route returns a dictionary; Flask turns it into JSON.
"""


def example_name(i: int) -> str:
    return f"ex_{i:04d}"


def generate(root: Path, n: int) -> Path:
    """Write a synthetic guide of ``n`` examples under ``root``; return its mkdocs.yml."""
    if n < 1:
        raise BenchError(f"a synthetic guide needs at least one example, not {n}")
    (root / "docs" / "chapters").mkdir(parents=True)
    (root / "snippets").mkdir()
    (root / "snippets" / "__init__.py").touch()
    links = []
    for i in range(1, n + 1):
        name = example_name(i)
        example = root / "snippets" / name
        (example / "templates").mkdir(parents=True)
        (example / "__init__.py").touch()
        (example / "app.py").write_text(APP_PY.format(i=i, a=i % 7 + 3, b=i % 11 + 5, c=i % 5 + 2))
        (example / "templates" / "base.html").write_text(BASE_HTML)
        (example / "templates" / "page.html").write_text(PAGE_HTML)
        (root / "docs" / "chapters" / f"{name}.md").write_text(PAGE_MD.format(i=i, name=name))
        links.append(f"- [Example {i}](chapters/{name}.md)")
    (root / "docs" / "index.md").write_text(
        f"# Synthetic guide\n\n{n} examples, one page each.\n\n" + "\n".join(links) + "\n"
    )
    yml = root / "mkdocs.yml"
    yml.write_text(SYNTHETIC_YML.format(n=n))
    return yml


# --------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    wall: float  # seconds from spawn to reaped
    cpu: float  # user + system seconds of the build's processes, workers included
    peak_mib: float  # peak of the summed PSS of the build's processes, sampled
    output: str

    @property
    def plugin_share(self) -> float | None:
        """The plugin's share of the build, as the plugin itself reports it."""
        match = PLUGIN_LINE.search(self.output)
        if not match or float(match[2]) == 0:
            return None
        return float(match[1]) / float(match[2])


# Builds may cache bytecode, as on a contributor's machine, unless --no-pyc.
WRITE_BYTECODE = True


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if WRITE_BYTECODE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _become_subreaper() -> None:
    """Adopt the build's orphans, so their CPU time can be counted.

    The plugin's workers fork from a fork server that outlives the ``mkdocs``
    process by a moment; without this, Linux hands it to init, and its CPU
    time (and its workers') is lost to the benchmark.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise BenchError(f"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {ctypes.get_errno()}")


def _children() -> dict[int, list[int]]:
    """Parent pid -> pids of its children, for every process in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                # pid (comm) state ppid ...; comm may hold spaces and parentheses.
                ppid = int(stat.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # it exited meanwhile
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _pss_kib(pid: int) -> int:
    """Proportional set size: private pages plus a fair share of pages shared by forking."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass  # it exited meanwhile
    return 0


def _new_children(before: set[int]) -> list[int]:
    """Children of this process that were not there before the build: the build's."""
    return [pid for pid in _children().get(os.getpid(), []) if pid not in before]


class _MemorySampler(threading.Thread):
    """Every SAMPLE_SECONDS, the summed PSS of the build's processes; keeps the peak."""

    def __init__(self, before: set[int]) -> None:
        super().__init__(daemon=True)
        self.before = before
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            tree = _children()
            below = [pid for pid in tree.get(os.getpid(), []) if pid not in self.before]
            total = 0
            while below:
                pid = below.pop()
                total += _pss_kib(pid)
                below += tree.get(pid, [])
            self.peak_kib = max(self.peak_kib, total)
            self.stop.wait(SAMPLE_SECONDS)


def _reap_orphans(before: set[int], what: str) -> float:
    """Wait for the processes the build left behind (adopted); return their CPU seconds."""
    cpu, deadline = 0.0, time.monotonic() + ORPHAN_TIMEOUT
    while left := _new_children(before):
        for pid in left:
            try:
                done, _, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                continue  # not ours after all
            if done:
                cpu += usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: processes it started still run after it ended: {left}")
        time.sleep(0.005)
    return cpu


def _run(command: Sequence[str], cwd: Path, what: str, timeout: float = BUILD_TIMEOUT) -> Build:
    """Run ``command``; time it, count the CPU time and memory of all its processes."""
    with tempfile.TemporaryFile() as out:
        before = set(_new_children(set()))  # e.g. a test runner's own fork server
        sampler = _MemorySampler(before)
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(
                list(command), stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=_environment()
            )
        except OSError as exc:
            raise BenchError(f"{what}: cannot start {command[0]}: {exc}") from exc
        sampler.start()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            # wait4 counts the child and every descendant it waited for: the
            # fork server waits for its workers, and is itself reaped below.
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            cpu = usage.ru_utime + usage.ru_stime + _reap_orphans(before, what)
        finally:
            timer.cancel()
            sampler.stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
    if proc.returncode != 0:
        tail = "\n".join(output.rstrip().splitlines()[-30:])
        killed = f" (killed after {timeout:.0f} s)" if wall >= timeout else ""
        raise BenchError(
            f"{what} failed with exit code {proc.returncode}{killed}\n"
            f"    command: {' '.join(map(str, command))}\n"
            f"    last lines of its output:\n{textwrap.indent(tail, '      ')}"
        )
    return Build(wall, cpu, sampler.peak_kib / 1024, output)


def run_build(yml: Path, site: Path, *, strict: bool = False, what: str = "") -> Build:
    """``python -m mkdocs build -f yml -d site`` in a subprocess."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(yml), "-d", str(site)]
    if strict:
        command.append("--strict")
    return _run(command, yml.parent, what or f"mkdocs build of {yml}")


# --------------------------------------------------------------------------
# The plain twin, from the Markdown the plugin produced
# --------------------------------------------------------------------------


def _capture_child(plain_docs: Path, yml: Path, site: Path) -> None:
    """Build ``yml`` with the plugin, recording what it produced into ``plain_docs``.

    Every page is written as the plugin handed it on, with every
    ``--8<--`` include pasted in by pymdownx.snippets itself; every file that
    is not a page and not the theme's (the docs' own static files, the frozen
    pages and the plugin's stylesheet) is copied.
    """
    import markdown
    from mkdocs.__main__ import cli

    from site_app.mkdocs_plugin import FlaskExamplesPlugin

    on_files = FlaskExamplesPlugin.on_files
    on_page_markdown = FlaskExamplesPlugin.on_page_markdown
    on_env = FlaskExamplesPlugin.on_env
    written: set[str] = set()

    def write(uri: str, content: bytes) -> None:
        target = plain_docs / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)

    def record(files: Any, config: Any, before: set[str]) -> None:
        docs = Path(config.docs_dir).resolve()
        for f in files:
            if f.is_documentation_page() or f.src_uri in written:
                continue
            source = Path(f.abs_src_path).resolve() if f.abs_src_path else None
            if f.src_uri not in before or (source and source.is_relative_to(docs)):
                write(f.src_uri, f.content_bytes)
                written.add(f.src_uri)

    def recording_files(self: Any, files: Any, /, *, config: Any) -> Any:
        self.bench_before = {f.src_uri for f in files}
        files = on_files(self, files, config=config)
        record(files, config, self.bench_before)
        return files

    def recording_env(self: Any, env: Any, /, *, config: Any, files: Any) -> Any:
        # Frozen files of the examples that ran join the site while pages render.
        env = on_env(self, env, config=config, files=files)
        record(files, config, self.bench_before)
        return env

    def recording_markdown(self: Any, text: str, /, *, page: Any, config: Any, files: Any) -> str:
        out = on_page_markdown(self, text, page=page, config=config, files=files)
        md = markdown.Markdown(
            extensions=[SNIPPETS_EXT],
            extension_configs={SNIPPETS_EXT: dict(config.mdx_configs.get(SNIPPETS_EXT, {}))},
        )
        pasted = "\n".join(md.preprocessors["snippet"].run(out.split("\n")))
        head = ""
        if page.meta:
            head = "---\n" + yaml.safe_dump(page.meta, sort_keys=False, allow_unicode=True)
            head += "---\n\n"
        write(page.file.src_uri, (head + pasted).encode("utf-8"))
        return out

    FlaskExamplesPlugin.on_files = recording_files  # type: ignore[method-assign]
    FlaskExamplesPlugin.on_page_markdown = recording_markdown  # type: ignore[method-assign]
    FlaskExamplesPlugin.on_env = recording_env  # type: ignore[method-assign]
    cli.main(["build", "-f", str(yml), "-d", str(site)], prog_name="mkdocs")


@dataclass
class Site:
    """A guide with the plugin, and its plain twin."""

    label: str
    n: int  # examples
    yml: Path
    plain_yml: Path
    plain_docs: Path
    cache_dir: Path
    work: Path  # where its builds write

    def site_dir(self, kind: str) -> Path:
        return self.work / f"site-{kind}"


def prepare(label: str, yml: Path, n: int, work: Path) -> Site:
    """Capture the plugin's output for ``yml``, write the plain twin, check they match."""
    work.mkdir(parents=True, exist_ok=True)
    plain_docs = yml.parent / "plain-docs"
    if plain_docs.exists():
        shutil.rmtree(plain_docs)
    plain_yml = write_plain_config(yml, plain_docs, yml.parent / "mkdocs.plain.yml")
    site = Site(label, n, yml, plain_yml, plain_docs, plugin_cache_dir(yml), work)
    progress(f"{label}: capturing the plugin's Markdown for the plain twin (a plugin build)")
    child = [sys.executable, str(Path(__file__).resolve()), "_capture", str(plain_docs)]
    _run(
        [*child, str(yml), str(site.site_dir("captured"))],
        yml.parent,
        f"{label}: the capture build (mkdocs build with the plugin)",
    )
    pages = sorted(plain_docs.rglob("*.md"))
    if not pages:
        raise BenchError(f"{label}: the capture build wrote no page into {plain_docs}")
    left = [p for p in pages if _has_blocks(p)]
    if left:
        raise BenchError(f"{label}: the plain twin still has flask-example blocks: {left[:3]}")
    progress(f"{label}: building the plain twin once, and comparing it with the plugin's site")
    run_build(plain_yml, site.site_dir("plain"), what=f"{label}: plain build")
    differ = different_files(site.site_dir("captured"), site.site_dir("plain"), project_pages(yml))
    if differ:
        raise BenchError(
            f"{label}: the plain twin does not build the same site as the plugin; "
            f"these files differ: {', '.join(differ[:10])}"
        )
    return site


def _has_blocks(page: Path) -> bool:
    """Whether the plugin would see a flask-example block in this page."""
    from site_app.author import directive

    scanned = directive.scan(page.read_text(encoding="utf-8"), page.name)
    return bool(scanned.blocks or scanned.errors)


# A page the plugin makes from a project file (its ``pages`` option) links
# "edit" and "view source" to that file; in the twin the same page is written
# in docs/, so its links name docs/. Those two links are all that may differ.
_SOURCE_LINK = re.compile(rb'(<a href=")[^"]*(" title="[^"]*" class="md-content__button)')


def _comparable(name: str, content: bytes, project_pages: set[str]) -> bytes:
    """What must match between the two sites, with the known differences taken out."""
    if name == "search/search_index.json":
        # The plugin adds its pages after MkDocs has listed docs/, so they are
        # indexed last; the index is a set of entries, so compare it as one.
        index = json.loads(content)
        index["docs"] = sorted(index["docs"], key=lambda d: json.dumps(d, sort_keys=True))
        return json.dumps(index, sort_keys=True).encode()
    if name in project_pages:
        return _SOURCE_LINK.sub(rb"\1\2", content)
    return content


def different_files(a: Path, b: Path, project_pages: Sequence[str] = ()) -> list[str]:
    """Relative paths that are not the same in two built sites (day-stamped ones aside).

    ``project_pages`` are the site paths of pages made from project files.
    """
    built = {_html_of(page) for page in project_pages}

    def listing(root: Path) -> dict[str, Path]:
        return {
            p.relative_to(root).as_posix(): p
            for p in root.rglob("*")
            if p.is_file() and p.name not in UNSTABLE_FILES
        }

    left, right = listing(a), listing(b)
    names = sorted(set(left) | set(right))
    return [
        n
        for n in names
        if n not in left
        or n not in right
        or _comparable(n, left[n].read_bytes(), built)
        != _comparable(n, right[n].read_bytes(), built)
    ]


def _html_of(page: str) -> str:
    """Where MkDocs writes a page (directory URLs): a/b.md -> a/b/index.html."""
    folder, stem = posixpath.split(posixpath.splitext(page)[0])
    return posixpath.join(folder, "" if stem == "index" else stem, "index.html")


def project_pages(yml: Path) -> list[str]:
    """The site paths of the pages the guide's hook makes from project files."""
    hooks = read_config(yml).get("hooks") or []
    if not any(str(hook).endswith("project_pages.py") for hook in hooks):
        return []
    from tools.project_pages import PAGES

    return sorted(PAGES)


def copy_guide(destination: Path) -> Path:
    """Copy the real guide (everything but caches, outputs and VCS); return its mkdocs.yml."""
    top_level = {".git", ".venv", ".nox", ".cache", "site", "build", "htmlcov", "test-results"}
    top_level |= {"node_modules"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in {"__pycache__", ".pytest_cache", ".ruff_cache"}}
        skip |= {n for n in names if n.endswith(".egg-info") or n.startswith(".coverage")}
        if Path(directory).resolve() == ROOT:
            skip |= top_level & set(names)
        return skip

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)
    yml = destination / "mkdocs.yml"
    if not yml.is_file():
        raise BenchError(f"the guide has no mkdocs.yml at {ROOT}")
    return yml


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------


@dataclass
class Runs:
    """The builds of one site, run by run."""

    cold: list[Build] = field(default_factory=list)
    warm: list[Build] = field(default_factory=list)
    plain: list[Build] = field(default_factory=list)


def measure_builds(site: Site, runs: int) -> Runs:
    """Per run: a cold plugin build, a plain build and a warm plugin build, interleaved."""
    out = Runs()
    what = {
        "cold": "cold build with the plugin (cache deleted)",
        "plain": "plain build",
        "warm": "warm rebuild with the plugin (nothing changed)",
    }
    for run in range(runs):
        # Alternate the order so drift in the machine's load hits both sides.
        order = ("cold", "plain", "warm") if run % 2 == 0 else ("warm", "plain", "cold")
        for kind in order:
            progress(f"{site.label}: run {run + 1}/{runs}: {what[kind]}")
            if kind == "cold":
                shutil.rmtree(site.cache_dir, ignore_errors=True)
            yml = site.plain_yml if kind == "plain" else site.yml
            build = run_build(yml, site.site_dir(kind), what=f"{site.label}: {what[kind]}")
            getattr(out, kind).append(build)
    return out


@dataclass(frozen=True)
class Freezing:
    ratios: list[float]  # per run: time to freeze ÷ time to GET, same URLs
    urls: int  # frozen per run (a small guide is gone through several times)
    freeze_per_url: float  # median seconds
    get_per_url: float


@contextmanager
def _loaded(example: Any, snippets_dir: Path) -> Iterator[Any]:
    """A freshly imported app of ``example``, set up as the build sets it up."""
    from site_app import Settings
    from site_app.execute.load import isolated_modules, prepared_app

    with (
        tempfile.TemporaryDirectory(prefix="instance-") as instance,
        isolated_modules(snippets_dir.name, snippets_dir.parent),
    ):
        settings = Settings(snippets_dir.parent, snippets_dir, Path(instance))
        yield prepared_app(example, Path(instance), settings)


def measure_freezing(label: str, snippets_dir: Path, runs: int, scratch: Path) -> Freezing:
    """site_app.execute.freeze.freeze vs the test client's GET of the same URLs, in this process.

    Each side gets its own freshly loaded app (loading is not timed), so both
    pay for compiling templates on first use.
    """
    from site_app.author.discover import discover
    from site_app.execute.freeze import freeze

    # FastAPI and Django examples are captured, never frozen.
    known = {n: e for n, e in discover(snippets_dir).items() if e.settings.is_flask}
    if not known:
        raise BenchError(f"{label}: no Flask example under {snippets_dir}")
    scratch.mkdir(parents=True, exist_ok=True)
    urls: dict[str, list[str]] = {}
    for name, example in known.items():  # which URLs freezing visits (not timed)
        with _loaded(example, snippets_dir) as app:
            frozen = freeze(example, app, scratch / f"{name}-urls", [])
        urls[name] = sorted(frozen.files)
    # A small guide is gone through several times per run, so a run is long
    # enough to measure.
    repeats = max(1, -(-MIN_FROZEN_URLS // sum(len(u) for u in urls.values())))
    count = repeats * sum(len(u) for u in urls.values())
    ratios, freeze_times, get_times = [], [], []
    for run in range(runs):
        progress(f"{label}: freezing vs test-client GET, run {run + 1}/{runs} ({count} URLs)")
        spent = {"freeze": 0.0, "get": 0.0}
        items = [(r, *item) for r in range(repeats) for item in known.items()]
        for position, (repeat, name, example) in enumerate(items):
            sides = ("freeze", "get") if (run + position) % 2 == 0 else ("get", "freeze")
            for side in sides:
                with _loaded(example, snippets_dir) as app:
                    destination = scratch / f"{name}-{run}-{repeat}"
                    started = time.perf_counter()
                    if side == "freeze":
                        freeze(example, app, destination, [])
                    else:
                        client = app.test_client()
                        for url in urls[name]:
                            client.get(url).get_data()
                    spent[side] += time.perf_counter() - started
        ratios.append(spent["freeze"] / spent["get"])
        freeze_times.append(spent["freeze"] / count)
        get_times.append(spent["get"] / count)
    return Freezing(ratios, count, statistics.median(freeze_times), statistics.median(get_times))


def profile_build(n: int, work: Path, top: int = 15) -> str:
    """Profile one cold plugin build of a synthetic guide of ``n`` examples."""
    import pstats

    root = work / f"profile-{n}"
    progress(f"profile: generating a synthetic guide of {n} examples")
    yml = generate(root, n)
    stats_file = work / f"profile-{n}.prof"
    progress(f"profile: a cold build with the plugin under cProfile (N = {n})")
    command = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "mkdocs", "build"]
    built = _run(
        [*command, "-f", str(yml), "-d", str(work / f"profile-{n}-site")],
        root,
        "the profiled build",
    )
    stats = pstats.Stats(str(stats_file))
    site_app = str(ROOT / "site_app")
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(cumulative for _, _, _, cumulative, _ in entries.values())

    def shown(where: tuple[str, int, str]) -> str:
        filename = where[0]
        if filename.startswith(str(ROOT)):
            filename = os.path.relpath(filename, ROOT)
        return f"{filename}:{where[1]}({where[2]})"

    inside = sorted(
        (
            (cumulative, calls, where)
            for where, (_, calls, _, cumulative, _) in entries.items()
            if where[0].startswith(site_app)
        ),
        reverse=True,
    )[:top]
    own: dict[str, float] = {}
    for where, (_, _, own_time, _, _) in entries.items():
        own[_package(where[0])] = own.get(_package(where[0]), 0.0) + own_time
    lines = [
        f"Profile of a cold build with the plugin, N = {n}: {total:.2f} s under cProfile "
        f"({built.wall:.2f} s wall, {built.plugin_share or 0:.0%} plugin share by its own log)",
        f"Top {top} cumulative entries inside site_app/ (cumulative, share of the build, calls):",
        *(
            f"  {cum:7.2f} s {100 * cum / total:5.1f} % {calls:7d}  {shown(where)}"
            for cum, calls, where in inside
        ),
        "Own time by package, whole build (where the time is actually spent):",
        *(
            f"  {seconds:7.2f} s {100 * seconds / total:5.1f} %  {package}"
            for package, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:top]
        ),
        f"Top {top} functions by own time, whole build:",
        *(
            f"  {own_time:7.2f} s {100 * own_time / total:5.1f} % {calls:7d}  {shown(where)}"
            for own_time, calls, where in sorted(
                ((t, c, w) for w, (_, c, t, _, _) in entries.items()), reverse=True
            )[:top]
        ),
    ]
    return "\n".join(lines)


def _package(filename: str) -> str:
    """Which package a profiled function belongs to."""
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if filename.startswith(str(ROOT)):
        return path.relative_to(ROOT).parts[0]
    if filename == "~":
        return "functions in C (builtins, re, io, marshal, ...)"
    if filename.startswith("<frozen importlib"):
        return "the import system"
    return "stdlib"


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    figure: str
    site: str
    n: str
    runs: int
    target: str
    measured: str
    cpu: str = "—"
    result: str = "—"
    spread: str = "—"  # lowest to highest over the runs, of the measured column


def _ratio(value: float) -> str:
    return f"{value:.2f}x"


def _verdict(ok: bool) -> str:
    return "pass" if ok else "**miss**"


def _judged(wall: float, cpu: float, ok: Callable[[float], bool]) -> str:
    """Judged on wall time; says so when CPU time would judge otherwise."""
    verdict = _verdict(ok(wall))
    if ok(cpu) != ok(wall):
        verdict += f" (CPU: {_verdict(ok(cpu))})"
    return verdict


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _spread(values: Sequence[float], show: Callable[[float], str] = _ratio) -> str:
    return f"{show(min(values))} to {show(max(values))}" if len(values) > 1 else "—"


def build_figures(site: Site, runs: Runs) -> list[Figure]:
    out = []
    count = len(runs.cold)
    for kind, limit in (("cold", 1.20), ("warm", 1.05)):
        builds = getattr(runs, kind)
        walls = [b.wall / p.wall for b, p in zip(builds, runs.plain, strict=True)]
        wall = _median(walls)
        cpu = _median([b.cpu / p.cpu for b, p in zip(builds, runs.plain, strict=True)])
        name = (
            "cold build with the plugin ÷ plain build"
            if kind == "cold"
            else "warm rebuild, nothing changed ÷ plain build"
        )
        out.append(
            Figure(
                name,
                site.label,
                str(site.n),
                count,
                f"≤ {limit:.2f}x",
                _ratio(wall),
                _ratio(cpu),
                _judged(wall, cpu, lambda r, limit=limit: r <= limit),
                _spread(walls),
            )
        )
    memories = [b.peak_mib / p.peak_mib for b, p in zip(runs.cold, runs.plain, strict=True)]
    memory = _median(memories)
    out.append(
        Figure(
            "peak memory (PSS), cold build with the plugin ÷ plain build",
            site.label,
            str(site.n),
            count,
            "≤ 1.50x",
            _ratio(memory),
            result=_verdict(memory <= 1.5),
            spread=_spread(memories),
        )
    )
    for kind, limit in (("cold", 0.20), ("warm", 0.05)):
        shares = [b.plugin_share for b in getattr(runs, kind)]
        if None in shares:
            continue
        known = [s for s in shares if s is not None]
        share = _median(known)
        out.append(
            Figure(
                f"plugin's share of the {kind} build, by its own log (DESIGN.md)",
                site.label,
                str(site.n),
                count,
                f"≤ {limit:.0%}",
                f"{share:.0%}",
                result=_verdict(share <= limit),
                spread=_spread(known, lambda v: f"{v:.0%}"),
            )
        )
    return out


def scaling_figures(measured: list[tuple[Site, Runs]]) -> list[Figure]:
    """Time the plugin adds (plugin build - plain build) per example, and its growth."""
    out = []
    added: dict[int, tuple[float, float]] = {}
    per_example: dict[int, tuple[float, float]] = {}
    for site, runs in measured:
        walls = [c.wall - p.wall for c, p in zip(runs.cold, runs.plain, strict=True)]
        wall = _median(walls)
        cpu = _median([c.cpu - p.cpu for c, p in zip(runs.cold, runs.plain, strict=True)])
        added[site.n] = (wall, cpu)
        per_example[site.n] = (wall / site.n, cpu / site.n)
        out.append(
            Figure(
                "time the plugin adds per example (cold - plain) ÷ N",
                "synthetic",
                str(site.n),
                len(runs.cold),
                "—",
                f"{1000 * wall / site.n:.1f} ms",
                f"{1000 * cpu / site.n:.1f} ms",
                spread=_spread(walls, lambda v, n=site.n: f"{1000 * v / n:.1f} ms"),
            )
        )
    if len(per_example) >= 2:
        small, large = min(per_example), max(per_example)
        wall = per_example[large][0] / per_example[small][0]
        cpu = per_example[large][1] / per_example[small][1]
        # Not judged: the fixed cost of a build (starting the fork server)
        # weighs more per example at small N, so this falls even when the
        # growth is linear. The growth is judged by the marginal figures.
        out.append(
            Figure(
                f"time added per example at N = {large} ÷ at N = {small}",
                "synthetic",
                f"{small}→{large}",
                len(measured[0][1].cold),
                "—",
                _ratio(wall),
                _ratio(cpu),
            )
        )
        out += _marginal_figures(added, len(measured[0][1].cold))
        peak = max(
            b.peak_mib
            for site, runs in measured
            if site.n == large
            for b in (*runs.cold, *runs.warm)
        )
        out.append(
            Figure(
                "peak memory (PSS) of a build with the plugin (largest over its builds)",
                "synthetic",
                str(large),
                len(measured[0][1].cold),
                "< 500 MiB",
                f"{peak:.0f} MiB",
                result=_verdict(peak < 500),
            )
        )
    return out


def _marginal_figures(added: dict[int, tuple[float, float]], runs: int) -> list[Figure]:
    """What each extra example costs between sizes: flat if the added time is linear in N
    (a fixed cost, such as starting the fork server, drops out; a quadratic one shows)."""
    sizes = sorted(added)
    steps = []
    out = []
    for a, b in itertools.pairwise(sizes):
        wall = (added[b][0] - added[a][0]) / (b - a)
        cpu = (added[b][1] - added[a][1]) / (b - a)
        steps.append((wall, cpu))
        out.append(
            Figure(
                "time the plugin adds per extra example, between two sizes",
                "synthetic",
                f"{a}→{b}",
                runs,
                "—",
                f"{1000 * wall:.1f} ms",
                f"{1000 * cpu:.1f} ms",
            )
        )
    if len(steps) >= 2:
        wall, cpu = steps[-1][0] / steps[0][0], steps[-1][1] / steps[0][1]
        out.append(
            Figure(
                "time per extra example, last step ÷ first step (linear in N)",
                "synthetic",
                f"{sizes[0]}→{sizes[-1]}",
                runs,
                "0.85 to 1.15x",
                _ratio(wall),
                _ratio(cpu),
                _judged(wall, cpu, lambda r: 0.85 <= r <= 1.15),
            )
        )
    return out


def freezing_figure(label: str, n: int, freezing: Freezing) -> Figure:
    ratio = _median(freezing.ratios)
    return Figure(
        f"freezing ÷ test-client GET, per URL ({freezing.urls} URLs; "
        f"{1e3 * freezing.freeze_per_url:.2f} vs {1e3 * freezing.get_per_url:.2f} ms)",
        label,
        str(n),
        len(freezing.ratios),
        "≤ 2.50x",
        _ratio(ratio),
        result=_verdict(ratio <= 2.5),
        spread=_spread(freezing.ratios),
    )


def table(figures: Sequence[Figure]) -> str:
    head = ["figure", "site", "N", "runs", "target", "measured", "range over runs"]
    head += ["by CPU time", "result"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for f in figures:
        cells = [f.figure, f.site, f.n, str(f.runs), f.target, f.measured, f.spread, f.cpu]
        cells.append(f.result)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(figures: Sequence[Figure], command: str) -> str:
    cores = os.cpu_count() or 0
    python = ".".join(map(str, sys.version_info[:2]))
    bytecode = "with" if WRITE_BYTECODE else "without"
    return (
        textwrap.dedent(
            f"""\
        <!-- Written by benchmarks/bench.py; run it again rather than editing this. -->

        # Build benchmarks

        Measured with `{command}` on a machine with {cores} cores, Python {python},
        builds {bytecode} a bytecode cache.
        Each figure is the median over the runs of a ratio of two things measured
        in the same run, the two sides interleaved. "Plain" is the same site built
        without the plugin, its blocks replaced by the Markdown the plugin produced
        (code and responses pasted, frozen pages copied in); both builds write
        the same files. "Measured" is from wall time (or peak memory, or the
        plugin's own log); "by CPU time" is the same figure from the builds'
        user + system CPU time, which other load on the machine disturbs less.
        Both count every process of a build, the plugin's workers included;
        memory is the peak of the processes' summed PSS, sampled every 50 ms.
        Results are judged on the measured column.

        """
        )
        + table(figures)
        + "\n"
    )


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"sizes must be numbers like 20,100,300, not {text!r}"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive numbers of examples")
    return sizes


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench.py",
        description="Benchmark the build: plugin cost, warm rebuilds, freezing, scaling, memory.",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        help="numbers of examples of the synthetic guides (default: 20,100,300)",
    )
    parser.add_argument("--runs", type=_positive, help=f"runs per figure (default: {DEFAULT_RUNS})")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"to try it: sizes {','.join(map(str, QUICK_SIZES))} and one run "
        "(--sizes and --runs still win)",
    )
    parser.add_argument(
        "--no-guide", action="store_true", help="skip the figures of the real guide"
    )
    parser.add_argument(
        "--profile",
        type=_positive,
        metavar="N",
        help="also profile one cold build of N examples with cProfile",
    )
    parser.add_argument(
        "--no-pyc",
        action="store_true",
        help="builds write no bytecode cache (PYTHONDONTWRITEBYTECODE=1), so each one "
        "compiles every module it imports, as a first build in a fresh environment does",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        help="Markdown table to write (default: benchmarks/results.md)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory and print where it is"
    )
    args = parser.parse_args(argv)
    args.sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    args.runs = args.runs or (1 if args.quick else DEFAULT_RUNS)
    return args


def _check_tools() -> None:
    missing = []
    for module in ("mkdocs", "material", "pymdownx", "site_app", "flask_frozen"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise BenchError(
            f"cannot import {', '.join(missing)}; run the benchmark with `nox -s bench`, "
            "or install the project and its docs group into this environment"
        )
    if not sys.platform.startswith("linux") or not Path("/proc/self/smaps_rollup").is_file():
        raise BenchError(
            "this benchmark reads the CPU time and memory of each build's processes the way "
            "Linux offers them (child subreaper, /proc/<pid>/smaps_rollup); run it on Linux"
        )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_capture"]:  # the child process of prepare()
        _capture_child(*(Path(a) for a in argv[1:4]))
        return 0
    args = parse_args(argv)
    global WRITE_BYTECODE
    WRITE_BYTECODE = not args.no_pyc
    command = "nox -s bench" + (f" -- {' '.join(argv)}" if argv else "")
    try:
        _check_tools()
        _become_subreaper()
        work = Path(tempfile.mkdtemp(prefix="ffg-bench-"))
        try:
            figures, notes = _bench(args, work)
        finally:
            if args.keep:
                progress(f"kept the temporary directory {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    except BenchError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    text = report(figures, command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    print("\n".join(notes))
    print(f"\nWrote {args.output}; the benchmark took {time.perf_counter() - _STARTED:.0f} s.")
    return 0


def _bench(args: argparse.Namespace, work: Path) -> tuple[list[Figure], list[str]]:
    figures: list[Figure] = []
    notes = [
        f"cores: {os.cpu_count()}; sizes {args.sizes}; {args.runs} run(s) per figure; "
        f"bytecode cache {'off (--no-pyc)' if args.no_pyc else 'on'}"
    ]
    measured: list[tuple[Site, Runs]] = []
    for n in args.sizes:
        label = f"synthetic N={n}"
        progress(f"{label}: generating the synthetic guide")
        yml = generate(work / f"synthetic-{n}", n)
        site = prepare(label, yml, n, work / f"out-{n}")
        runs = measure_builds(site, args.runs)
        measured.append((site, runs))
        figures += [dataclasses.replace(f, site="synthetic") for f in build_figures(site, runs)]
        notes.append(_absolute(site, runs))
    figures += scaling_figures(measured)
    first = measured[0][0]
    freezing = measure_freezing(
        f"synthetic N={first.n}", first.yml.parent / "snippets", args.runs, work / "freezing"
    )
    figures.append(freezing_figure("synthetic", first.n, freezing))
    if not args.no_guide:
        progress("guide: copying the repository's guide")
        yml = copy_guide(work / "guide")
        from site_app.author.discover import discover

        n = len(discover(yml.parent / "snippets"))
        site = prepare("guide", yml, n, work / "out-guide")
        runs = measure_builds(site, args.runs)
        figures += build_figures(site, runs)
        notes.append(_absolute(site, runs))
        freezing = measure_freezing(
            "guide", yml.parent / "snippets", args.runs, work / "freezing-guide"
        )
        figures.append(freezing_figure("guide", n, freezing))
    if args.profile:
        notes.append("\n" + profile_build(args.profile, work))
    return _ordered(figures), notes


def _ordered(figures: list[Figure]) -> list[Figure]:
    """Group the rows by figure, in the order they first appear."""
    order: dict[str, int] = {}
    for f in figures:
        order.setdefault(f.figure.split(" (")[0], len(order))
    return sorted(figures, key=lambda f: order[f.figure.split(" (")[0]])


def _absolute(site: Site, runs: Runs) -> str:
    def med(builds: list[Build], attr: str) -> float:
        return _median([getattr(b, attr) for b in builds])

    return (
        f"{site.label}: median wall {med(runs.cold, 'wall'):.2f} s cold, "
        f"{med(runs.warm, 'wall'):.2f} s warm, {med(runs.plain, 'wall'):.2f} s plain; "
        f"median peak PSS {med(runs.cold, 'peak_mib'):.0f} MiB cold, "
        f"{med(runs.plain, 'peak_mib'):.0f} MiB plain"
    )


if __name__ == "__main__":
    sys.exit(main())
