"""The benchmark's own parts, so it cannot silently rot: its guide, its twin, its accounting."""

import html
import json
import re
import shutil
import subprocess
import sys

import pytest

from benchmarks import bench
from tests.helpers import ROOT

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    return bench.prepare(bench.generate(work / "guide", 2), 2, work / "out")


def test_the_plain_twin_has_the_fences_html_and_builds_the_same_site(site, tmp_path):
    chapter = (site.plain_docs / "chapters" / "ex_0002.md").read_text()
    assert "flask-example" not in chapter  # no block left for a plugin to fill
    assert "--8<--" not in chapter  # the code is in the page, not included
    shown = html.unescape(re.sub(r"<[^>]+>", "", chapter))  # the text a reader sees
    assert "def create_app(test_config=None):" in shown
    assert '"example": 2' in shown  # the captured JSON answer
    assert '<label for="__tabbed_ffg1_4">GET /api/data.json → 200</label>' in chapter
    assert (site.plain_docs / "examples" / "ex_0002" / "index.html").read_text().count("<li>") == 3
    plain = bench.yaml.safe_load(site.plain_yml.read_text())
    assert plain["plugins"] == ["search"]
    assert "pymdownx.snippets" not in str(plain["markdown_extensions"])

    shutil.rmtree(site.cache_dir)  # a cold build: every example runs
    built = bench.run_build(site.yml, tmp_path / "site")
    assert "2 examples, 4 URLs frozen, 4 requests captured" in built.output
    assert built.ran().keys() == {"ex_0001", "ex_0002"}
    assert bench.different_files(tmp_path / "site", site.site_dir("plain")) == []


def _site(root, files):
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def _index(*locations):
    return json.dumps({"config": {}, "docs": [{"location": loc, "text": loc} for loc in locations]})


def test_two_sites_may_differ_only_in_the_order_of_the_search_index(tmp_path):
    files = {"a/index.html": "<p>A</p>", "sitemap.xml": "today"}
    one = _site(tmp_path / "one", {**files, "search/search_index.json": _index("a/", "b/")})
    two = _site(tmp_path / "two", {**files, "search/search_index.json": _index("b/", "a/")})
    (two / "sitemap.xml").write_text("tomorrow")
    assert bench.different_files(one, two) == []

    (two / "a/index.html").write_text("<p>B</p>")
    (two / "search/search_index.json").write_text(_index("a/"))
    (two / "extra.css").write_text("")
    assert bench.different_files(one, two) == [
        "a/index.html",
        "extra.css",
        "search/search_index.json",
    ]


def test_a_failing_build_says_what_failed(tmp_path):
    yml = bench.generate(tmp_path / "guide", 1)
    (tmp_path / "guide" / "snippets" / "ex_0001" / "app.py").write_text("raise ValueError('no')\n")
    with pytest.raises(bench.BenchError, match=r"(?s)failed with exit code 1.*ValueError: no"):
        bench.run_build(yml, tmp_path / "site", what="the broken build")


# One line: burn this much CPU time.
_BURN = "import time; end = time.process_time() + {s}; any(time.process_time() > end for _ in iter(int, 1))"


def _leaves_a_process(burn: float) -> str:
    """Left behind when the build's main process exits, as the fork server is: it
    holds 100 MiB, waits for a child of its own that burns ``burn`` s, then burns
    as long itself."""
    return f"""
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", '''
import subprocess, sys, time
held = bytearray(100 * 1024 * 1024)
held[::4096] = b"x" * len(held[::4096])  # touch every page
subprocess.run([sys.executable, "-c", {_BURN.format(s=burn)!r}], check=True)
time.sleep(0.2)
{_BURN.format(s=burn)}
'''])
time.sleep(0.3)  # a build runs a while
"""


def _waits_for_a_process(burn: float) -> str:
    """Waits for its child, which burns ``burn`` s: counted once, through the main process."""
    return f"""
import subprocess, sys
subprocess.run([sys.executable, "-c", {_BURN.format(s=burn)!r}], check=True)
"""


def _leaves_a_monitor(burn: float) -> str:
    """Leaves a monitor behind, as bubblewrap is: it waits for a server (the fork
    server) and ends as soon as the server does; the server waits for a child that
    burns ``burn`` s, then burns as long itself."""
    server = f"""
import subprocess, sys
subprocess.run([sys.executable, "-c", {_BURN.format(s=burn)!r}], check=True)
{_BURN.format(s=burn)}
"""
    # Gone the moment its child is: its CPU time holds the server's for no look to see.
    monitor = f"import os, subprocess, sys; subprocess.run([sys.executable, '-c', {server!r}]); os._exit(0)"
    return f"""
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", {monitor!r}])
time.sleep(0.3)  # a build runs a while
"""


