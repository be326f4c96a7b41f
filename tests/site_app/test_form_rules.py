"""A block's ``submit`` misused, or refused as a browser refuses it: the message and the line.

What a browser sends for each rule is compared with Chromium's own submission
in tests/browser/test_forms_as_chromium.py; these tests hold the build's
messages and the block keys.
"""

import json

import pytest

from site_app.errors import BlockError, BuildFailed
from site_app.execute.forms import FormProblem, submitted
from tests.site_app.test_blocks import html_of, text_of

APP = """
    from flask import Flask, request

    app = Flask(__name__)

    FORM = '''<form id="join" method="post" action="/join" enctype="multipart/form-data">
    <input type="email" name="mail" required><input type="file" name="photo">
    <input type="file" name="cv"></form>'''


    @app.get("/join")
    def page():
        return FORM


    @app.post("/join")
    def join():
        files = {name: [f.filename, f.content_type] for name, f in request.files.items()}
        return {"mail": request.form["mail"], "files": files}
"""


@pytest.fixture
def site(project):
    project.example("site", {"app.py": APP})
    return project


def block(*items):
    body = "\n".join(items)
    return f"Intro\n\n```flask-example\nexample: site\nrequests:\n{body}\n```\n"


def test_a_form_a_browser_would_refuse_stops_the_build_at_the_blocks_line(site):
    site.page("a.md", block("  - GET /join", "  - submit: {fields: {mail: ada}}"))
    with pytest.raises(BuildFailed) as caught:
        site.build()
    (error,) = caught.value.errors
    assert str(error.where) == "a.md:7"
    assert error.what == (
        "submit the form: in the answer to GET /join (line 6), a browser would not send "
        "form #join (line 1): field 'mail' (line 2) is type=email and 'ada' is not an "
        "email address"
    )
    assert "add 'novalidate: true' to the submit" in error.fix


def test_novalidate_sends_it_and_empty_file_inputs_go_as_empty_parts(site):
    site.page("a.md", block("  - GET /join", "  - submit: {fields: {mail: ''}, novalidate: true}"))
    rendered = site.build().blocks[("a.md", 3)]
    answer = rendered.answers[1]
    assert json.loads(answer.response.text) == {
        "mail": "",
        "files": {
            "photo": ["", "application/octet-stream"],
            "cv": ["", "application/octet-stream"],
        },
    }
    shown = text_of(html_of(rendered))
    assert "Content-Type: multipart/form-data" in shown
    assert "photo: no file chosen (an empty part)" in shown


def test_novalidate_is_true_or_false(site):
    site.page("a.md", block("  - GET /join", "  - submit: {novalidate: 'yes'}"))
    with pytest.raises(BuildFailed) as caught:
        site.build()
    (error,) = caught.value.errors
    assert isinstance(error, BlockError)
    assert str(error.where) == "a.md:7"
    assert "'novalidate' of 'submit' must be true or false, not 'yes'" in error.what


FORM = """<form id="f" method="post" action="/x">
<input name="text"><select name="colour"><option>red</option><option disabled>grey</option></select>
<input type="radio" name="size" value="s"><input type="radio" name="size" value="l">
<button name="go" value="save">Save</button><button name="go" value="drop">Drop</button>
<button type="reset" name="clear">Clear</button><input type="submit" name="other" value="O">
</form>"""


@pytest.mark.parametrize(
    ("fields", "what", "fix"),
    [
        (
            (("go", "save"), ("other", True)),
            "the block presses 2 buttons of form #f (line 1): go, other",
            "a reader clicks one button",
        ),
        (
            (("go", "publish"),),
            "has no submit button 'go' with value 'publish'; its buttons 'go' have the values "
            "'save', 'drop'",
            "e.g. go: 'save', or go: true for the first",
        ),
        ((("clear", True),), "has no submit button 'clear'", "press a submit button"),
        (
            (("colour", "grey"),),
            "select 'colour' of form #f (line 1) has no option 'grey' to choose; its options' "
            "values are 'red'",
            "choose an option the select has",
        ),
        (
            (("size", "m"),),
            "field 'size' of form #f (line 1) has no radio with value 'm'; its values are 's', 'l'",
            "choose one of those values",
        ),
    ],
)
def test_what_a_reader_cannot_do_is_a_problem(fields, what, fix):
    with pytest.raises(FormProblem) as caught:
        submitted(FORM, "/", None, fields)
    assert what in caught.value.what
    assert fix in caught.value.fix


@pytest.mark.parametrize(
    ("form", "uploads", "what"),
    [
        (
            '<form method="post" enctype="text/plain"><input name="a"></form>',
            (),
            "is sent as text/plain, which Werkzeug does not read as a form",
        ),
        (
            '<form method="post"><input type="file" name="f"></form>',
            ("f",),
            "is sent as application/x-www-form-urlencoded, which cannot carry files",
        ),
        (
            '<form method="post" enctype="multipart/form-data"><input type="file" name="f">'
            '<button formmethod="get">Go</button></form>',
            ("f",),
            "is sent with GET, which cannot carry files",
        ),
    ],
)
def test_a_form_that_cannot_carry_the_blocks_request_is_a_problem(form, uploads, what):
    with pytest.raises(FormProblem) as caught:
        submitted(form, "/", None, (), uploads)
    assert what in caught.value.what


def test_a_pattern_a_browser_cannot_compile_is_ignored_as_a_browser_ignores_it():
    form = '<form method="post"><input name="a" pattern="(unclosed"></form>'
    assert submitted(form, "/", None, (("a", "x"),)).fields == [("a", "x")]


def test_novalidate_sends_the_blocks_values_as_given():
    """As a script would: letters into a number field, a line break into a text field."""
    form = '<form method="post"><input type="number" name="n"><input name="t" maxlength="2"></form>'
    fields = (("n", "two"), ("t", "a\nb c"))
    with pytest.raises(FormProblem, match="a reader cannot type 'two' into it"):
        submitted(form, "/", None, fields)
    sent = submitted(form, "/", None, fields, novalidate=True)
    assert sent.fields == [("n", "two"), ("t", "a\r\nb c")]
