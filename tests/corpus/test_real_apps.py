"""Real Flask apps this project did not write, built as examples of the guide, unchanged.

Each app comes from a published source distribution, fetched once with
``pip download --no-binary :all: --no-deps`` at a pinned version into
``.cache/corpus/``. The session copies the guide's site configuration into a
temporary folder, drops each app in as an example with a page that walks
through a flow of several requests, builds it with ``mkdocs build --strict``,
runs the app's own test suite against the copy, and checks the frozen pages
and the captured outputs. Every test id names the app and the step.

Run it with ``nox -s corpus``; ``nox`` runs it too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import ROOT, Built, mkdocs_build

CACHE = ROOT / ".cache" / "corpus"
TOOLS = [sys.executable, "-m", "tools"]  # the guide's own tooling: output review
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
PIP_DOWNLOAD = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps"]


@dataclass(frozen=True)
class RealApp:
    """One app of the corpus and what its page must show."""

    name: str  # the example's name in the copy of the guide
    requirement: str  # the pinned source distribution that ships it
    files: dict[str, str]  # path in the example -> path in the sdist (a file or a folder)
    page: str  # the blocks of its page
    outputs: list[str]  # what the captured outputs show, in this order
    frozen: list[str] = field(default_factory=list)  # files the freeze must publish
    not_frozen: list[str] = field(default_factory=list)  # files it must leave out
    previews: list[str] = field(default_factory=list)  # text of pages the block changed
    settings: str = ""  # example.toml, when the app needs setting up
    tests: str | None = None  # folder of the app's own tests in the sdist
    # Why its own tests do not run here, or what fails upstream: listed, not hidden.
    upstream: str = ""


FLASKR_FLOW = """
```flask-example
example: flaskr
files: [auth.py]
requests:
  - request: POST /auth/register -> 302
    form: {username: ada, password: analytical-engine}
  - request: POST /auth/login -> 302
    form: {username: ada, password: analytical-engine}
    show: [Set-Cookie]
  - request: POST /create -> 302
    form: {title: Notes on the engine, body: It weaves algebraic patterns.}
  - GET /
  - GET /hello
```
"""

APPS = [
    RealApp(
        name="flaskr",
        requirement="flask==3.1.2",
        files={".": "examples/tutorial/flaskr"},
        settings='[build]\nsetup = ["init-db"]\n',
        tests="examples/tutorial/tests",
        page=FLASKR_FLOW,
        outputs=[
            "> POST /auth/register",
            "< 302 FOUND",
            "< Location: /auth/login",
            "> POST /auth/login",
            "< 302 FOUND",
            "< Location: /",
            "< Set-Cookie: session=",
            "> POST /create",
            "< Location: /",
            "> GET /",
            "< 200 OK",
            "<h1>Notes on the engine</h1>",
            "by ada on",
            "It weaves algebraic patterns.",
            "> GET /hello",
            "Hello, World!",
        ],
        # "/" is the blog's index and the endpoint-only rule "index".
        frozen=["index.html", "static/style.css"],
        # Extensionless HTML pages: a static host would not serve them as HTML.
        not_frozen=["hello", "auth/login", "auth/register"],
        previews=["Notes on the engine"],
    ),
    RealApp(
        name="js_example",
        requirement="flask==3.1.2",
        files={".": "examples/javascript/js_example"},
        tests="examples/javascript/tests",
        page="""
