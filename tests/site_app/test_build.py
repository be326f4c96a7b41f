import pytest

from site_app.errors import BuildFailed
from tests.site_app.test_blocks import html_of

SHOP = """
    from flask import Flask, abort, redirect, render_template_string, request, session, url_for

    app = Flask(__name__)
    app.secret_key = "test only"
    ITEMS = ["kettle"]


    @app.route("/")
    def index():
        return render_template_string(
            '<link href="{{ url_for("static", filename="s.css") }}"><p>{{ items|join(", ") }}</p>',
            items=ITEMS,
        )


    @app.post("/items")
    def add():
        ITEMS.append(request.get_json()["name"])
        return {"count": len(ITEMS)}, 201


    @app.get("/api/count")
    def count():
        return {"count": len(ITEMS), "user": session.get("user")}


    @app.post("/login")
    def login():
        session["user"] = request.form["user"]
        return redirect(url_for("index"))


    @app.get("/old/")
    def old():
        return redirect(url_for("index"))


    @app.get("/boom/<int:n>/")
    def boom(n):
        return {}["missing"]


    @app.get("/private/<name>/")
    def private(name):
        abort(403)
"""


@pytest.fixture
def shop(project):
    project.example(
        "shop",
        {
            "app.py": SHOP,
            "static/s.css": "p {}",
            "example.toml": '[build]\ndefault_mimetype = "application/json"\n',
        },
    )
    return project


def block(*requests, example="shop"):
    lines = "".join(f"  - {r}\n" for r in requests)
    return f"Intro\n\n```flask-example\nexample: {example}\nrequests:\n{lines}```\n"


def failure(project, **options):
    with pytest.raises(BuildFailed) as caught:
        project.builder(**options).build(project.pages)
    return caught.value


def test_builds_blocks_and_freezes_examples(shop):
    shop.page("a.md", block("GET /", "GET /api/count"))
    result = shop.build()
    rendered = result.blocks[("a.md", 3)]
    assert [s.response.status_code for s in rendered.answers] == [200, 200]
    assert rendered.answers[0].preview == "examples/shop/index.html"
    assert rendered.answers[1].preview is None
    assert set(result.site_files()) >= {"examples/shop/index.html", "examples/shop/static/s.css"}
    assert result.urls_frozen >= 2
    assert result.requests_sent == 2
    assert "GET / → 200" in html_of(rendered)


def test_each_block_starts_from_a_fresh_app_with_cookies_kept_inside_it(shop):
    shop.page("a.md", block('\'POST /items {"name": "lamp"}\'', "GET /", "GET /api/count"))
    shop.page("b.md", block("GET /api/count", "'POST /login' ", "GET /api/count"))
    shop.pages["b.md"] = shop.pages["b.md"].replace(
        "  - 'POST /login' \n", "  - request: POST /login -> 302\n    form: {user: ada}\n"
    )
    result = shop.build()
    a, b = result.blocks[("a.md", 3)], result.blocks[("b.md", 3)]
    assert a.answers[2].response.pretty_body() == '{\n  "count": 2,\n  "user": null\n}'
    assert b.answers[0].response.pretty_body() == '{\n  "count": 1,\n  "user": null\n}'
    assert b.answers[2].response.pretty_body() == '{\n  "count": 1,\n  "user": "ada"\n}'
    # The page after the POST differs from the frozen one, so it gets its own preview file
    # in the same folder, where its relative links still work.
    preview = a.answers[1].preview
    assert preview.startswith("examples/shop/preview-")
    assert preview.endswith(".html")
    assert (
        "kettle, lamp" in (shop.root / ".cache/frozen/shop" / preview.split("/", 2)[2]).read_text()
    )
    assert "kettle</p>" in (shop.root / ".cache/frozen/shop/index.html").read_text()


def test_missing_example_suggests_a_name(shop):
    shop.page("guide/a.md", "x\n\n```flask-example\nexample: shopp\n```\n")
    error = failure(shop).errors[0]
    assert str(error.where) == "guide/a.md:3"
    assert error.what == "there is no example 'shopp' under snippets/"
    assert error.fix == "did you mean 'shop'?"


def test_view_that_raises_names_the_exception_and_its_line(shop):
    shop.page("a.md", block("GET /", "GET /boom/1/"))
    error = failure(shop).errors[0]
    assert str(error.where) == "a.md:7"
    assert "GET /boom/1/ to example 'shop' answered 500 INTERNAL SERVER ERROR" in error.what
    assert "KeyError: 'missing' (snippets/shop/app.py:40)" in error.what
    assert "'GET /boom/1/ -> 500'" in error.fix


def test_a_page_view_that_raises_is_one_problem_not_a_second_from_the_freeze(project):
    """Frozen-Flask would request / again and fail on the same exception."""
    project.example(
        "boom",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    return {}['missing']\n"
        },
    )
    project.page("a.md", "# A\n\n```flask-example\nexample: boom\nrequests:\n  - GET /\n```\n")
    (error,) = failure(project).errors
    assert str(error.where) == "a.md:6"
    assert "KeyError: 'missing' (snippets/boom/app.py:6)" in error.what


def test_unexpected_redirect_and_404(shop):
    shop.page("a.md", block("GET /old/", "GET /nope/"))
    shop.page("b.md", block("GET /private/x/"))
    errors = failure(shop).errors
    assert [str(e.where) for e in errors] == ["a.md:6", "b.md:6"]
    assert "answered 302 FOUND, expected a 2xx status; it redirects to /" in errors[0].what
    assert "answered 403 FORBIDDEN" in errors[1].what


