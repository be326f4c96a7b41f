"""A form sent by Chromium and by a block's ``submit`` reaches the app as the same request.

One real Flask app, served on 127.0.0.1, answers each case's page and records
what every other request brought, as Werkzeug parsed it. Chromium opens the
page, does what the block says (types, ticks, chooses, attaches files,
clicks a button, or the form's first submit button when the block names
none) and sends the form; the build's own path (``forms.submitted``, the
worker's ``as_submitted``, ``capture.perform``) sends the same block to the
same app. The two records must be equal.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, request
from playwright.sync_api import Browser, Page
from werkzeug.serving import make_server

from site_app.execute.capture import perform
from site_app.execute.forms import FormProblem, submitted
from site_app.execute.worker import as_submitted
from site_app.model import Request, Submit, Upload

PAGES: dict[str, str] = {}
RECEIVED: list[dict[str, Any]] = []

app = Flask(__name__)


@app.get("/page/<name>")
def page(name: str) -> str:
    return f"<!doctype html><title>{name}</title>{PAGES[name]}"


@app.get("/favicon.ico")
def favicon() -> tuple[str, int]:
    return "", 404


@app.route("/", defaults={"rest": ""}, methods=["GET", "POST"])
@app.route("/<path:rest>", methods=["GET", "POST"])
def record(rest: str) -> str:
    """What the app received, as Werkzeug parses it."""
    RECEIVED.append(
        {
            "method": request.method,
            "path": request.path,
            "args": list(request.args.items(multi=True)),
            "mimetype": request.mimetype,
            "form": list(request.form.items(multi=True)),
            "files": [
                (name, file.filename, file.content_type, file.read())
                for name, file in request.files.items(multi=True)
            ],
        }
    )
    return "<!doctype html><title>received</title><p>received</p>"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, name="forms-app", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{served.server_port}"
    finally:
        served.shutdown()
        served.server_close()
        thread.join()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@dataclass(frozen=True)
class Case:
    html: str
    fields: tuple[tuple[str, str | bool], ...] = ()
    files: tuple[tuple[str, str, str, bytes], ...] = ()  # field, file name, type, content
    form: str | None = None  # the block's selector, and Chromium's
    novalidate: bool = False
    enter: str | None = None  # Chromium presses Enter in this field (implicit submission)


def _chromium_fills(tab: Page, case: Case) -> Any:
    """Do in Chromium what the block says; return the button to click (or None)."""
    form = tab.locator(case.form or "form")
    pressed = None
    for name, value in case.fields:
        controls = tab.locator(f'[name="{name}"]')
        kind = controls.first.evaluate("e => e.type")
        if kind in ("submit", "image"):
            pressed = (
                controls
                if isinstance(value, bool)
                else tab.locator(f'[name="{name}"][value="{value}"]')
            )
        elif kind == "checkbox" and isinstance(value, bool):
            for index in range(controls.count()):
                controls.nth(index).set_checked(value)
        elif kind in ("checkbox", "radio"):
            tab.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind.startswith("select"):
            controls.first.select_option(str(value))
        else:
            controls.first.fill("" if isinstance(value, bool) else value)
    for name, filename, mimetype, content in case.files:
        tab.locator(f'input[type=file][name="{name}"]').set_input_files(
            {"name": filename, "mimeType": mimetype, "buffer": content}
        )
    if pressed is not None:
        return pressed.first.element_handle()
    # No button named: the form's default button (its first submit button), as Enter presses.
    return form.evaluate_handle(
        "f => [...f.elements].find(e => e.type === 'submit' || e.type === 'image') || null"
    ).as_element()


def chromium_sends(tab: Page, server: str, name: str, case: Case) -> dict[str, Any]:
    tab.goto(f"{server}/page/{name}")
    button = _chromium_fills(tab, case)
    with tab.expect_response(lambda r: "/page/" not in r.url and r.request.is_navigation_request()):
        if case.enter is not None:
            tab.locator(case.enter).press("Enter")
        elif button is not None:
            button.click()
        else:
            tab.locator(case.form or "form").evaluate("f => f.requestSubmit()")
    return RECEIVED.pop()


def build_sends(name: str, case: Case) -> dict[str, Any]:
    """The build's way: read the page, fill the form in, send it through the test client."""
    page_path = f"/page/{name}"
    html = app.test_client().get(page_path).get_data(as_text=True)
    uploads = tuple(
        Upload(f, "sample", filename, t, content) for f, filename, t, content in case.files
    )
    sent = submitted(
        html, page_path, case.form, case.fields, tuple(u.field for u in uploads), case.novalidate
    )
    block = Request("", "", submit=Submit(case.form, case.fields, case.novalidate), files=uploads)
    perform(app, as_submitted(block, sent), app.test_client())
    return RECEIVED.pop()