```flask-example
example: js_example
files: [views.py]
requests:
  - GET /
  - request: POST /add
    form: {a: "2", b: "3"}
  - request: POST /add
    form: {a: "2.5", b: "lamp"}
```
""",
        outputs=[
            "> GET /",
            "< 200 OK",
            "<title>JavaScript Example</title>",
            "> POST /add",
            "< Content-Type: application/json",
            '"result": 5.0',
            "> POST /add",
            '"result": 2.5',
        ],
        frozen=["index.html"],
        not_frozen=["fetch", "xhr", "jquery"],
    ),
    RealApp(
        name="caching_hello",
        requirement="flask-caching==2.5.1",
        files={"app.py": "examples/hello.py", "hello.cfg": "examples/hello.cfg"},
        # This view raises in Flask-Caching 2.5.1 (delete_memoized by name is no
        # longer supported), under `flask run` too; it is left out of the freeze.
        settings='[build]\nexclude = ["/api/cache/delete"]\n',
        upstream="its /api/cache/delete view raises in 2.5.1 (delete_memoized by name is no "
        "longer supported), under `flask run` too; the sdist's tests are the library's",
        page="""
```flask-example
example: caching_hello
requests:
  - GET /html/lamp
  - GET /html
  - GET /api/add/2/3
  - GET /api/add/2/3
```
""",
        outputs=[
            "> GET /html/lamp",
            "foo cache: lamp",
            "> GET /html",
            "foo cache: lamp",
            "> GET /api/add/2/3",
            "> GET /api/add/2/3",
        ],
        not_frozen=["html", "api/now", "api/get/binary"],
        previews=["foo cache: lamp"],
    ),
    RealApp(
        name="limiter_sample",
        requirement="flask-limiter==4.1.1",
        files={"app.py": "examples/sample.py"},
        page="""
```flask-example
example: limiter_sample
requests:
  - GET /slow
  - GET /slow -> 429
  - GET /ping
```
""",
        outputs=[
            "> GET /slow",
            "< 200 OK",
            ":(",
            "> GET /slow",
            "< 429 TOO MANY REQUESTS",
            "1 per 1 day",
            "> GET /ping",
            "PONG",
        ],
        not_frozen=["slow", "medium", "fast", "ping"],
        upstream="Flask-Limiter's sdist has tests of the library, none of this example",
    ),
    # Five file inputs and a CSRF token: the three the block leaves empty go as
    # empty parts, as a browser sends them, so the page lists ten entries.
    RealApp(
        name="uploadr",
        requirement="flask-wtf==1.3.0",
        files={".": "examples/uploadr"},
        page="""
```flask-example
example: uploadr
requests:
  - GET /
  - submit: {}
    files:
      uploads-0: app.py
      uploads-2: {file: templates/index.html, name: index.html, type: text/html}
```
""",
        outputs=[
            "> GET /",
            'name="csrf_token" type="hidden" value="',
            "> POST /",
            "(form) {'csrf_token': '",
            "(file) uploads-0: app.py",
            "(file) uploads-1:  (application/octet-stream, 0 bytes)",
            "(file) uploads-2: index.html (text/html,",
            "< 200 OK",
            "<h3>app.py</h3>",
            "<h3></h3>",
            "<h3>index.html</h3>",
            *["<h3></h3>"] * 7,
            'id="uploads-9"',
        ],
        frozen=["index.html"],
        upstream="Flask-WTF's sdist has tests of the library, none of its examples",
    ),
    RealApp(
        name="wtf_babel",
        requirement="flask-wtf==1.3.0",
        files={".": "examples/babel"},
        # The name field is required: a browser would not send it empty, a script would.
        page="""
```flask-example
example: wtf_babel
requests:
  - GET /?lang=zh
  - submit:
      fields: {name: ""}
      novalidate: true
```
""",
        outputs=[
            "> GET /?lang=zh",
            "< 200 OK",
            "required",
            "> POST /?lang=zh",
            "< 200 OK",
            "<p>该字段是必填字段。</p>",
        ],
        frozen=["index.html"],
        upstream="Flask-WTF's sdist has tests of the library, none of its examples",
    ),
    # A REST resource app whose tables only db.create_all() makes (at import).
    RealApp(
        name="pets",
        requirement="apiflask==3.1.2",
        files={"app.py": "examples/orm/app.py"},
        # Its "/" answers JSON, which a static host would serve as HTML.
        settings='[build]\nexclude = ["/"]\n',
        page="""
