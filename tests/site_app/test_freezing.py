import pytest

from site_app.author.discover import discover
from site_app.errors import FreezeError
from site_app.execute.freeze import freeze
from site_app.execute.load import isolated_modules, load_app

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
        app = load_app(example, tmp_path / "instance", project.settings())
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
        "data",
        "index.html",
        "items/2/index.html",
        "items/5/index.html",
        "static/site.css",
    ]
    # Relative URLs, so the pages work under any folder of the site.
    assert 'href="items/2/index.html"' in (tmp_path / "out/index.html").read_text()
    assert 'href="../../static/site.css"' in (tmp_path / "out/items/2/index.html").read_text()


def test_mimetype_warning_is_an_error_with_a_fix(project, tmp_path):
    project.example("site", {"app.py": PAGES, "static/site.css": ""})
    with pytest.raises(FreezeError) as caught:
        run_freeze(project, tmp_path, "site")
    assert "MimetypeMismatchWarning" in caught.value.what
    assert "'data'" in caught.value.what
    assert "default_mimetype" in caught.value.fix
    assert str(caught.value.where) == "snippets/site/app.py"


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
