"""What an example calls that the reader's browser lacks turns its Run button off, saying why."""

import pytest

from site_app.author.discover import discover
from site_app.model import Output
from site_app.render.runner import cannot_run

HASHES = """
    import hashlib

    from flask import Flask
    from werkzeug.security import generate_password_hash

    app = Flask(__name__)


    @app.get("/scrypt.json")
    def scrypt():
        return {"v": generate_password_hash("secret")[:6]}


    @app.get("/pbkdf2.json")
    def pbkdf2():
        return {"v": hashlib.pbkdf2_hmac("sha256", b"secret", b"salt", 1).hex()}


    @app.get("/async.json")
    async def later():
        return {"v": "later"}


    @app.get("/plain.json")
    def plain():
        return {"v": "plain"}
"""


def lacks(project, *paths):
    project.example("hashes", {"app.py": HASHES})
    requests = "".join(f"  - GET {path}\n" for path in paths)
    project.page("a.md", f"```flask-example\nexample: hashes\nrequests:\n{requests}```\n")
    run = project.builder().start(project.pages)
    assert not run.finish().errors
    return run.output("hashes").browser_lacks


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (
            "/scrypt.json",
            "it calls hashlib.scrypt (through werkzeug, from snippets/hashes/app.py:11), "
            "which Python in the browser (Pyodide) lacks",
        ),
        (
            "/pbkdf2.json",
            "it calls hashlib.pbkdf2_hmac (from snippets/hashes/app.py:16), "
            "which Python in the browser (Pyodide) lacks",
        ),
        (
            "/async.json",
            "it starts a thread (through asgiref), and Python in the browser (Pyodide) cannot",
        ),
    ],
)
def test_what_the_example_or_its_libraries_call_is_recorded_with_who_called(project, path, reason):
    assert lacks(project, path) == (reason,)


def test_an_example_that_calls_none_of_them_runs(project):
    assert lacks(project, "/plain.json") == ()


def test_each_is_named_once_in_the_order_first_called(project):
    found = lacks(project, "/pbkdf2.json", "/scrypt.json", "/pbkdf2.json")
    assert [reason.split(" (")[0] for reason in found] == [
        "it calls hashlib.pbkdf2_hmac",
        "it calls hashlib.scrypt",
    ]


def test_the_reason_written_in_example_toml_comes_first(project):
    project.example(
        "marked",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "example.toml": '[build]\nbrowser = false\nbrowser_reason = "it needs a GPU."\n',
        },
    )
    project.example("api", {"app.py": "", "example.toml": '[build]\nframework = "fastapi"\n'})
    project.example("plain", {"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    examples = discover(project.snippets, project.root)
    ran = Output(frozen=None, answers={}, browser_lacks=("it starts a thread", "it calls x"))  # type: ignore[arg-type]
    assert cannot_run(examples["marked"], ran) == "it needs a GPU."
    assert cannot_run(examples["api"], None) == (
        "the in-browser runner runs Flask and Django apps, and this one is fastapi."
    )
    assert cannot_run(examples["plain"], ran) == "it starts a thread; it calls x."
    assert cannot_run(examples["plain"], None) == ""
