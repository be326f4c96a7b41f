import pytest

from site_app.author.discover import discover
from site_app.errors import FreezeError
from site_app.execute.freeze import complete_document, freeze
from site_app.execute.load import configured_app, isolated_modules

PAGES = """
    from flask import Flask, render_template_string, url_for

    app = Flask(__name__)
    LINKS = '<link rel="stylesheet" href="{{ url_for("static", filename="site.css") }}">'


    @app.route("/")
    def index():
        return render_template_string(LINKS + '<a href="{{ url_for("item", n=2) }}">2</a>')


    @app.route("/items/<int:n>/")
    def item(n):
        return render_template_string(LINKS + "item {{ n }}", n=n)


    @app.route("/data")
    def data():
        return {"ok": True}
"""


def run_freeze(project, tmp_path, name, urls=()):
    example = discover(project.snippets)[name]
    with isolated_modules("snippets", project.root):
        app = configured_app(example, tmp_path / "instance", project.settings())
        return freeze(example, app, tmp_path / "out", urls)


def test_freezes_pages_static_files_and_requested_urls(project, tmp_path):
    project.example(
        "site",
        {
            "app.py": PAGES,
            "static/site.css": "p { color: red }",
            "example.toml": '[build]\ndefault_mimetype = "application/json"\n',
        },
    )
    frozen = run_freeze(project, tmp_path, "site", urls=["/items/5/"])
    assert frozen.files["/"] == "index.html"
    assert frozen.files["/items/5/"] == "items/5/index.html"
    assert frozen.all_files() == [
        "data",  # its JSON answer is what the host serves by default here
        "index.html",
        "items/2/index.html",
        "items/5/index.html",
        "static/site.css",
    ]
    # Relative URLs, so the pages work under any folder of the site.
    assert 'href="items/2/index.html"' in (tmp_path / "out/index.html").read_text()
    assert 'href="../../static/site.css"' in (tmp_path / "out/items/2/index.html").read_text()


def test_extensionless_answers_of_another_type_are_captured_not_frozen(project, tmp_path):
    app = PAGES + (
        '\n\n    @app.route("/api/items")\n    def items():\n        return [{"name": "lamp"}]\n'
        '\n\n    @app.route("/about")\n    def about():\n        return "<p>about</p>"\n'
    )
    project.example("site", {"app.py": app, "static/site.css": ""})
    frozen = run_freeze(project, tmp_path, "site")
    # A static host serves these files as application/octet-stream (the
    # default), not as the JSON and HTML the app answers: not published.
    assert set(frozen.skipped) == {"/data", "/api/items", "/about"}
    assert "does not match Content-Type: application/json" in frozen.skipped["/api/items"]
    assert "does not match Content-Type: text/html" in frozen.skipped["/about"]
    assert "/about" not in frozen.files
    assert "/" in frozen.files
    assert not (tmp_path / "out/api").exists()  # no empty folder left behind
    assert frozen.all_files() == ["index.html", "items/2/index.html", "static/site.css"]


def test_an_extension_that_contradicts_the_answer_is_an_error_with_a_fix(project, tmp_path):
    app = (
        PAGES
        + '\n\n    @app.route("/feed.json")\n    def feed():\n        return "<p>not JSON</p>"\n'
    )
    example_toml = '[build]\ndefault_mimetype = "application/json"\n'
    project.example("site", {"app.py": app, "static/site.css": "", "example.toml": example_toml})
    with pytest.raises(FreezeError) as caught:
        run_freeze(project, tmp_path, "site")
    assert "MimetypeMismatchWarning" in caught.value.what
    assert "'feed.json' (type application/json)" in caught.value.what
    assert "file extension that matches" in caught.value.fix
    assert str(caught.value.where) == "snippets/site/app.py"


ENDPOINT_ONLY = """
    from flask import Blueprint, Flask

    blog = Blueprint("blog", __name__)


    @blog.route("/")
    def index():
        return "<p>posts</p>"


    app = Flask(__name__)
    app.register_blueprint(blog)
    app.add_url_rule("/", endpoint="index")  # as Flask's tutorial does
"""


def test_frozen_flask_alone_cannot_freeze_an_endpoint_only_rule(project, tmp_path):
    """Upstream's behaviour, which freezing.py works around; when this fails, drop the override."""
    from flask_frozen import Freezer

    project.example("endpoints", {"app.py": ENDPOINT_ONLY})
    example = discover(project.snippets)["endpoints"]
    with isolated_modules("snippets", project.root):
        app = configured_app(example, tmp_path / "instance", project.settings())
        app.config["FREEZER_DESTINATION"] = str(tmp_path / "upstream")
        with pytest.raises(KeyError, match="'index'"):
            Freezer(app).freeze()


