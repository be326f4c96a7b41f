"""Requests a browser would send: a page's form submitted, files uploaded, cookies shown."""

import pytest

from site_app.author.directive import scan
from site_app.errors import BuildFailed
from site_app.execute.forms import FormProblem, choose, forms_of, submitted
from site_app.model import Upload
from tests.site_app.test_blocks import html_of, text_of

PAGE = """\
<form id="search" class="find wide" action="/search">
  <input name="q" value="lamp"><input type="submit" name="go" value="Go">
</form>
<form class="signin" method="POST" action="login/?next=%2Faccount">
  <input type="hidden" name="csrf_token" value="tok&amp;en">
  <input name="username">
  <input type="password" name="password" value="">
  <input type="checkbox" name="remember" value="y">
  <input type="checkbox" name="news" checked>
  <input type="radio" name="size" value="s" checked><input type="radio" name="size" value="l">
  <input name="old" value="x" disabled>
  <textarea name="note">first
line</textarea>
  <select name="colour"><option>red</option><option value="b" selected>blue</option></select>
  <select name="shape"><option value="o">round</option><option>square</option></select>
  <select name="tone"><option selected>warm</option></select>
  <input type="file" name="photo">
  <button name="action" value="save">Save</button>
</form>
<input name="outside">
"""


def test_forms_are_read_with_their_fields_and_values():
    search, signin = forms_of(PAGE)
    assert (search.name, search.line, search.method) == ("#search", 1, "GET")
    assert (signin.name, signin.line, signin.method) == (".signin", 4, "POST")
    assert signin.action("/auth/") == "/auth/login/?next=%2Faccount"
    assert search.action("/a/b?x=1") == "/search"
    sent = submitted(PAGE, "/auth/", ".signin", ())
    assert (sent.method, sent.path, sent.files) == ("POST", "/auth/login/?next=%2Faccount", [])
    assert sent.fields == [
        ("csrf_token", "tok&en"),
        ("username", ""),
        ("password", ""),
        ("news", "on"),
        ("size", "s"),
        ("note", "first\r\nline"),
        ("colour", "b"),
        ("shape", "o"),
        ("tone", "warm"),
        ("photo", ""),
        ("action", "save"),
    ]


def test_the_block_fills_in_ticks_and_chooses():
    pairs = submitted(
        PAGE,
        "/auth/",
        ".signin",
        (
            ("username", "ada"),
            ("remember", True),
            ("news", False),
            ("size", "l"),
            ("csrf_token", True),
        ),
    ).fields
    assert ("username", "ada") in pairs
    assert ("remember", "y") in pairs
    assert ("news", "on") not in pairs
    assert ("size", "l") in pairs
    assert ("size", "s") not in pairs
    assert ("csrf_token", "tok&en") in pairs


@pytest.mark.parametrize(
    ("selector", "name"),
    [
        ("#search", "#search"),
        (".wide", "#search"),
        (".signin", ".signin"),
        ("/auth/login/", ".signin"),
    ],
)
def test_a_form_is_chosen_by_id_class_or_action(selector, name):
    assert choose(forms_of(PAGE), selector, "/auth/").name == name


@pytest.mark.parametrize(
    ("html", "selector", "what", "fix"),
    [
        ("<p>no form</p>", None, "the page has no <form>", "answers a page with a form"),
        (PAGE, None, "the page has 2 forms: #search (line 1), .signin (line 4)", "'#search'"),
        (PAGE, "#login", "no form '#login'; its forms are #search (line 1)", "('#login')"),
        ("<p></p>", "#login", "it has no <form> at all", "('#login')"),
        ("<form class=a></form><form class=a></form>", ".a", "2 forms of the page match", "id"),
    ],
)
def test_a_missing_or_ambiguous_form_is_a_problem(html, selector, what, fix):
    with pytest.raises(FormProblem) as caught:
        choose(forms_of(html), selector, "/")
    assert what in caught.value.what
    assert fix in caught.value.fix


def test_a_form_without_id_class_or_action_is_named_so():
    assert forms_of("<form></form>")[0].name == "(no id, class or action)"


@pytest.mark.parametrize(
    ("fields", "uploads", "what"),
    [
        ((("usernme", "ada"),), (), "form .signin (line 4) has no field 'usernme'; its fields are"),
        ((("old", "y"),), (), "has no field 'old'"),
        ((), ("avatar",), "has no field 'avatar'"),
        ((), ("note",), "field 'note' of form .signin (line 4) is not a file input"),
    ],
)
def test_a_field_the_form_lacks_is_a_problem(fields, uploads, what):
    with pytest.raises(FormProblem) as caught:
        submitted(PAGE, "/", ".signin", fields, uploads)
    assert what in caught.value.what