@pytest.mark.parametrize(
    ("program", "burnt", "memory"),
    [
        (_leaves_a_process, 2.0, 100),
        (_leaves_a_monitor, 2.0, 0),
        (_waits_for_a_process, 1.0, 0),
    ],
    ids=["left-behind", "left-behind-under-a-monitor", "waited-for"],
)
def test_a_builds_cpu_time_and_memory_count_each_of_its_processes_once(program, burnt, memory):
    # Starting Python costs CPU time too, more on a cold or busy machine (and
    # under coverage): the same processes burning nothing, run before and after
    # (the lesser counts), take that out. A process counted twice adds 1 s; one
    # missed takes 1 s away.
    idle = bench._run([sys.executable, "-c", program(0.0)], ROOT, "a build")
    build = bench._run([sys.executable, "-c", program(1.0)], ROOT, "a build")
    again = bench._run([sys.executable, "-c", program(0.0)], ROOT, "a build")
    start_up = min(idle.cpu, again.cpu)
    assert burnt - 0.45 <= build.cpu - start_up <= burnt + 0.45, (build.cpu, start_up)
    assert build.peak_mib >= memory


def test_a_build_can_leave_out_the_fork_servers_warm_up():
    probe = (
        "import sys\n"
        "from benchmarks import bench\n"
        "from site_app.orchestrate import builder\n"
        "before = builder.PRELOAD\n"
        "bench.leave_out(sys.argv[1])\n"
        "print(sorted(set(before) - set(builder.PRELOAD)))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe, "warm-up"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.split() == ["['site_app.execute.warmup']"]
    with pytest.raises(bench.BenchError, match="no speed machinery called 'gc'; known: warm-up"):
        bench.leave_out("gc")


def test_the_examples_own_work_runs_each_example(site, tmp_path):
    own = bench.measure_own_work(site.yml.parent / "snippets", tmp_path)
    for name in ("ex_0001", "ex_0002"):
        assert (tmp_path / "timed" / name / "api" / "data.json").is_file()
    assert 0 < own.load < own.wall
    assert own.cpu > 0


def test_an_edit_under_serve_is_timed_until_the_served_page_shows_it(site):
    edits = bench.measure_edits(site, 2)
    assert len(edits.plugin) == len(edits.plain) == len(edits.ran) == 2
    assert all(seconds > 0.1 for seconds in edits.plugin + edits.plain)  # MkDocs waits 0.1 s
    assert all(0 < ran < edits.plugin[0] for ran in edits.ran)
    # Put back as they were.
    assert (
        '"kettle", "price": 4' in (site.yml.parent / "snippets" / "ex_0001" / "app.py").read_text()
    )
    assert "Edited" not in (site.plain_docs / "chapters" / "ex_0001.md").read_text()


def test_mkdocs_logs_a_build_message_once_however_often_it_comes():
    """Upstream: ``mkdocs`` puts a filter on its build logger that drops a message
    identical to any earlier one, so "Documentation built in 0.34 seconds" is not
    logged for a second build that took as long. The bench reads serve's log with
    ``serve_settled`` for that reason."""
    program = (
        "import logging\n"
        "from mkdocs import __main__ as cli\n"
        "from mkdocs.commands import build\n"
        "logging.basicConfig(format='%(message)s')\n"
        "cli._enable_warnings()\n"
        "for _ in range(2):\n"
        "    build.log.warning('Documentation built in 0.34 seconds')\n"
    )
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.splitlines() == ["Documentation built in 0.34 seconds"]


def test_serve_has_settled_once_its_last_build_reloaded_the_browsers():
    first = ["INFO - Building documentation...", "INFO - Documentation built in 0.34 seconds"]
    assert not bench.serve_settled(first)
    first.append("INFO - [05:39:15] Serving on http://127.0.0.1:8000/")
    assert bench.serve_settled(first)
    # A rebuild as fast as the first: mkdocs drops its "Documentation built" line.
    rebuild = [
        *first,
        "INFO - [05:39:21] Detected file changes",
        "INFO - Building documentation...",
    ]
    assert not bench.serve_settled(rebuild)
    assert bench.serve_settled([*rebuild, "INFO - [05:39:22] Reloading browsers"])
    assert not bench.serve_settled(["INFO - Building documentation..."])
