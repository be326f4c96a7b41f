"""Broken inputs, tried as a careless contributor would, each in a real strict build.

Every case starts from a site that built, breaks one thing, builds again and
checks three promises: a non-zero exit, a message naming the file (and line,
for pages) with what to do, and the previous site left exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import FixtureSite, mkdocs_build

pytestmark = pytest.mark.build

GOOD_PAGE = """\
# Hello

Some words before the block.

```flask-example
example: hello
requests:
  - GET /
```
"""

APP = """\
from flask import Flask, abort, redirect

app = Flask(__name__)


# --8<-- [start:index]
@app.route("/")
def index():
    return "<p>Hello from the fixture</p>"
# --8<-- [end:index]


@app.route("/items/<int:n>/")
def item(n):
    if n == 0:
        return redirect("/")
    if n == 4:
        abort(404)
    return f"<p>item {10 // (n - 1)}</p>"
"""


# A consumer that never stops, as a careless app starts one: not a daemon thread.
FOREVER = """\
import threading

threading.Thread(target=threading.Event().wait, name="forever").start()
"""


def page(*lines: str) -> Callable[[FixtureSite], None]:
    """Add ``lines`` to the page, after its good block (which stays, so nothing else breaks)."""
    body = "\n".join(lines)

    def change(site: FixtureSite) -> None:
        site.write("docs/index.md", f"{GOOD_PAGE}\nMore words.\n\n{body}\n")

    return change


def write(relative: str, text: str | bytes) -> Callable[[FixtureSite], None]:
    def change(site: FixtureSite) -> None:
        path = site.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)

    return change


def link_out(site: FixtureSite) -> None:
    os.symlink(site.root / "mkdocs.yml", site.root / "snippets/hello/config.yml")
    page("```flask-example", "example: hello", "files: [config.yml]", "```")(site)


def copy_example(site: FixtureSite) -> None:
    shutil.copytree(site.root / "snippets/hello", site.root / "snippets/more/hello")


def latin1_notes(site: FixtureSite) -> None:
    write("snippets/hello/notes.txt", "caf\xe9".encode("latin-1"))(site)
    page("```flask-example", "example: hello", "files: [notes.txt]", "```")(site)


def unshown(site: FixtureSite) -> None:
    write("snippets/extra/__init__.py", "")(site)
    write("snippets/extra/app.py", "from flask import Flask\napp = Flask(__name__)\n")(site)
    write("tests/test_extra.py", "import snippets.extra.app\n")(site)


def untested(site: FixtureSite) -> None:
    (site.root / "tests/test_hello.py").unlink()


LOGIN_FORM = """

@app.route("/login/", methods=["GET", "POST"])
def login():
    return (
        '<form id="login" method="post" enctype="multipart/form-data">'
        '<input name="username"><input type="password" name="password">'
        '<input type="file" name="avatar"></form>'
    )