CSRF = '<input type="hidden" name="csrf_token" value="IjQ1ZjM.abc-def">'

SENT_ALIKE = {
    # A file input with no file goes as an empty part, filename="".
    "empty_file_inputs": Case(
        '<form method="post" action="/upload" enctype="multipart/form-data">'
        + CSRF
        + '<input type="file" name="cover"><input type="file" name="photo">'
        '<input type="file" name="notes"><input name="title" value="trip"></form>',
        files=(("photo", "cat.png", "image/png", b"\x89PNG\r\n"),),
    ),
    # Outside a multipart body a file input sends its (empty) file name.
    "file_input_in_urlencoded_form": Case(
        '<form method="post" action="/x"><input type="file" name="doc"><input name="a"></form>',
        fields=(("a", "1"),),
    ),
    "checked_boxes_and_radios_only": Case(
        '<form method="post" action="/prefs">'
        '<input type="checkbox" name="news" checked><input type="checkbox" name="terms" value="y">'
        '<input type="checkbox" name="tags" value="a" checked>'
        '<input type="checkbox" name="tags" value="b">'
        '<input type="checkbox" name="spam" value="s" checked>'
        '<input type="radio" name="size" value="s" checked><input type="radio" name="size" value="l">'
        '<input type="radio" name="tone" value="warm"></form>',
        fields=(("terms", True), ("spam", False), ("size", "l"), ("tags", "b")),
    ),
    "a_select_sends_its_selected_or_first_option": Case(
        '<form method="post" action="/s">'
        '<select name="first"><option>red</option><option value="b">blue</option></select>'
        '<select name="picked"><option value="1">one</option><option value="2" selected>two</option>'
        "</select>"
        '<select name="chosen"><option value="x">x</option><option value="y">y</option></select>'
        '<select name="many" multiple><option selected>p</option><option>q</option>'
        "<option selected>  r  s </option></select>"
        '<select name="none" multiple><option>z</option></select>'
        '<select name="skips"><option disabled>off</option><option>on</option></select>'
        '<select name="group"><optgroup disabled><option>g1</option></optgroup>'
        "<option>g2</option></select></form>",
        fields=(("chosen", "y"),),
    ),
    "the_clicked_button_and_no_other": Case(
        '<form method="post" action="/note"><input name="text" value="hi">'
        '<button name="action" value="save">Save</button>'
        '<button name="action" value="delete">Delete</button>'
        '<input type="submit" name="other" value="Other"><button type="button" name="b">B</button>'
        "</form>",
        fields=(("action", "delete"),),
    ),
    "no_button_named_is_the_first_submit_button": Case(
        '<form method="post" action="/login"><input name="user">'
        '<button type="button" name="help" value="h">?</button>'
        '<input id="submit" name="submit" type="submit" value="Log In">'
        '<button name="later" value="l">Later</button></form>',
        fields=(("user", "ada"),),
    ),
    "formaction_formmethod_formenctype": Case(
        '<form action="/search"><input name="q" value="lamp"><input type="file" name="f">'
        '<button>Find</button><button name="go" value="up" formaction="/upload?kind=a"'
        ' formmethod="post" formenctype="multipart/form-data">Upload</button></form>',
        fields=(("go", "up"),),
        files=(("f", "n.txt", "text/plain", b"hello\n"),),
    ),
    "formmethod_get_replaces_the_query": Case(
        '<form method="post" action="/find?old=1"><input name="q" value="a b&c">'
        '<button formmethod="get" name="how" value="quick">Go</button></form>',
    ),
    "line_breaks_go_as_crlf": Case(
        '<form method="post" action="/t"><textarea name="body">\nfirst\nsecond</textarea>'
        '<textarea name="typed"></textarea><input type="hidden" name="h" value="a&#10;b"></form>',
        fields=(("typed", "one\ntwo\n"),),
    ),
    "disabled_controls_are_not_sent": Case(
        '<form method="post" action="/d"><input name="on" value="1"><input name="off" value="2" disabled>'
        '<fieldset disabled><input name="inside" value="3"><select name="s"><option>o</option>'
        '</select></fieldset><fieldset><input name="enabled" value="4"></fieldset></form>',
    ),
    "controls_owned_by_form_attribute": Case(
        '<input name="before" value="b" form="f"><form id="f" method="post" action="/o">'
        '<input name="inside" value="i"><input name="elsewhere" value="e" form="other"></form>'
        '<textarea name="after" form="f">a</textarea><form id="other"></form>',
        form="#f",
    ),
    "values_as_their_type_keeps_them": Case(
        '<form method="post" action="/v"><input type="number" name="n" value="abc">'
        '<input type="number" name="m" value="1.5e3"><input type="range" name="r">'
        '<input type="range" name="r2" min="10" max="20" value="99">'
        '<input type="color" name="c" value="#AABBCC"><input type="color" name="c2" value="#12">'
        '<input name="t" value="a&#10;b"><input type="email" name="e" value="  ada@example.org ">'
        '<input type="hidden" name="_charset_"><input name="dir" dirname="dir.dir" value="x">'
        '<input name="unnamed-not" form="nowhere"><input value="no name"></form>',
    ),
    "a_get_form_puts_its_fields_in_the_query": Case(
        '<form action="/find?page=2#top"><input name="q" value="café au lait">'
        '<input type="checkbox" name="all" value="1" checked><input type="file" name="f"></form>',
    ),
    "an_image_button_sends_its_coordinates": Case(
        '<form method="post" action="/i"><input name="a" value="1">'
        '<input type="image" name="map" alt="map" src="data:,"></form>',
        enter="[name=a]",
    ),
    "a_form_inside_a_form_is_no_form": Case(
        '<form method="post" action="/outer"><input name="a" value="1">'
        '<form method="post" action="/inner"><input name="b" value="2"></form>'
        '<input name="c" value="3"></form>',
    ),
    "readonly_and_hidden_fields_are_not_validated": Case(
        '<form method="post" action="/ro"><input name="r" required readonly>'
        '<input type="hidden" name="h" required><input type="email" name="e" value="x" readonly>'
        "</form>",
    ),
    "novalidate_on_the_form": Case(
        '<form method="post" action="/n" novalidate><input name="need" required>'
        '<input type="email" name="mail"></form>',
        fields=(("mail", "not-an-address"),),
    ),
    "formnovalidate_on_the_button": Case(
        '<form method="post" action="/n"><input name="need" required>'
        '<button name="draft" value="1" formnovalidate>Save draft</button></form>',
        fields=(("draft", "1"),),
    ),
}