APP = """
    from flask import Flask, flash, get_flashed_messages, redirect, render_template_string, request, session
    from flask_wtf import CSRFProtect

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test only"
    CSRFProtect(app)

    FORM = '''<form id="login" method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
    <input name="user"><input type="checkbox" name="remember" value="y"></form>
    <form id="upload" method="post" action="/upload" enctype="multipart/form-data">
    <input type="hidden" name="csrf_token" value="{{ csrf_token() }}"><input type="file" name="doc"></form>
    <form id="find" action="/search"><input name="q" value="lamp"></form>'''


    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            session["user"] = request.form["user"]
            session["remember"] = request.form.get("remember")
            return redirect("/me")
        return render_template_string(FORM)


    @app.get("/note")
    def note():
        flash("saved")
        return redirect("/notes")


    @app.get("/notes")
    def notes():
        return render_template_string("<p>{{ get_flashed_messages()|join }}</p>")


    @app.get("/old")
    def old():
        return redirect("/me")


    @app.get("/me")
    def me():
        return {"user": session.get("user"), "remember": session.get("remember")}


    @app.post("/upload")
    def upload():
        doc = request.files["doc"]
        return {"name": doc.filename, "type": doc.content_type, "text": doc.read().decode()}


    @app.get("/search")
    def search():
        return f"<p>{request.args.get('q', '')}</p>"
"""


@pytest.fixture
def site(project):
    project.example("site", {"app.py": APP, "samples/note.txt": "hello, file\n"})
    return project


def block(*items):
    body = "\n".join(items)
    return f"Intro\n\n```flask-example\nexample: site\nrequests:\n{body}\n```\n"


def test_submit_posts_the_page_form_with_its_csrf_token_and_shows_cookies(site):
    site.page(
        "a.md",
        block(
            "  - GET /login",
            "  - submit: {form: '#login', fields: {user: ada, remember: true}, status: 302}",
            "    show: [cookies]",
            "  - GET /me",
        ),
    )
    answers = site.build().blocks[("a.md", 3)].answers
    sent = answers[1].request
    assert (sent.method, sent.path) == ("POST", "/login")
    assert [name for name, _ in sent.form] == ["csrf_token", "user", "remember"]
    assert dict(sent.form)["remember"] == "y"
    assert answers[1].response.status_code == 302
    (cookie,) = answers[1].response.cookies
    assert cookie.startswith("session=")
    assert cookie.endswith("; Domain=localhost; Path=/; HttpOnly")
    assert answers[2].response.pretty_body() == '{\n  "remember": "y",\n  "user": "ada"\n}'
    assert answers[0].response.cookies is None
    page = html_of(site.build().blocks[("a.md", 3)])
    assert "POST /login → 302" in page
    assert '<span class="filename">Cookies the client holds now</span>' in page


def test_a_get_form_and_a_query_string(site):
    site.page(
        "a.md",
        block(
            "  - GET /login",
            "  - submit: {form: '#find', fields: {q: desk}}",
            "  - GET /search?q=a+b",
        ),
    )
    answers = site.build().blocks[("a.md", 3)].answers
    assert answers[1].request.path == "/search?q=desk"
    assert answers[1].response.text == "<p>desk</p>"
    assert answers[2].response.text == "<p>a b</p>"


def test_an_upload_with_csrf(site):
    site.page(
        "a.md",
        block(
            "  - GET /login",
            "  - submit: {form: '#upload'}",
            "    files: {doc: {file: samples/note.txt, name: n.txt, type: text/x-note}}",
        ),
    )
    rendered = site.build().blocks[("a.md", 3)]
    answer = rendered.answers[1]
    assert answer.request.files == (
        Upload("doc", "samples/note.txt", "n.txt", "text/x-note", b"hello, file\n"),
    )
    assert answer.response.pretty_body() == (
        '{\n  "name": "n.txt",\n  "text": "hello, file\\n",\n  "type": "text/x-note"\n}'
    )
    assert "doc: file n.txt (text/x-note, 12 bytes)" in text_of(html_of(rendered))


def test_an_upload_without_a_form_guesses_the_type_from_the_name(site):
    (block_scan,) = scan(
        block("  - request: POST /upload", "    files: {doc: samples/note.txt}"), "a.md"
    ).blocks
    assert block_scan.requests[0].files == (
        Upload("doc", "samples/note.txt", "note.txt", "text/plain"),
    )


