"""The engine without a site builder: its output folder, a project's mkdocs.yml, problems in pages."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from site_app.author.project import ProjectError, read_project
from site_app.errors import BuildFailed, SiteAppError
from site_app.orchestrate.builder import BuildUnderWay
from site_app.orchestrate.engine import Engine, publish, run_pages
from tests.helpers import ROOT

GOOD = 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/")\ndef index():\n    return "<p>good</p>"\n'
BROKEN = "import missing_library_xyz\n"


def test_publish_copies_what_changed_and_removes_what_went(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.html").write_text("a")
    (source / "b.css").write_text("b")
    out = tmp_path / "out"
    files = {"examples/x/a.html": source / "a.html", "examples/x/b.css": source / "b.css"}
    assert publish(files, out) == 2
    assert publish(files, out) == 0  # nothing changed: nothing copied
    (source / "a.html").write_text("a, edited")
    os.utime(source / "a.html", ns=(1, 1))
    assert publish({"examples/x/a.html": source / "a.html"}, out) == 1
    assert (out / "examples/x/a.html").read_text() == "a, edited"
    assert not (out / "examples/x/b.css").exists()  # no longer published
    # A folder it did not make is not emptied: the engine says so and leaves it.
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(SiteAppError, match="holds files the engine did not write"):
        publish(files, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_run_pages_writes_the_sites_files_and_fails_with_every_problem(project):
    project.example("good", {"app.py": GOOD})
    project.page("docs/a.md", "# A\n\n```flask-example\nexample: good\nrequests: [GET /]\n```\n")
    out = project.root / "out"
    result = run_pages(project.settings(), project.pages, out, roots={})
    assert result.requests_sent == 1
    assert (out / "examples/good/index.html").read_text().startswith("<!doctype html>")
    assert (out / "examples/good/good.zip").is_file()
    assert (project.root / ".cache/blocks.pickle").is_file()

    project.example("broken", {"app.py": BROKEN})
    project.page("docs/b.md", "```flask-example\nexample: broken\n```\n\n```flask-example\n")
    with pytest.raises(BuildFailed) as caught:
        run_pages(project.settings(), project.pages, out, roots={})
    assert len(caught.value.errors) == 2  # the unclosed block and the import


WAITS = (
    "import threading\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    '@app.route("/")\ndef index():\n    threading.Event().wait(60)\n    return "late"\n'
)


def test_a_ctrl_c_as_the_examples_start_leaves_the_engine_a_build_to_stop(project, monkeypatch):
    """KeyboardInterrupt can come between any two lines: here, just after the thread that
    runs the examples started. The engine holds the build already, so the caller
    (the MkDocs plugin's on_shutdown) stops it rather than leave its worker running."""
    project.example("waits", {"app.py": WAITS})
    project.page("docs/a.md", "```flask-example\nexample: waits\nrequests: [GET /]\n```\n")
    launch = BuildUnderWay.launch

    def interrupted(self: BuildUnderWay) -> None:
        launch(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(BuildUnderWay, "launch", interrupted)
    engine = Engine(project.settings(), log=lambda _: None)
    with pytest.raises(KeyboardInterrupt):
        engine.start(project.pages, roots={})
    assert engine.under_way is not None
    started = time.monotonic()
    engine.under_way.stop()
    assert time.monotonic() - started < 30  # its example waits 60 s: it was stopped


def test_under_serve_each_problem_shows_where_it_belongs(project):
    project.example("broken", {"app.py": BROKEN})
    project.example("good", {"app.py": GOOD})
    project.example("unshown", {"app.py": GOOD})
    page = (
        "# B\n\n```flask-example\nexample: good\n```\n\n"
        "```flask-example\nexample: broken\n```\n\n"
        "```python\nprint('typed')\n```\n"
    )
    project.page("b.md", page)
    settings = project.settings(require_shown=True, forbid_typed_python=True)
    engine = Engine(settings, log=lambda message: None, serving=True)
    engine.start(project.pages, {})
    engine.finish()
    index = engine.page_index("b.md")
    views = [entries[0][1] for entries in index.blocks.values()]
    good = [v for v in views if not isinstance(v, str)]
    (box,) = [v for v in views if isinstance(v, str)]
    assert good[0].block.example == "good"
    assert 'role="alert"' in box
    assert "importing example &#39;broken&#39; failed" in box or "broken" in box
    shown = engine.show_problems("b.md", page, page, first=True)
    lines = shown.split("\n")
    typed = next(i for i, line in enumerate(lines) if line == "```python")
    assert "This line did not build" in "\n".join(lines[typed - 8 : typed])
    assert shown.index("The build found a problem no block shows") < shown.index("# B")
    assert "unshown" in shown.split("# B")[0]
    # Each block's problem shows in its own place, not above a line of the page.
    assert "missing_library_xyz" not in shown
    assert engine.show_problems("b.md", page, page, first=False).count("did not build") == 1


def test_a_projects_mkdocs_yml_is_read_without_mkdocs(tmp_path, monkeypatch):
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: x\ndocs_dir: pages\nmarkdown_extensions:\n"
        "  - pymdownx.superfences:\n      custom_fences:\n"
        "        - name: a\n          format: !!python/name:site_app.fence.format_block\n"
        "plugins:\n  - search\n  - flask-examples:\n      snippets_dir: examples\n"
        "      cache_dir: !ENV [A_CACHE, .c]\n      browser_runner: true\n      timeout: 5\n"
        "      contain: false\n      answer_limit: 2500\n"
    )
    (tmp_path / "pages" / "sub").mkdir(parents=True)
    (tmp_path / "pages" / "index.md").write_text("# i\n")
    (tmp_path / "pages" / "sub" / "p.md").write_text("# p\n")
    monkeypatch.delenv("A_CACHE", raising=False)
    project = read_project(config)
    assert project.settings.cache_dir == tmp_path / ".c"
    assert project.settings.snippets_dir == tmp_path / "examples"
    assert (project.settings.timeout, project.browser_runner) == (5.0, True)
    assert (project.settings.contain, project.settings.answer_limit) == (False, 2500)
    assert sorted(project.pages()) == ["pages/index.md", "pages/sub/p.md"]
    assert project.site_root("pages/index.md") == ""
    assert project.site_root("pages/sub/p.md") == "../../"
    monkeypatch.setenv("A_CACHE", str(tmp_path / "elsewhere"))
    assert read_project(config).settings.cache_dir == tmp_path / "elsewhere"
    with pytest.raises(ProjectError, match="cannot read"):
        read_project(tmp_path / "missing.yml")


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ("      timeout: soon\n", "the flask-examples option timeout is 'soon', not int or float"),
        ("      workers: true\n", "the flask-examples option workers is True, not int"),
        ("      forbid_text: [1]\n", "option forbid_text is [1], not a list of texts"),
        ("      timeuot: 5\n", "unknown option(s) of the flask-examples plugin: timeuot"),
    ],
    ids=["text-for-number", "bool-for-int", "list-of-numbers", "misspelt"],
)
def test_a_builder_without_plugins_checks_the_options_naming_the_file(tmp_path, options, said):
    """What MkDocs checks for its plugin, the engine checks for Zensical's build."""
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nplugins:\n  - flask-examples:\n" + options)
    with pytest.raises(ProjectError) as caught:
        read_project(config)
    assert str(caught.value).startswith(f"{config}: ")
    assert said in str(caught.value)
    assert "fix: " in str(caught.value)


@pytest.mark.build
def test_the_command_runs_the_engine_and_says_what_is_wrong(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "snippets" / "good").mkdir(parents=True)
    (tmp_path / "snippets" / "__init__.py").touch()
    (tmp_path / "snippets" / "good" / "__init__.py").touch()
    (tmp_path / "snippets" / "good" / "app.py").write_text(GOOD)
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - flask-examples\n")
    page = tmp_path / "docs" / "index.md"
    page.write_text("```flask-example\nexample: good\nrequests: [GET /]\n```\n")
    command = [sys.executable, "-m", "site_app", "build", "--out", "out"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "froze good: 1 URLs, 1 requests" in done.stderr
    assert Path(tmp_path / "out/examples/good/index.html").is_file()
    page.write_text("```flask-example\nexample: nope\n```\n")
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "docs/index.md:1: there is no example 'nope' under snippets/" in done.stderr