@pytest.mark.parametrize("name", sorted(SENT_ALIKE))
def test_chromium_and_the_build_send_the_same(tab: Page, server: str, name: str) -> None:
    case = SENT_ALIKE[name]
    PAGES[name] = case.html
    assert chromium_sends(tab, server, name, case) == build_sends(name, case)


def test_a_blocks_novalidate_sends_what_a_form_with_novalidate_sends(
    tab: Page, server: str
) -> None:
    """The block's ``novalidate: true`` sends what Chromium sends for the same form marked so."""
    form = (
        '<form method="post" action="/n"{}><input name="need" required><button>Go</button></form>'
    )
    PAGES["novalidate_marked"] = form.format(" novalidate")
    PAGES["novalidate_block"] = form.format("")
    chromium = chromium_sends(tab, server, "novalidate_marked", Case(PAGES["novalidate_marked"]))
    build = build_sends("novalidate_block", Case(PAGES["novalidate_block"], novalidate=True))
    assert chromium == build


REFUSED = {
    "required_text_left_empty": (
        '<form method="post" action="/r"><input name="name" required></form>',
        (),
        "field 'name' (line 1) is required and empty",
    ),
    "required_checkbox_unticked": (
        '<form method="post" action="/r"><input type="checkbox" name="terms" required checked>'
        "</form>",
        (("terms", False),),
        "field 'terms' (line 1) is required and not ticked",
    ),
    "required_radio_group_unchosen": (
        '<form method="post" action="/r"><input type="radio" name="size" value="s">'
        '<input type="radio" name="size" value="l" required></form>',
        (),
        "field 'size' (line 1) is required and no radio button of it is chosen",
    ),
    "required_select_on_its_placeholder": (
        '<form method="post" action="/r"><select name="c" required><option value="">Pick</option>'
        "<option>red</option></select></form>",
        (),
        "field 'c' (line 1) is required and no option is chosen",
    ),
    "required_file_unchosen": (
        '<form method="post" action="/r" enctype="multipart/form-data">'
        '<input type="file" name="doc" required></form>',
        (),
        "field 'doc' (line 1) is required and no file is chosen",
    ),
    "required_textarea_empty": (
        '<form method="post" action="/r"><textarea name="t" required>\n</textarea></form>',
        (),
        "field 't' (line 1) is required and empty",
    ),
    "email_that_is_not_one": (
        '<form method="post" action="/r"><input type="email" name="mail"></form>',
        (("mail", "ada at example.org"),),
        "field 'mail' (line 1) is type=email and 'ada at example.org' is not an email address",
    ),
    "emails_one_of_which_is_not": (
        '<form method="post" action="/r"><input type="email" name="mail" multiple></form>',
        (("mail", "ada@example.org, bob"),),
        "is type=email and 'ada@example.org,bob' is not an email address",
    ),
    "pattern_not_matched": (
        '<form method="post" action="/r"><input name="zip" pattern="[0-9]{5}"></form>',
        (("zip", "1234x"),),
        "field 'zip' (line 1) does not match its pattern '[0-9]{5}': '1234x'",
    ),
    "pattern_matches_the_whole_value_only": (
        '<form method="post" action="/r"><input name="code" pattern="ab|cd"></form>',
        (("code", "abcd"),),
        "does not match its pattern 'ab|cd': 'abcd'",
    ),
    "minlength_not_reached": (
        '<form method="post" action="/r"><input name="pw" minlength="8"></form>',
        (("pw", "short"),),
        "field 'pw' (line 1) needs at least 8 characters (minlength), not 'short'",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_chromium_refuses_to_send_the_build_refuses(tab: Page, server: str, name: str) -> None:
    html, fields, what = REFUSED[name]
    PAGES[name] = html
    tab.goto(f"{server}/page/{name}")
    _chromium_fills(tab, Case(html, fields))
    assert tab.locator("form").evaluate("f => f.checkValidity()") is False
    with pytest.raises(FormProblem) as caught:
        submitted(html, f"/page/{name}", None, fields)
    assert what in caught.value.what
    assert "novalidate: true" in caught.value.fix
    # Marked novalidate, Chromium sends it, and so does the build.
    marked = html.replace("<form ", "<form novalidate ", 1)
    PAGES[name] = marked
    assert chromium_sends(tab, server, name, Case(marked, fields)) == build_sends(
        name, Case(marked, fields)
    )


UNTYPABLE = {
    "past_maxlength": (
        '<input name="f" maxlength="4" value="123456">',
        "abcdef",
        "takes at most 4 characters (maxlength): a reader cannot type 'abcdef'",
    ),
    "letters_into_a_number": (
        '<input type="number" name="f" value="7">',
        "two",
        "is type=number, and a reader cannot type 'two' into it",
    ),
    "into_a_readonly_field": (
        '<input name="f" value="kept" readonly>',
        "typed",
        "is readonly, and a reader cannot type 'typed' into it",
    ),
    "a_line_break_into_one_line": (
        '<input name="f" value="x">',
        "two\nlines",
        "holds one line, and a reader cannot type the line break of 'two\\nlines'",
    ),
}


@pytest.mark.parametrize("name", sorted(UNTYPABLE))
def test_what_a_reader_cannot_type_the_build_refuses(tab: Page, server: str, name: str) -> None:
    """Typed into Chromium (pasted when it holds a line break), the value is not the block's."""
    control, value, what = UNTYPABLE[name]
    html = f'<form method="post" action="/r" novalidate>{control}</form>'
    PAGES[name] = html
    tab.goto(f"{server}/page/{name}")
    field = tab.locator("[name=f]")
    if "\n" in value:  # pasted: a key press of Enter would send the form
        field.fill(value)
    else:  # typed over the field's whole value, key by key
        field.click()
        field.evaluate("e => e.select()")
        tab.keyboard.type(value)
    assert field.input_value() != value
    with pytest.raises(FormProblem) as caught:
        submitted(html, f"/page/{name}", None, (("f", value),))
    assert what in caught.value.what
    # The page's own value is sent as it is, by both (the limits hold for typing only).
    assert chromium_sends(tab, server, name, Case(html)) == build_sends(name, Case(html))


def test_valid_values_are_sent(tab: Page, server: str) -> None:
    html = (
        '<form method="post" action="/ok"><input type="email" name="mail" required>'
        '<input name="zip" pattern="[0-9]{5}"><input name="pw" minlength="3" maxlength="5">'
        '<select name="c" required><option value="">Pick</option><option>red</option></select>'
        "</form>"
    )
    fields = (("mail", "ada@example.org"), ("zip", "01234"), ("pw", "abcd"), ("c", "red"))
    PAGES["valid"] = html
    case = Case(html, fields)
    assert chromium_sends(tab, server, "valid", case) == build_sends("valid", case)
