"""The benchmark's own inputs, so it cannot silently rot: its synthetic guide and plain twin."""

import json
import subprocess
import sys

import pytest

from benchmarks import bench
from tests.helpers import ROOT

pytestmark = pytest.mark.build


def test_the_synthetic_guide_builds_strictly_and_its_plain_twin_has_no_blocks(tmp_path):
    yml = bench.generate(tmp_path / "guide", 2)
    site = bench.prepare("synthetic N=2", yml, 2, tmp_path / "out")

    built = bench.run_build(yml, tmp_path / "strict-site", strict=True)
    assert "2 examples, 4 URLs frozen, 4 requests captured" in built.output
    assert built.plugin_share is not None
    frozen = tmp_path / "strict-site" / "examples"
    assert (frozen / "ex_0002" / "index.html").read_text().count("<li>") == 3
    assert (frozen / "ex_0002" / "api" / "data.json").is_file()

    pages = sorted(p.relative_to(site.plain_docs).as_posix() for p in site.plain_docs.rglob("*.md"))
    assert pages == ["chapters/ex_0001.md", "chapters/ex_0002.md", "index.md"]
    chapter = (site.plain_docs / "chapters" / "ex_0002.md").read_text()
    assert bench._has_blocks(yml.parent / "docs" / "chapters" / "ex_0002.md")
    assert not bench._has_blocks(site.plain_docs / "chapters" / "ex_0002.md")
    assert "flask-example" not in chapter
    assert "--8<--" not in chapter  # the code is pasted, not included
    assert "def create_app(test_config=None):" in chapter
    assert '"example": 2' in chapter  # the captured JSON answer
    assert '=== "GET /api/data.json → 200"' in chapter

    # prepare() built the twin once (strict: true is in its mkdocs.yml) to compare.
    plain = bench.read_config(site.plain_yml)
    assert plain["strict"] is True
    assert plain["plugins"] == ["search"]
    assert "pymdownx.snippets" not in str(plain["markdown_extensions"])
    assert bench.different_files(tmp_path / "strict-site", site.site_dir("plain")) == []


def test_a_failing_build_says_what_failed(tmp_path):
    yml = bench.generate(tmp_path / "guide", 1)
    (tmp_path / "guide" / "snippets" / "ex_0001" / "app.py").write_text("raise ValueError('no')\n")
    with pytest.raises(bench.BenchError, match=r"(?s)failed with exit code 1.*ValueError: no"):
        bench.run_build(yml, tmp_path / "site", what="the broken build")


def _site(root, files):
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def _page(edit, body):
    return (
        f'<a href="{edit}" title="Edit this page" class="md-content__button md-icon"><p>{body}</p>'
    )


def _index(*locations):
    return json.dumps({"config": {}, "docs": [{"location": loc, "text": loc} for loc in locations]})


def test_the_twin_may_differ_only_in_the_source_links_of_project_pages_and_index_order(tmp_path):
    plugin = _site(
        tmp_path / "plugin",
        {
            "contributing/index.html": _page("edit/main/CONTRIBUTING.md", "Hello"),
            "other/index.html": _page("edit/main/docs/other.md", "Other"),
            "search/search_index.json": _index("other/", "contributing/"),
        },
    )
    twin = _site(
        tmp_path / "twin",
        {
            "contributing/index.html": _page("edit/main/docs/contributing.md", "Hello"),
            "other/index.html": _page("edit/main/docs/other.md", "Other"),
            "search/search_index.json": _index("contributing/", "other/"),
        },
    )
    assert bench.different_files(plugin, twin, ["contributing.md"]) == []
    # Without knowing it is a project page, its edit link is a difference.
    assert bench.different_files(plugin, twin) == ["contributing/index.html"]

    # Anything else still counts: the text of a project page, an entry of the index.
    (twin / "contributing/index.html").write_text(_page("edit/main/docs/contributing.md", "Hi"))
    (twin / "search/search_index.json").write_text(_index("contributing/"))
    assert bench.different_files(plugin, twin, ["contributing.md"]) == [
        "contributing/index.html",
        "search/search_index.json",
    ]


def test_project_pages_are_read_from_the_guides_hook(tmp_path):
    yml = bench.generate(tmp_path / "guide", 1)
    assert bench.project_pages(yml) == []
    yml.write_text(yml.read_text() + "hooks:\n  - tools/project_pages.py\n")
    assert bench.project_pages(yml) == ["benchmarks.md", "contributing.md"]
    assert bench._html_of("contributing.md") == "contributing/index.html"
    assert bench._html_of("index.md") == "index.html"
    assert bench._html_of("a/index.md") == "a/index.html"


# A build whose main process exits first and leaves a worker behind that
# holds 100 MiB and burns CPU for a while, as the plugin's fork server can.
_LEAVES_A_WORKER = """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", '''
import time
held = bytearray(100 * 1024 * 1024)
held[::4096] = b"x" * len(held[::4096])  # touch every page
end = time.process_time() + 0.5
while time.process_time() < end:
    pass
'''])
"""

_MEASURE = """
import json, sys
from pathlib import Path
from benchmarks import bench
bench._become_subreaper()
build = bench._run([sys.executable, "-c", sys.argv[1]], Path.cwd(), "a build")
print(json.dumps({"cpu": build.cpu, "peak_mib": build.peak_mib}))
"""


def test_a_builds_cpu_time_and_memory_include_the_processes_it_leaves_behind():
    answer = subprocess.run(
        [sys.executable, "-c", _MEASURE, _LEAVES_A_WORKER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    measured = json.loads(answer.stdout)
    assert measured["cpu"] >= 0.5
    assert measured["peak_mib"] >= 100
