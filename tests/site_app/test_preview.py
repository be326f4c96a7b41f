import sys

from site_app.execute.preview import create_app

LINKED = """
    from flask import Flask, url_for

    app = Flask(__name__)


    @app.get("/")
    def index():
        return f'<a href="{url_for("about")}">about</a>'


    @app.get("/about/")
    def about():
        return "<p>about us</p>"
"""


def test_every_example_is_served_live_under_its_own_prefix(project, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # the preview adds the project to it
    project.example("hello", {"app.py": project.HELLO})
    project.example("linked", {"app.py": LINKED})
    project.example("broken", {"app.py": "import no_such_library\n"})
    client = create_app(project.snippets).test_client()

    index = client.get("/").get_data(as_text=True)
    assert '<a href="examples/hello/">hello</a>' in index
    assert '<a href="examples/linked/">linked</a>' in index
    assert "No module named &#39;no_such_library&#39;" in index
    assert "snippets/broken/app.py:1" in index

    assert client.get("/examples/hello/").data == b"<p>hi</p>"
    # Links inside an example know where it is mounted.
    assert client.get("/examples/linked/").data == b'<a href="/examples/linked/about/">about</a>'
    assert client.get("/examples/linked/about/").data == b"<p>about us</p>"
    assert client.get("/examples/broken/").status_code == 404


def test_flask_cli_finds_the_preview(project, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    project.example("hello", {"app.py": project.HELLO})
    monkeypatch.setenv("FLASK_EXAMPLES_SNIPPETS", str(project.snippets))
    import site_app

    app = site_app.create_app()
    assert app.test_client().get("/examples/hello/").data == b"<p>hi</p>"
