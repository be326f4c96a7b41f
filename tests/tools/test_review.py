from site_app.__main__ import main as site_app_main
from tests.helpers import MKDOCS_YML
from tools import review
from tools.__main__ import main

PAGE = """\
# Shop

```flask-example
example: shop
requests:
  - GET /
  - 'POST /items {"name": "lamp"} -> 201'
  - request: POST /login -> 302
    form: {user: ada}
    show: [Allow]
```
"""

SHOP = """
    from flask import Flask, redirect, request

    app = Flask(__name__)


    @app.get("/")
    def index():
        return "<p>Served on Tue, 03 Jun 2025 10:00:00 GMT at 2025-06-03T10:00:00Z</p>"


    @app.post("/items")
    def add():
        return {"name": request.get_json()["name"]}, 201


    @app.post("/login")
    def login():
        return redirect("/")
"""


def test_normalises_line_ends_as_a_text_file_reads_them():
    assert review.normalise("a,b\r\n1,2\r\n") == "a,b\n1,2\n"


def test_normalises_dates():
    text = "at Tue, 03 Jun 2025 10:00:00 GMT and 2025-06-03 10:00:00.5+02:00, not 2025"
    assert review.normalise(text) == "at <http-date> and <timestamp>, not 2025"


def test_renders_compares_and_updates(project, tmp_path):
    project.example("shop", {"app.py": SHOP})
    project.page("docs/shop.md", PAGE)
    project.page("docs/plain.md", "# No blocks\n")
    rendered = review.render(project.build())
    assert list(rendered) == ["shop.txt"]
    text = rendered["shop.txt"]
    assert text.startswith("# Outputs shown on docs/shop.md\n\n## Block 1 (example shop)\n")
    assert (
        "> GET /\n< 200 OK\n< Content-Type: text/html; charset=utf-8\n\n<p>Served on <http-date> at <timestamp></p>"
        in text
    )
    assert "> (JSON) {'name': 'lamp'}" in text
    assert "> (form) {'user': 'ada'}\n< 302 FOUND" in text
    assert "< Location: /" in text

    outputs = tmp_path / "outputs"
    assert not review.compare(outputs, rendered).clean
    (outputs).mkdir()
    (outputs / "gone.txt").write_text("a page that no longer exists\n")
    assert review.update(outputs, rendered) == ["gone.txt", "shop.txt"]
    assert sorted(p.name for p in outputs.iterdir()) == ["shop.txt"]
    assert review.compare(outputs, rendered).clean

    (outputs / "shop.txt").write_text(text.replace("lamp", "lump"))
    diff = review.compare(outputs, rendered).diffs["shop.txt"]
    assert "-> (JSON) {'name': 'lump'}" in diff
    assert "+> (JSON) {'name': 'lamp'}" in diff


def test_images_are_summarised(project):
    project.example(
        "pic",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/dot.svg')\ndef dot():\n"
            "    return '<svg/>', 200, {'Content-Type': 'image/svg+xml'}\n"
        },
    )
    project.page(
        "docs/pic.md", "```flask-example\nexample: pic\nrequests:\n  - GET /dot.svg\n```\n"
    )
    text = review.render(project.build())["pic.txt"]
    assert "<image/svg+xml, 6 bytes, sha256 " in text


def test_uploads_and_cookies_are_listed(project):
    project.example(
        "up",
        {
            "app.py": "from flask import Flask, request\napp = Flask(__name__)\napp.secret_key = 'k'\n\n"
            "@app.post('/up')\ndef up():\n    return {'size': len(request.files['doc'].read())}\n\n"
            "@app.get('/set')\ndef set_cookie():\n    return 'ok', 200, {'Set-Cookie': 'seen=1; Path=/'}\n",
            "notes.txt": "four",
        },
    )
    project.page(
        "docs/up.md",
        "```flask-example\nexample: up\nrequests:\n  - request: POST /up\n    files: {doc: notes.txt}\n"
        "    show: [cookies]\n  - request: GET /set\n    show: [cookies]\n```\n",
    )
    text = review.render(project.build())["up.txt"]
    assert "> (file) doc: notes.txt (text/plain, 4 bytes)\n" in text
    assert "< (no cookie held)\n" in text
    assert "< (cookie held) seen=1; Domain=localhost; Path=/\n" in text


def test_command_line(project, monkeypatch, capsys):
    project.example("shop", {"app.py": SHOP})
    project.page("docs/shop.md", PAGE)
    (project.root / "docs").mkdir()
    (project.root / "docs/shop.md").write_text(project.pages["docs/shop.md"])
    (project.root / "mkdocs.yml").write_text(MKDOCS_YML)
    (project.root / "tests").mkdir()
    (project.root / "tests/test_shop.py").write_text("import snippets.shop.app\n")
    monkeypatch.chdir(project.root)

    assert main(["review"]) == 1
    assert "1 output file(s) differ" in capsys.readouterr().err
    assert main(["review", "--update"]) == 0
    assert "wrote 1 output files to tests/outputs/; 1 changed" in capsys.readouterr().out
    assert main(["review"]) == 0
    assert "1 output files in tests/outputs/ match this build" in capsys.readouterr().out

    assert site_app_main(["freeze", "shop"]) == 0
    assert "index.html" in capsys.readouterr().out
    assert site_app_main(["freeze", "nope"]) == 1
    assert "no page shows an example named 'nope'" in capsys.readouterr().err

    (project.root / "docs/shop.md").write_text("```flask-example\nexample: shopp\n```\n")
    assert main(["review"]) == 1
    assert "did you mean 'shop'?" in capsys.readouterr().err