```flask-example
example: pets
requests:
  - GET /pets
  - 'POST /pets {"name": "Rex", "category": "dog"} -> 201'
  - 'PATCH /pets/4 {"name": "Rexy"}'
  - 'POST /pets {"name": "Tom", "category": "mouse"} -> 422'
  - DELETE /pets/1 -> 204
  - GET /pets/1 -> 404
```
""",
        outputs=[
            "> GET /pets",
            '"name": "Kitty"',
            "> POST /pets",
            "< 201 CREATED",
            '"id": 4',
            "> PATCH /pets/4",
            '"name": "Rexy"',
            "> POST /pets",
            "< 422 UNPROCESSABLE ENTITY",
            "Must be one of: dog, cat.",
            "> DELETE /pets/1",
            "< 204 NO CONTENT",
            "> GET /pets/1",
            "< 404 NOT FOUND",
        ],
        frozen=["openapi.json"],
        not_frozen=["index.html", "pets"],
        upstream="APIFlask's examples/test_examples.py imports each example from its own "
        "folder of the sdist by path (sys.path), not from the copy",
    ),
    RealApp(
        name="todo",
        requirement="flask-restful==0.3.10",
        files={"app.py": "examples/todo.py"},
        page="""
```flask-example
example: todo
requests:
  - GET /todos
  - 'POST /todos {"task": "read the corpus"} -> 201'
  - GET /todos/todo4
  - DELETE /todos/todo1 -> 204
  - GET /todos/todo1 -> 404
```
""",
        outputs=[
            "> GET /todos",
            '"task": "build an API"',
            "> POST /todos",
            "< 201 CREATED",
            '"task": "read the corpus"',
            "> GET /todos/todo4",
            '"task": "read the corpus"',
            "> DELETE /todos/todo1",
            "< 204 NO CONTENT",
            "> GET /todos/todo1",
            "< 404 NOT FOUND",
            "Todo todo1 doesn't exist",
        ],
        not_frozen=["todos"],
        # reqparse reads request.json first, which Werkzeug 3 answers with 415 for a
        # form: the block sends JSON.
        upstream="Flask-RESTful's sdist has tests of the library, none of its examples; "
        "under Werkzeug 3 its reqparse answers a form POST with 415",
    ),
]
IDS = [app.name for app in APPS]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def fetch(requirement: str) -> Path:
    """The sdist of ``requirement`` (name==version), downloaded once into the cache."""
    name, version = requirement.split("==")
    wanted = f"{_normal(name)}_{version}"

    def cached() -> Path | None:
        for path in sorted(CACHE.glob("*.tar.gz")):
            if _normal(path.name.removesuffix(".tar.gz")) == _normal(wanted):
                return path
        return None

    found = cached()
    if found is None:
        CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [*PIP_DOWNLOAD, "--dest", str(CACHE), requirement],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        found = cached()
        assert found is not None, f"fetching {requirement} failed:\n{done.stdout}{done.stderr}"
    return found


def unpack(sdist: Path, into: Path) -> Path:
    """Extract ``sdist``; return its top folder."""
    with tarfile.open(sdist) as archive:
        archive.extractall(into, filter="data")
    (top,) = [p for p in into.iterdir() if p.is_dir()]
    return top


def guide_copy(root: Path) -> Path:
    """The guide's site configuration (theme, extensions, the plugin), with no chapter of its own.

    The guide's own chapters are left out: they are built by `nox -s build`,
    and here they would only make the session slower.
    """
    shutil.copytree(ROOT / "overrides", root / "overrides")
    shutil.copytree(ROOT / "docs" / "assets", root / "docs" / "assets")
    (root / "snippets").mkdir()
    (root / "snippets" / "__init__.py").touch()
    (root / "tests").mkdir()
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = re.search(r"^nav:\n(?:  .*\n)+", config, flags=re.MULTILINE)
    # The guide's hook publishes its CONTRIBUTING.md; the runner needs node_modules/.
    hooks = re.search(r"^hooks:\n(?:  - .*\n)+", config, flags=re.MULTILINE)
    runner = re.search(r"^      browser_runner: true\n", config, flags=re.MULTILINE)
    assert nav, "mkdocs.yml has no nav: update guide_copy() in tests/corpus"
    assert hooks, "mkdocs.yml has no hooks: update guide_copy() in tests/corpus"
    assert runner, "mkdocs.yml does not turn the runner on: update guide_copy() in tests/corpus"
    entries = "".join(f"  - {app.name}: {app.name}.md\n" for app in APPS)
    config = config.replace(nav.group(0), f"nav:\n  - Corpus: index.md\n{entries}")
    config = config.replace(hooks.group(0), "")
    config = config.replace(runner.group(0), "      browser_runner: false\n")
    # mkdocs.yml names the runner's first script for Zensical; with the runner off, no page has it.
    config = config.replace("extra_javascript:\n  - runner/run.js\n", "")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    listing = "".join(f"- [{app.name}]({app.name}.md)\n" for app in APPS)
    (root / "docs" / "index.md").write_text(f"# Corpus\n\n{listing}", encoding="utf-8")
    return root


@dataclass
class Corpus:
    root: Path  # the copy of the guide
    sources: dict[str, Path]  # app -> top folder of its unpacked sdist
    built: Built
    outputs: Path


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    work = tmp_path_factory.mktemp("corpus")
    root = guide_copy(work / "guide")
    sources: dict[str, Path] = {}
    for app in APPS:
        top = unpack(fetch(app.requirement), work / "sdists" / app.name)
        sources[app.name] = top
        example = root / "snippets" / app.name
        for target, source in app.files.items():
            if (top / source).is_dir():
                shutil.copytree(top / source, example / target, dirs_exist_ok=True)
            else:
                example.mkdir(parents=True, exist_ok=True)
                shutil.copy2(top / source, example / target)
        # A one-module app becomes a package: only this empty marker is added.
        (example / "__init__.py").touch(exist_ok=True)
        if app.settings:
            (example / "example.toml").write_text(app.settings, encoding="utf-8")
        (root / "docs" / f"{app.name}.md").write_text(
            f"# {app.name}\n\nFrom {app.requirement}, unchanged.\n{app.page}", encoding="utf-8"
        )
        # The build wants every example imported by a test; its real tests run below.
        (root / "tests" / f"test_{app.name}.py").write_text(
            f"import snippets.{app.name}  # noqa: F401\n", encoding="utf-8"
        )
    cache = work / "cache"
    built = mkdocs_build(root / "mkdocs.yml", work / "site", cache=cache)
    outputs = work / "outputs"
    if built.returncode == 0:
        review = subprocess.run(
            [*TOOLS, "review", "--update", "--outputs", str(outputs)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={
                **os.environ,
                "NO_MKDOCS_2_WARNING": "1",
                "FLASK_EXAMPLES_CACHE": str(cache),  # the build's own cache: nothing runs twice
                "PYTHONPATH": str(ROOT),
            },
        )
        assert review.returncode == 0, review.stdout + review.stderr
    return Corpus(root, sources, built, outputs)


def _named_in(output: str) -> str:
    names = [app.name for app in APPS if f"'{app.name}'" in output or f"/{app.name}/" in output]
    return ", ".join(names) or "no app named; see the output"


def test_step_build_strict(corpus: Corpus) -> None:
    assert corpus.built.returncode == 0, (
        f"mkdocs build --strict failed (apps: {_named_in(corpus.built.output)}):\n"
        + corpus.built.output
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_step_files_unchanged(app: RealApp, corpus: Corpus) -> None:
    """After the build, the example holds the sdist's files, byte for byte, and nothing else."""
    example = corpus.root / "snippets" / app.name
    top = corpus.sources[app.name]
    expected: dict[str, bytes] = {}
    for target, source in app.files.items():
        if (top / source).is_dir():
            expected.update(
                {(Path(target) / k).as_posix(): v for k, v in _files(top / source).items()}
            )
        else:
            expected[target] = (top / source).read_bytes()
    added = {"__init__.py", "example.toml"} - set(expected)
    found = {k: v for k, v in _files(example).items() if k not in added}
    changed = sorted(k for k in expected.keys() & found.keys() if expected[k] != found[k])
    assert not changed, f"{app.name}: the build changed {changed}"
    assert found.keys() == expected.keys(), (
        f"{app.name}: files differ: {sorted(found.keys() ^ expected.keys())}"
    )


