"""The benchmark's own inputs, so it cannot silently rot: its synthetic guide and plain twin."""

import pytest

from benchmarks import bench

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