def test_an_endpoint_only_rule_freezes(project, tmp_path):
    project.example("endpoints", {"app.py": ENDPOINT_ONLY})
    frozen = run_freeze(project, tmp_path, "endpoints")
    assert frozen.files["/"] == "index.html"
    assert "<body>\n<p>posts</p>\n</body>" in (tmp_path / "out/index.html").read_text()


def test_view_that_raises_names_exception_and_line(project, tmp_path):
    project.example(
        "boom",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 1 / 0\n"
        },
    )
    with pytest.raises(FreezeError) as caught:
        run_freeze(project, tmp_path, "boom")
    assert "Unexpected status '500 INTERNAL SERVER ERROR' on URL /" in caught.value.what
    assert "ZeroDivisionError: division by zero" in caught.value.what
    assert str(caught.value.where) == "snippets/boom/app.py:6"


def test_link_to_a_missing_page(project, tmp_path):
    project.example(
        "dangling",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'x'\n"
        },
    )
    with pytest.raises(FreezeError) as caught:
        run_freeze(project, tmp_path, "dangling", urls=["/nowhere/"])
    assert "Unexpected status '404 NOT FOUND' on URL /nowhere/" in caught.value.what
    assert "answer 200" in caught.value.fix


FRAGMENTS = """
    from flask import Flask, redirect, url_for

    app = Flask(__name__)


    @app.route("/")
    def index():
        return '<p>Hi</p><a href="' + url_for("account") + '">account</a>'


    @app.route("/account/")
    def account():
        return redirect(url_for("login"))


    @app.route("/login/")
    def login():
        return "<!DOCTYPE html><html lang='en'><title>Sign in</title><p>Sign in</p></html>"


    @app.route("/bare/")
    def bare():
        return "<html><title>Bare</title><p>no doctype</p></html>"
"""


def test_fragments_become_documents_and_redirects_are_left_out(project, tmp_path):
    project.example("frag", {"app.py": FRAGMENTS})
    frozen = run_freeze(project, tmp_path, "frag", urls=["/bare/"])
    assert frozen.all_files() == ["bare/index.html", "index.html", "login/index.html"]
    # A static host cannot redirect; the sign-in page is not stored as the account page.
    assert "/account/" not in frozen.files
    assert "302 FOUND" in frozen.skipped["/account/"]
    assert "a static host cannot redirect" in frozen.skipped["/account/"]
    index = (tmp_path / "out/index.html").read_text()
    assert index.startswith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert "<title>frag: /</title>" in index
    assert '<p>Hi</p><a href="/account/">account</a>\n</body>\n</html>\n' in index
    # A document keeps what it has, and gets the doctype and charset it lacks.
    assert (tmp_path / "out/login/index.html").read_text() == (
        "<!DOCTYPE html><html lang='en'>\n<meta charset=\"utf-8\"><title>Sign in</title>"
        "<p>Sign in</p></html>"
    )
    assert (tmp_path / "out/bare/index.html").read_text() == (
        '<!doctype html>\n<html>\n<meta charset="utf-8"><title>Bare</title><p>no doctype</p></html>'
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<p>x</p>", None),
        (b"", None),
        (b"<!-- a comment --><p>x</p>", None),
        (
            b'<!doctype html><meta charset="utf-8"><p>x</p>',
            b'<!doctype html><meta charset="utf-8"><p>x</p>',
        ),
        (b"  <!doctype html><p>x</p>", b'  <!doctype html>\n<meta charset="utf-8"><p>x</p>'),
        (
            b"\xef\xbb\xbf<!-- by hand -->\n<!DocType html><HTML><Head lang=en><TITLE>t</TITLE>",
            b'\xef\xbb\xbf<!-- by hand -->\n<!DocType html><HTML><Head lang=en>\n<meta charset="utf-8">'
            b"<TITLE>t</TITLE>",
        ),
        (
            b'<html lang="de"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
            b'<!doctype html>\n<html lang="de"><head><meta http-equiv="Content-Type" '
            b'content="text/html; charset=utf-8">',
        ),
    ],
)
def test_complete_document_wraps_a_fragment_and_completes_a_document(body, expected):
    result = complete_document(body, "demo: /<x>")
    if expected is not None:
        assert result == expected
        return
    assert result.startswith(b'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert b"<title>demo: /&lt;x&gt;</title>" in result
    assert result.endswith(b"<body>\n" + body + b"\n</body>\n</html>\n")