@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_step_captured_outputs(app: RealApp, corpus: Corpus) -> None:
    test_step_build_strict(corpus)
    text = (corpus.outputs / f"{app.name}.txt").read_text(encoding="utf-8")
    position = 0
    for expected in app.outputs:
        found = text.find(expected, position)
        assert found >= 0, f"{app.name}: {expected!r} missing (after {position}) in:\n{text}"
        position = found + len(expected)


@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_step_frozen_pages(app: RealApp, corpus: Corpus) -> None:
    test_step_build_strict(corpus)
    published = corpus.built.site / "examples" / app.name
    files = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    for name in app.frozen:
        assert name in files, f"{app.name}: {name} was not frozen; published: {sorted(files)}"
    for name in app.not_frozen:
        assert name not in files, f"{app.name}: {name} was published with the wrong type"
    previews = [
        (published / name).read_text(encoding="utf-8")
        for name in files
        if Path(name).name.startswith("preview-")
    ]
    for text in app.previews:
        assert any(text in preview for preview in previews), (
            f"{app.name}: no preview shows {text!r}"
        )
    page = (corpus.built.site / app.name / "index.html").read_text(encoding="utf-8")
    assert app.outputs[0].removeprefix("> ") in page, f"{app.name}: its page shows no request"


@pytest.mark.parametrize("app", [a for a in APPS if a.tests], ids=[a.name for a in APPS if a.tests])
def test_step_own_test_suite(app: RealApp, corpus: Corpus, tmp_path: Path) -> None:
    """The app's own tests, from its sdist, importing the app from the copy of the guide."""
    test_step_build_strict(corpus)
    assert app.tests is not None
    # The tests and their settings only, so the copy in the guide is the app they import.
    unpacked = corpus.sources[app.name] / Path(app.tests).parent
    project = tmp_path / "project"
    shutil.copytree(unpacked / "tests", project / "tests")
    shutil.copy2(unpacked / "pyproject.toml", project / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(corpus.root / "snippets")}
    where = subprocess.run(
        [sys.executable, "-c", f"import {app.name}; print({app.name}.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert where.stdout.startswith(str(corpus.root / "snippets")), where.stdout + where.stderr
    done = subprocess.run(
        [*PYTEST, "--rootdir", str(project), "-c", str(project / "pyproject.toml"), "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1:] or ["no output"]
    assert done.returncode == 0, f"{app.name}: its own tests failed:\n{done.stdout}{done.stderr}"
    assert re.search(r"\d+ passed", summary[0]), summary


def test_every_step_names_its_app() -> None:
    assert len({app.name for app in APPS}) == len(APPS) >= 8
    assert len({app.requirement for app in APPS}) >= 5  # five published sdists or more
    # An app whose own tests do not run says why.
    assert all(app.tests or app.upstream for app in APPS), [
        app.name for app in APPS if not (app.tests or app.upstream)
    ]
    assert any(app.requirement.startswith("flask==") and app.name == "flaskr" for app in APPS)
    assert any(not app.requirement.startswith("flask==") for app in APPS)  # an extension's own