"""


def with_form(*requests: str) -> Callable[[FixtureSite], None]:
    """The fixture app gains a page with a form; the page sends ``requests`` to it."""

    def change(site: FixtureSite) -> None:
        write("snippets/hello/app.py", APP + LOGIN_FORM)(site)
        page(*BLOCK, "requests:", *requests, "```")(site)

    return change


@dataclass
class Case:
    name: str
    change: Callable[[FixtureSite], None]
    where: str
    what: str
    fix: str


BLOCK = ("```flask-example", "example: hello")
# The plugin's timeout in these builds: short, as the hanging cases wait it out,
# but with room for a good build on a busy machine.
TIMEOUT = 3
CASES = [
    Case(
        "missing example",
        page("```flask-example", "example: helo", "```"),
        "docs/index.md:13",
        "there is no example 'helo'",
        "did you mean 'hello'?",
    ),
    Case(
        "missing file",
        page(*BLOCK, "files: [views.py]", "```"),
        "docs/index.md:13",
        "has no file 'views.py'",
        "name one of its files",
    ),
    Case(
        "missing section",
        page(*BLOCK, "section: routes", "```"),
        "docs/index.md:13",
        "has no section 'routes'",
        "(index)",
    ),
    Case(
        "unknown key",
        page(*BLOCK, "higlight: 3", "```"),
        "docs/index.md:13",
        "unknown key(s) 'higlight'",
        "highlight, show, requests",
    ),
    Case(
        "malformed YAML",
        page(*BLOCK, "requests: [GET /", "```"),
        "docs/index.md:15",
        "not valid YAML",
        "write the block as YAML",
    ),
    Case(
        "path with ..",
        page(*BLOCK, "files: [../../mkdocs.yml]", "```"),
        "docs/index.md:13",
        "is outside example 'hello'",
        "without '..'",
    ),
    Case(
        "absolute path",
        page(*BLOCK, "files: [/etc/hostname]", "```"),
        "docs/index.md:13",
        "is outside example 'hello'",
        "leading '/'",
    ),
    Case("symlink out", link_out, "docs/index.md:13", "leads outside the example", "copy the file"),
    Case(
        "raw include out",
        page("```yaml", '--8<-- "../mkdocs.yml"', "```"),
        "docs/index.md:14",
        "leads outside snippets/",
        "include files of examples only",
    ),
    Case(
        "syntax error",
        write("snippets/hello/app.py", APP.replace("def index():", "def index()")),
        "snippets/hello/app.py:8",
        "SyntaxError",
        "fix the error above",
    ),
    Case(
        "import error",
        write("snippets/hello/app.py", "import flask_nonexistent\n" + APP),
        "snippets/hello/app.py:1",
        "No module named 'flask_nonexistent'",
        "install it where the build runs",
    ),
    Case(
        "view raises",
        page(*BLOCK, "requests:", "  - GET /items/1/", "```"),
        "docs/index.md:16",
        "ZeroDivisionError: integer division or modulo by zero (snippets/hello/app.py:19)",
        "'GET /items/1/ -> 500'",
    ),
    Case(
        "404 where 200 expected",
        page(*BLOCK, "requests:", "  - GET /items/4/", "```"),
        "docs/index.md:16",
        "answered 404 NOT FOUND, expected a 2xx status",
        "'GET /items/4/ -> 404'",
    ),
    Case(
        "500 where 404 declared",
        page(*BLOCK, "requests:", "  - GET /items/1/ -> 404", "```"),
        "docs/index.md:16",
        "answered 500 INTERNAL SERVER ERROR, expected 404",
        "-> 500",
    ),
    Case(
        "redirect where 200 expected",
        page(*BLOCK, "requests:", "  - GET /items/0/", "```"),
        "docs/index.md:16",
        "answered 302 FOUND, expected a 2xx status; it redirects to /",
        "-> 302",
    ),
    Case(
        "route Frozen-Flask cannot freeze",
        write(
            "snippets/hello/app.py",
            APP + '\n\n@app.route("/feed.json")\ndef feed():\n    return "<p>not JSON</p>"\n',
        ),
        "snippets/hello/app.py",
        "MimetypeMismatchWarning: Filename extension of 'feed.json' (type application/json)",
        "a file extension that matches what it answers",
    ),
    Case(
        "highlight past the end",
        page(*BLOCK, "highlight: 99", "```"),
        "docs/index.md:13",
        "highlight line 99 is not shown",
        "within what is shown",
    ),
    Case(
        "same name in two folders",
        copy_example,
        "snippets/more/",
        "examples live directly under snippets/",
        "a name no other example has",
    ),
    Case(
        "non-UTF-8 file",
        latin1_notes,
        "docs/index.md:13",
        "is not valid UTF-8",
        "save the file as UTF-8",
    ),
    Case(
        "never returns",
        write(
            "snippets/hello/app.py",
            APP.replace('return "<p>Hello from the fixture</p>"', "while True:\n        pass"),
        ),
        "docs/index.md:8",  # the good block's request, which never gets its answer
        f"example 'hello' did not finish within {TIMEOUT} s: it was still answering GET /",
        "timeout option",
    ),
    Case(
        "thread that never ends",
        write("snippets/hello/app.py", FOREVER + APP),
        "snippets/hello/app.py",
        f"example 'hello' did not finish within {TIMEOUT} s: it was still exiting: it left non-daemon "
        "thread(s) 'forever' running",
        "make it daemon=True",
    ),
    Case(
        "duplicate key",
        page(*BLOCK, "files: [app.py]", "example: helo", "```"),
        "docs/index.md:16",
        "key 'example' appears twice in one mapping (first on line 14)",
        "keep one 'example:'",
    ),
    Case(
        "writes into the source tree",
        write(
            "snippets/hello/app.py",
            APP.replace(
                'return "<p>Hello', 'open(__file__ + ".log", "w").close()\n    return "<p>Hello'
            ),
        ),
        # Refused by the workers' guard, with or without bubblewrap.
        "docs/index.md:8",
        "hello/app.py.log outside its instance folder, which the build's sandbox refused",
        "fix the view",
    ),
    Case(
        "compare table without its block",
        page("```flask-compare", "Hello: hello", "Other: missing", "```"),
        "docs/index.md:13",
        "the column 'Other' needs one block of missing on this page that sends requests",
        "add a flask-example block of missing with requests above the table",
    ),
    Case(
        "unshown example",
        unshown,
        "snippets/extra/",
        "example 'extra' is not shown on any page",
        "or delete it",
    ),
    Case(
        "example without tests",
        untested,
        "snippets/hello/",
        "example 'hello' has no tests",
        "add a test file under tests/ that imports snippets.hello.app",
    ),
    Case(
        "typed Python",
        page("```python", "print('hi')", "```"),
        "docs/index.md:13",
        "Python typed into a page",
        "flask-example block",
    ),
    Case(
        "placeholder text left",
        page("TODO: say what the example does, then show it."),
        "docs/index.md:13",
        "the page still holds the placeholder text 'TODO: say what'",
        "replace it with your own words",
    ),
    Case(
        "unclosed block",
        page(*BLOCK),
        "docs/index.md:13",
        "never closed",
        "end it with a line holding only ```",
    ),
    Case(
        "bad request line",
        page(*BLOCK, "requests:", "  - FETCH /", "```"),
        "docs/index.md:16",
        "unknown HTTP method 'FETCH'",
        "write it as METHOD /path",
    ),
    Case(
        "broken example.toml",
        write("snippets/hello/example.toml", "[build\n"),
        "snippets/hello/example.toml",
        "not valid TOML",
        "correct the syntax",
    ),
    Case(
        "form that is not there",
        page(*BLOCK, "requests:", "  - GET /", "  - submit: {form: '#login'}", "```"),
        "docs/index.md:17",
        "in the answer to GET / (line 16), the page has no form '#login'; it has no <form> at all",
        "name a form by its id ('#login')",
    ),
    Case(
        "field not in the form",
        with_form(
            "  - GET /login/",
            "  - submit: {fields: {username: ada, pasword: x}}",
        ),
        "docs/index.md:17",
        "form #login (line 1) has no field 'pasword'; its fields are avatar, password, username",
        "use a field the form has",
    ),
    Case(
        "upload file missing",
        with_form(
            "  - GET /login/",
            "  - submit: {}",
            "    files: {avatar: photos/ada.png}",
        ),
        "docs/index.md:17",
        "the upload for field 'avatar' names snippets/hello/photos/ada.png, which does not exist",
        "add the file to the example",
    ),
    Case(
        "setup command that fails",
        write("snippets/hello/example.toml", '[build]\nsetup = ["init-db"]\n'),
        "snippets/hello/example.toml",
        "setup command 'flask init-db' of example 'hello' exited 2",
        "check the command's name",
    ),
]


@pytest.fixture(scope="module")
def previous_site(tmp_path_factory) -> Path:
    """A site built from the good fixture, copied before each broken build."""
    root = tmp_path_factory.mktemp("good")
    site = _good_site(root / "project")
    built = mkdocs_build(site.root / "mkdocs.yml", root / "out" / "site")
    assert built.returncode == 0, built.output
    return built.site


def _good_site(root: Path) -> FixtureSite:
    site = FixtureSite(root)
    config = site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      tests_dir: tests\n", f"      tests_dir: tests\n      timeout: {TIMEOUT}\n"
        )
    )
    site.write("snippets/hello/__init__.py", "")
    (site.root / "snippets/hello/app.py").write_text(APP)
    site.write("tests/test_hello.py", "from snippets.hello.app import app\n")
    site.write("docs/index.md", GOOD_PAGE)
    return site


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_input_fails_clearly_and_keeps_the_previous_site(case, previous_site, tmp_path):
    site = _good_site(tmp_path / "project")
    out = tmp_path / "out" / "site"
    shutil.copytree(previous_site, out)
    before = tree(out)
    case.change(site)

    built = mkdocs_build(site.root / "mkdocs.yml", out)

    assert built.returncode != 0, built.output
    assert f"{case.where}: " in built.output, built.output
    assert case.what in built.output, built.output
    assert "fix: " in built.output
    assert case.fix in built.output
    assert tree(out) == before