@pytest.mark.parametrize(
    ("items", "line", "what", "fix"),
    [
        (
            ["  - submit: {}"],
            6,
            "submit the form posts a form of the previous HTML answer, but it is the block's first",
            "first GET the page",
        ),
        (
            ["  - GET /me", "  - submit: {}"],
            7,
            "the previous answer (GET /me, line 6) is application/json, not an HTML page",
            "first GET the page",
        ),
        (
            ["  - GET /old -> 302", "  - submit: {}"],
            7,
            "the previous answer (GET /old, line 6) redirects to /me",
            "first GET the page",
        ),
        (
            ["  - GET /login", "  - submit: {form: '#login', fields: {user: ada}}"],
            7,
            "POST /login to example 'site' answered 302 FOUND, expected a 2xx status; it redirects to /me",
            "add 'status: 302' to its submit",
        ),
        (
            ["  - GET /login", "  - submit: {form: '#signin'}"],
            7,
            "submit #signin: in the answer to GET /login (line 6), the page has no form '#signin'",
            "('#login')",
        ),
        (
            ["  - GET /login", "  - submit: {form: '#login', fields: {username: ada}}"],
            7,
            "form #login (line 1) has no field 'username'; its fields are csrf_token, remember, user",
            "use a field the form has",
        ),
        (
            ["  - GET /login", "  - submit: {form: '#find'}", "    files: {q: samples/note.txt}"],
            7,
            "field 'q' of form #find (line 5) is not a file input",
            "put other values under 'fields'",
        ),
        (
            [
                "  - GET /login",
                "  - submit: {form: '#upload'}",
                "    files: {doc: samples/gone.txt}",
            ],
            7,
            "the upload for field 'doc' names snippets/site/samples/gone.txt, which does not exist",
            "(snippets/site/samples/note.txt)",
        ),
        (
            ["  - request: POST /upload", "    files: {doc: ../../secret.txt}"],
            6,
            "the upload for field 'doc' (../../secret.txt) is outside example 'site'",
            "in the example's folder",
        ),
    ],
)
def test_misuse_names_the_page_line(site, items, line, what, fix):
    site.page("a.md", block(*items))
    with pytest.raises(BuildFailed) as caught:
        site.build()
    (error,) = caught.value.errors
    assert str(error.where) == f"a.md:{line}"
    assert what in error.what
    assert fix in error.fix


def test_a_get_form_cannot_carry_files(site):
    site.page(
        "a.md",
        block(
            "  - GET /login", "  - submit: {form: '#find'}", "    files: {doc: samples/note.txt}"
        ),
    )
    with pytest.raises(BuildFailed) as caught:
        site.build()
    assert "has no field 'doc'" in caught.value.errors[0].what


def test_a_get_form_with_files_is_refused():
    page = '<form><input type="file" name="f"></form>'
    with pytest.raises(FormProblem, match="is sent with GET, which cannot carry files"):
        submitted(page, "/", None, (), ("f",))


def test_browser_requests_are_for_flask_examples_only(project):
    project.example(
        "api",
        {
            "app.py": "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/')\ndef root():\n    return {}\n",
            "example.toml": '[build]\nframework = "fastapi"\n',
        },
    )
    project.page(
        "a.md",
        "```flask-example\nexample: api\nrequests:\n  - request: GET /\n    show: [cookies]\n```\n",
    )
    with pytest.raises(BuildFailed) as caught:
        project.build()
    (error,) = caught.value.errors
    assert (
        "show: [cookies] work(s) for Flask examples only; example 'api' is a fastapi app"
        in error.what
    )


def test_a_preview_sees_the_session_the_page_saw(site):
    """A flashed message is read once; the preview must show it all the same."""
    site.page("a.md", block("  - GET /note -> 302", "  - GET /notes", "  - GET /notes"))
    answers = site.build().blocks[("a.md", 3)].answers
    assert answers[1].response.text == "<p>saved</p>"
    assert answers[2].response.text == "<p></p>"
    frozen = site.root / ".cache/frozen/site"
    # Each preview is the page wrapped as a complete document; its body is what the page saw.
    first = (frozen / answers[1].preview.split("/", 2)[2]).read_text()
    second = (frozen / answers[2].preview.split("/", 2)[2]).read_text()
    assert "<body>\n<p>saved</p>\n</body>" in first
    assert "<body>\n<p></p>\n</body>" in second


@pytest.mark.parametrize(
    ("html", "value"),
    [
        ("<textarea name=t>\r\nkept\n</textarea>", "kept\n"),
        ("<textarea name=t>\n\nsecond</textarea>", "\nsecond"),
        ("<textarea name=t>\r\n</textarea>", ""),
        ("<textarea name=t>as is</textarea>", "as is"),
    ],
)
def test_a_textarea_loses_the_newline_html_drops(html, value):
    assert submitted(f"<form method=post>{html}</form>", "/", None, ()).fields == [
        ("t", value.replace("\n", "\r\n"))
    ]


def test_a_client_without_cookies_says_so(site):
    site.page("a.md", block("  - request: GET /me", "    show: [cookies]"))
    rendered = site.build().blocks[("a.md", 3)]
    assert rendered.answers[0].response.cookies == ()
    assert "Cookies the client holds now(none)\n" in text_of(html_of(rendered))