def test_a_declared_status_must_match(shop):
    shop.page("a.md", block("GET /old/ -> 302", "GET /nope/ -> 404", "GET / -> 201"))
    error = failure(shop).errors[0]
    assert str(error.where) == "a.md:8"
    assert "answered 200 OK, expected 201" in error.what


def test_view_that_raises_under_testing_mode(project):
    project.example(
        "strict",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\napp.testing = True\n\n"
            "@app.post('/x')\ndef x():\n    raise ValueError('bad input')\n"
        },
    )
    project.page("a.md", block("POST /x", example="strict"))
    error = failure(project).errors[0]
    assert (
        "POST /x to example 'strict' raised ValueError: bad input (snippets/strict/app.py:7)"
        in error.what
    )


def test_all_problems_are_reported_together(shop):
    shop.page("a.md", block("GET /boom/1/"))
    shop.page(
        "b.md", "```flask-example\nexample: shop\nfiles: [nope.py]\n```\n\n```python\nx = 1\n```\n"
    )
    shop.page("c.md", "```flask-example\nexample: 3\n```\n")
    failed = failure(shop, forbid_typed_python=True)
    assert len(failed.errors) == 4
    assert str(failed).startswith("4 problems in the examples:")
    assert "b.md:6: Python typed into a page" in str(failed)


def test_a_freeze_failure_is_reported_once(project):
    project.example(
        "broken",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef i():\n    return 1/0\n"
        },
    )
    # No request of its own: the freeze alone meets the failing page.
    project.page("a.md", "Intro\n\n```flask-example\nexample: broken\n```\n")
    (error,) = failure(project).errors
    assert "freezing example 'broken' failed" in error.what


def test_an_html_error_page_gets_a_preview_of_its_own(shop):
    shop.page("a.md", block("GET /nope/ -> 404"))
    (answer,) = shop.build().blocks[("a.md", 3)].answers
    assert answer.preview.startswith("examples/shop/nope/preview-")
    frozen = shop.root / ".cache/frozen/shop" / answer.preview.split("/", 2)[2]
    assert b"Not Found" in frozen.read_bytes()


def test_a_redirect_gets_no_preview(shop):
    shop.page("a.md", block("GET /old/ -> 302"))
    (answer,) = shop.build().blocks[("a.md", 3)].answers
    assert answer.response.header("Location") == "/"
    assert answer.preview is None


def test_forbidden_text_is_off_unless_listed_and_names_each_line(shop):
    shop.page("a.md", block("GET /") + "\nTODO: write this.\n\nDone. TODO: write this.\n")
    assert shop.builder().build(shop.pages).blocks  # the rule is off: it builds
    failed = failure(shop, forbid_text=("TODO: write", "never there"))
    lines = [str(error) for error in failed.errors]
    start = shop.pages["a.md"].splitlines().index("TODO: write this.") + 1
    assert lines == [
        f"a.md:{line}: the page still holds the placeholder text 'TODO: write'\n"
        "    fix: replace it with your own words (the plugin's forbid_text option lists the "
        "texts a page may not keep)"
        for line in (start, start + 2)
    ]


def test_an_example_with_nothing_left_to_publish_still_gets_its_download(project):
    # Its page goes; its only URL then answers JSON without an extension and is
    # left out of the static site. Frozen-Flask removes the stale page and, with
    # it, the emptied folder; the zip needs the folder all the same.
    app = "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/api')\ndef api():\n    return {'ok': True}\n"
    page = "\n@app.get('/')\ndef index():\n    return '<p>hi</p>'\n"
    project.example("api_only", {"app.py": app + page})
    project.page("a.md", "```flask-example\nexample: api_only\nrequests:\n  - GET /\n```\n")
    assert project.build().frozen["api_only"].files == {"/": "index.html"}
    project.example("api_only", {"app.py": app})
    project.page("a.md", "```flask-example\nexample: api_only\nrequests:\n  - GET /api\n```\n")
    frozen = project.build().frozen["api_only"]
    assert frozen.files == {}
    assert (frozen.directory / "api_only.zip").is_file()


def test_an_html_answer_to_a_url_with_another_extension_is_previewed_as_html(shop):
    # Flask's 404 page for /nope.py is HTML; a host would serve preview-….py as text.
    shop.page("a.md", block("GET /nope.py -> 404"))
    (answer,) = shop.build().blocks[("a.md", 3)].answers
    assert answer.preview is not None
    assert answer.preview.endswith(".html")


def test_only_an_examples_first_block_in_a_page_links_its_download(shop):
    shop.example("hello", {"app.py": shop.HELLO})
    two = block("GET /api/count") + block("GET /", example="hello") + block("GET /")
    shop.page("a.md", two)
    shop.page("b.md", block("GET /api/count"))
    run = shop.builder().start(shop.pages)
    run.finish()
    # What the pages show: each page's blocks in their order.
    links = [
        rendered.download
        for page in ("a.md", "b.md")
        for _, rendered in sorted(run.rendered(page).items())
    ]
    assert links == [
        "examples/shop/shop.zip",
        "examples/hello/hello.zip",
        None,  # shop's second block on a.md
        "examples/shop/shop.zip",  # b.md links it again
    ]


def test_a_freeze_failure_names_the_url_and_the_exclude_that_skips_it(project):
    project.example(
        "boom",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n"
            "@app.get('/')\ndef i():\n    return 'ok'\n\n"
            "@app.get('/admin/reset')\ndef reset():\n    return 1/0\n"
        },
    )
    project.page("a.md", block("GET /", example="boom"))
    (error,) = failure(project).errors
    assert "on URL /admin/reset; the view raised ZeroDivisionError" in error.what
    assert str(error.where) == "snippets/boom/app.py:10"
    assert 'goes under [build] of example.toml: exclude = ["/admin/reset"]' in error.fix
