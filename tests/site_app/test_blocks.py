import html
import os
import re

import markdown
import pytest

from site_app.author.directive import scan
from site_app.author.discover import discover
from site_app.author.policy import typed_python
from site_app.author.sources import resolve_files, shown_text
from site_app.errors import BlockError
from site_app.fence import _highlighter
from site_app.model import Request, Response, Settings, Shown
from site_app.render.html import BlockView, block_html

PAGE = """\
# A page

```flask-example
example: hello
files: [app.py]
requests:
  - GET /
  - 'POST /items {"name": "lamp"} -> 201'
  - request: POST /login
    form: {user: ada}
    headers: {X-Token: abc}
    show: [Set-Cookie]
```

````markdown
```flask-example
example: only-an-illustration
```
````

!!! note
    ```flask-example
    example: indented
    ```
"""


def test_scan_finds_blocks_with_their_lines_and_skips_other_code():
    result = scan(PAGE, "page.md")
    assert result.errors == []
    first, second = result.blocks
    assert (first.line, first.end_line, first.example) == (3, 13, "hello")
    assert first.files == ("app.py",)
    assert first.request_lines == (7, 8, 9)
    assert first.requests[1] == Request("POST", "/items", {"name": "lamp"}, 201)
    login = first.requests[2]
    assert (login.form, login.headers, login.show) == (
        (("user", "ada"),),
        (("X-Token", "abc"),),
        ("Set-Cookie",),
    )
    assert (second.example, second.indent, second.line) == ("indented", "    ", 22)
    # Numbered in page order, for names that tell one block's frames from another's.
    assert (first.number, second.number) == (1, 2)


def single_error(markdown):
    result = scan(markdown, "guide/page.md")
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


@pytest.mark.parametrize(
    ("body", "line", "what", "fix"),
    [
        ("example: hello\nhilight: 3\n", 3, "unknown key(s) 'hilight'", "example, files, section"),
        ("files: [app.py]\n", 3, "the block has no 'example'", "the name of an example's folder"),
        ("- hello\n", 3, "must be a YAML mapping", "example:"),
        ("example: hello\nfiles: 3\n", 3, "'files' must be a list", "files: [app.py"),
        ("example: hello\nsection: [a]\n", 3, "'section' must be a name", "section: routes"),
        ("example: hello\nhighlight: 3-x\n", 3, "cannot read highlight", "5-7"),
        ("example: hello\nhighlight: 7-3\n", 3, "is empty", "low-high"),
        ("example: hello\nrequests: GET /\n", 3, "'requests' must be a list", "- GET /"),
        ("example: hello\nrequests:\n  - 5\n", 6, "must be a line of text", "quote it"),
        (
            "example: hello\nrequests:\n  - GET /\n  - FETCH /\n",
            7,
            "unknown HTTP method",
            "METHOD /path",
        ),
        (
            "example: hello\nrequests:\n  - request: GET /\n    body: 1\n",
            6,
            "unknown key(s) body",
            "form, headers",
        ),
        (
            "example: hello\nrequests:\n  - form: {a: 1}\n",
            6,
            "needs a 'request' key or a 'submit' key",
            "request: POST",
        ),
        (
            "example: hello\nrequests:\n  - request: GET /\n    form: 1\n",
            6,
            "must be mappings",
            "form: {",
        ),
        (
            "example: hello\nrequests:\n  - request: GET /\n    show: Set-Cookie\n",
            6,
            "'show' must be a list",
            "show: [",
        ),
        ("example: hello\nshow: Allow\n", 3, "the block's 'show' must be a list", "show: ["),
        (
            "example: hello\nshow: [Allow, 'Set Cookie']\n",
            3,
            "lists 'Set Cookie', which is not a header name",
            "show: [Allow, Set-Cookie]",
        ),
        ("example: hello\nshow: [Allow, allow]\n", 3, "lists 'allow' twice", "keep one"),
        (
            "example: hello\nrequests:\n  - request: GET /\n    show: [3]\n",
            6,
            "a request's 'show' lists 3, which is not a header name",
            "show: [",
        ),
        (
            "example: hello\nrequests:\n  - request: 'POST / {\"a\": 1}'\n    form: {b: 2}\n",
            6,
            "both a JSON body and a form",
            "one",
        ),
        (
            'example: hello\nrequests:\n  - POST /items {"name": "lamp"}\n',
            6,
            "not valid YAML",
            "quote a request",
        ),
        (
            "example: hello\nrequests:\n  - request: GET /\n    submit: {}\n",
            6,
            "cannot have both 'request' and 'submit'",
            "submit: {form:",
        ),
        (
            "example: hello\nrequests:\n  - submit: {form: login}\n",
            6,
            "cannot read the form selector 'login'",
            "('#login')",
        ),
        (
            "example: hello\nrequests:\n  - submit: {fields: [a]}\n",
            6,
            "'fields' of 'submit' must be a mapping",
            "fields: {username: ada",
        ),
        (
            "example: hello\nrequests:\n  - submit: {fieldz: {a: 1}}\n",
            6,
            "unknown key(s) fieldz",
            "status: 302",
        ),
        (
            "example: hello\nrequests:\n  - submit: {status: two}\n",
            6,
            "must be an HTTP status, not 'two'",
            "status: 302",
        ),
        (
            "example: hello\nrequests:\n  - submit: {}\n    form: {a: 1}\n",
            6,
            "takes its fields from 'fields' under 'submit'",
            "submit: {fields:",
        ),
        (
            "example: hello\nrequests:\n  - request: POST /\n    files: [a.txt]\n",
            6,
            "'files' of a request must map form fields to files",
            "relative to the example's folder",
        ),
        (
            "example: hello\nrequests:\n  - request: POST /\n    files: {doc: {path: a}}\n",
            6,
            "the upload for field 'doc' must be a file name or a mapping of file, name, type",
            "files: {photo:",
        ),
        (
            "example: hello\nrequests:\n  - request: POST /\n    files: {doc: {name: a}}\n",
            6,
            "the upload for field 'doc' names no 'file'",
            "files: {photo:",
        ),
        (
            "example: hello\nrequests:\n  - request: 'POST / {\"a\": 1}'\n    files: {doc: a.txt}\n",
            6,
            "both a JSON body and a form",
            "one",
        ),
        (
            "example: hello\nsection: a\nfunction: b\n",
            6,
            "the block names 'section' and 'function'; it shows one part of a file",
            "keep one of section, function, lines",
        ),
        ("example: hello\nfunction: index\nlines: 3-9\n", 6, "'function' and 'lines'", "12-30"),
        (
            "example: hello\nfunction: 'app.py:index'\n",
            5,
            "'function' must name a function, not 'app.py:index'",
            "function: create_app, or Class.method",
        ),
        ("example: hello\nlines: 9-3\n", 5, "cannot read 'lines' '9-3'", "low-high: lines: 12-30"),
        ("example: hello\nlines: all\n", 5, "cannot read 'lines' 'all'", "low-high"),
        ("example: [hello\n", 4, "not valid YAML", "example: hello"),
        (
            "example: hello\nfiles: [app.py]\nexample: json_api\n",
            6,
            "key 'example' appears twice in one mapping (first on line 4)",
            "keep one 'example:'",
        ),
        (
            "example: hello\nrequests:\n  - request: POST /\n    form: {a: 1, a: 2}\n",
            7,
            "key 'a' appears twice in one mapping (first on line 7)",
            "keep one 'a:'",
        ),
    ],
)
def test_block_errors_name_page_and_line(body, line, what, fix):
    error = single_error(f"# Title\n\n```flask-example\n{body}```\n")
    assert str(error.where) == f"guide/page.md:{line}"
    assert what in error.what
    assert fix in error.fix


def test_unclosed_block():
    error = single_error("text\n\n```flask-example\nexample: hello\n")
    assert str(error.where) == "guide/page.md:3"
    assert "never closed" in error.what


def test_typed_python_is_refused_but_includes_are_fine(tmp_path):
    markdown = (
        "```python\nprint('typed')\n```\n\n"
        '```python title="x"\n--8<-- "hello/app.py"\n```\n\n'
        "``` { .py }\nimport os\n```\n\n"
        "```bash\npython -m flask run\n```\n\n"
        "```pycon\n>>> 1 + 1\n2\n```\n"
    )
    settings = Settings(tmp_path, tmp_path / "examples", tmp_path / ".cache")
    errors = typed_python(markdown, "p.md", settings)
    assert [str(e.where) for e in errors] == ["p.md:1", "p.md:9", "p.md:17"]
    assert "move the code into an example under examples/" in errors[0].fix


APP = """\
from flask import Flask

app = Flask(__name__)

# --8<-- [start:routes]
@app.route("/")
def index():
    return "hi"
# --8<-- [end:routes]

# --8<-- [start:other]
x = 1
# --8<-- [end:other]
"""


@pytest.fixture
def hello(project):
    project.example("hello", {"app.py": APP, "templates/page.html": "<p>{{ x }}</p>\n"})
    return discover(project.snippets)["hello"]


def block(**keys):
    lines = ["```flask-example"] + [f"{key}: {value}" for key, value in keys.items()] + ["```"]
    return scan("\n".join(lines) + "\n", "p.md").blocks[0]


def test_default_file_is_the_app_and_section_lines_are_mapped(hello):
    (shown,) = resolve_files(block(example="hello"), hello)
    assert (shown.path, shown.include, shown.language) == ("app.py", "hello/app.py", "python")
    (shown,) = resolve_files(block(example="hello", section="routes", highlight="7-8"), hello)
    assert shown.include == "hello/app.py:routes"
    assert shown.hl_lines == (2, 3)


def test_whole_file_highlight_skips_marker_lines(hello):
    (shown,) = resolve_files(block(example="hello", highlight="6 12"), hello)
    assert shown.hl_lines == (5, 9)


def test_several_files_get_their_languages(hello):
    shown = resolve_files(block(example="hello", files="[app.py, templates/page.html]"), hello)
    assert [s.language for s in shown] == ["python", "html+jinja"]


@pytest.mark.parametrize(
    ("keys", "what", "fix"),
    [
        (
            {"files": "[missing.py]"},
            "example 'hello' has no file 'missing.py'",
            "templates/page.html",
        ),
        ({"files": "[../other/app.py]"}, "is outside example 'hello'", "without '..'"),
        ({"files": "[/etc/passwd]"}, "is outside example 'hello'", "leading '/'"),
        ({"section": "nope"}, "snippets/hello/app.py has no section 'nope'", "(other, routes)"),
        ({"highlight": "40"}, "highlight line 40 is not shown", "as the file itself counts"),
        ({"section": "routes", "highlight": "2"}, "section 'routes' shows lines 6-8", ""),
        ({"highlight": "5"}, "highlight line 5 is not shown", ""),
    ],
)
def test_file_errors(hello, keys, what, fix):
    with pytest.raises(BlockError) as caught:
        resolve_files(block(example="hello", **keys), hello)
    assert what in caught.value.what
    assert fix in caught.value.fix
    assert str(caught.value.where) == "p.md:1"


def test_symlink_out_of_the_example_is_refused(project, hello, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    os.symlink(secret, hello.directory / "link.txt")
    with pytest.raises(BlockError, match="leads outside the example"):
        resolve_files(block(example="hello", files="[link.txt]"), hello)


def test_file_that_is_not_utf8(hello):
    (hello.directory / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(BlockError, match="is not valid UTF-8"):
        resolve_files(block(example="hello", files="[latin.txt]"), hello)


def test_section_missing_in_a_file_without_sections(project):
    project.example("plain", {"app.py": "x = 1\n"})
    plain = discover(project.snippets)["plain"]
    with pytest.raises(BlockError) as caught:
        resolve_files(block(example="plain", section="routes"), plain)
    assert caught.value.fix.startswith("mark it in the file with '# --8<-- [start:routes]'")


PARTS = """\
import functools

from flask import Flask

app = Flask(__name__)


def create_app():
    made = Flask(__name__)

    @made.get("/")
    def index():
        return "made"

    return made


@app.get("/")
@functools.lru_cache
def home():
    # --8<-- [start:inside]
    return "home"
    # --8<-- [end:inside]


class Store:
    async def add(self, item):
        return item
"""


@pytest.fixture
def parts(project):
    project.example("parts", {"app.py": PARTS, "templates/page.html": "<p>{{ x }}</p>\n"})
    return discover(project.snippets)["parts"]


@pytest.mark.parametrize(
    ("keys", "include", "text", "highlighted"),
    [
        # Decorators included; the section markers inside are not shown.
        (
            {"function": "home", "highlight": 22},
            "parts/app.py:18:22",
            '@app.get("/")\n@functools.lru_cache\ndef home():\n    return "home"',
            (4,),
        ),
        # A function defined in another, and a method: dedented as a section is.
        (
            {"function": "create_app.index"},
            "parts/app.py:11:13",
            '@made.get("/")\ndef index():\n    return "made"',
            (),
        ),
        (
            {"function": "Store.add"},
            "parts/app.py:27:28",
            "async def add(self, item):\n    return item",
            (),
        ),
        (
            {"lines": "8-9", "highlight": 9},
            "parts/app.py:8:9",
            "def create_app():\n    made = Flask(__name__)",
            (2,),
        ),
        ({"lines": 7}, "parts/app.py:7:7", "", ()),
    ],
)
def test_a_block_shows_a_function_or_a_range_of_lines(parts, keys, include, text, highlighted):
    b = block(example="parts", **keys)
    (shown,) = resolve_files(b, parts)
    assert (shown.include, shown.hl_lines) == (include, highlighted)
    assert shown_text(b, parts, shown, first=True) == text
    # The same file as a second tab, or from another block, is shown whole.
    assert shown_text(b, parts, shown, first=False) == "\n".join(
        line for line in PARTS.splitlines() if "--8<--" not in line
    )


@pytest.mark.parametrize(
    ("keys", "what", "fix"),
    [
        (
            {"function": "index"},
            "snippets/parts/app.py has no function 'index'",
            "(Store.add, create_app, create_app.index, home); a method is Class.method",
        ),
        ({"function": "Store"}, "has no function 'Store'", "Store.add"),
        (
            {"files": "[templates/page.html]", "function": "index"},
            "'function' finds functions in Python files; snippets/parts/templates/page.html",
            "lines: 12-30",
        ),
        (
            {"lines": "25-40"},
            "snippets/parts/app.py has 28 lines; 'lines: 25-40' goes past its end",
            "within 1-28",
        ),
        ({"lines": "21-21"}, "lines 21-21 holds section markers only", "holds code"),
        (
            {"function": "home", "highlight": 5},
            "highlight line 5 is not shown: snippets/parts/app.py function 'home' shows lines 18-22",
            "within what is shown",
        ),
    ],
)
def test_a_part_that_is_not_there_names_the_block_and_a_fix(parts, keys, what, fix):
    with pytest.raises(BlockError) as caught:
        resolve_files(block(example="parts", **keys), parts)
    assert what in caught.value.what
    assert fix in caught.value.fix
    assert str(caught.value.where) == "p.md:1"


def test_a_file_that_is_not_python_names_its_line(parts):
    (parts.directory / "broken.py").write_text("def f(:\n")
    with pytest.raises(BlockError) as caught:
        resolve_files(block(example="parts", files="[broken.py]", function="f"), parts)
    assert "cannot read snippets/parts/broken.py:1 as Python" in caught.value.what


def response(mimetype, body, status="200 OK", headers=()):
    return Response(int(status[:3]), status, mimetype, mimetype, headers, body)


def render(b, example, answers, site_root, download=None):
    """The block's HTML as the fence writes it, code highlighted by a real pymdownx.highlight."""
    files = resolve_files(b, example)
    shown = tuple((f, shown_text(b, example, f, i == 0)) for i, f in enumerate(files))
    view = BlockView(b, shown, tuple(answers), site_root, download)
    md = markdown.Markdown(extensions=["pymdownx.superfences", "pymdownx.highlight"])
    return block_html(view, _highlighter(md))


def html_of(rendered, site_root=""):
    """A block the builder rendered, as the fence shows it."""
    return render(rendered.block, rendered.example, rendered.answers, site_root, rendered.download)


def text_of(page):
    """What a reader sees: the tags gone, the references read."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def labels(page):
    return re.findall(r'<label for="__tabbed_ffg\d+_\d+">(.*?)</label>', page)


def test_render_tabs_for_files_and_each_kind_of_answer(hello):
    b = block(example="hello", highlight="7")
    answers = [
        Shown(
            Request("GET", "/"), response("text/html", b"<p>hi</p>"), "examples/hello/index.html"
        ),
        Shown(
            Request("POST", "/items", json={"name": "lamp"}, show=("Set-Cookie", "X-Absent")),
            response(
                "application/json",
                b'{"id":1}',
                "201 CREATED",
                (("Location", "/items/1"), ("Set-Cookie", "a=b")),
            ),
        ),
        Shown(
            Request("POST", "/login", form=(("user", "a b"),), headers=(("X-T", "1"),)),
            response("text/plain", b"ok ```"),
        ),
        Shown(
            Request("GET", "/chart.svg"),
            response("image/svg+xml", b"<svg/>"),
            "examples/hello/chart.svg",
        ),
    ]
    page = render(b, hello, answers, "../")
    assert labels(page) == [
        "app.py",
        "GET / → 200",
        "POST /items → 201",
        "POST /login → 200",
        "GET /chart.svg → 200",
    ]
    assert '<span class="filename">snippets/hello/app.py</span>' in page
    assert page.count('<span class="hll">') == 1  # line 7 of the file, the 6th shown
    code = text_of(page)
    assert "# --8<--" not in code  # the file as the tab shows it: no section markers
    assert '@app.route("/")' in code
    assert (
        '<iframe src="../examples/hello/index.html" '
        'title="Frozen page: GET / → 200 (block 1, hello)" '
        'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in page
    )
    assert (
        '<a class="ffg-open" href="../examples/hello/index.html">Open the frozen page'
        '<span class="ffg-hidden"> of GET / → 200 (block 1, hello)</span></a>' in page
    )
    assert 'alt="Image answered to GET /chart.svg → 200 (block 1, hello)"' in page
    assert 'Content-Type: application/json\n\n{"name": "lamp"}' in code
    assert "Location: /items/1" in code
    assert "Set-Cookie: a=b" in code
    assert "X-Absent: (not sent)" in code
    assert '{\n  "id": 1\n}' in code
    assert "user=a+b" in code
    assert "X-T: 1" in code
    assert "ok ```" in code  # backticks in a body are text
    assert '<img src="../examples/hello/chart.svg"' in page
    # Answers stay out of the search index (Material's search reads data-search-exclude,
    # on each element of an answer); the code tab stays in it.
    excluded = re.findall(r"<(\w+) data-search-exclude", page)
    assert excluded.count("div") == 8  # 4 requests and 4 responses
    assert excluded.count("details") == 1  # the HTML source, its code inside
    assert excluded.count("p") == 3  # the frozen page's frame, the image, the summary
    assert '<div class="highlight"><span class="filename">snippets/hello/app.py' in page


def test_allow_is_shown_sorted_and_an_empty_body_shows_no_source(hello):
    b = block(example="hello")
    answers = [
        Shown(
            Request("DELETE", "/", show=("Allow",)),
            response("text/html", b"", "405 METHOD NOT ALLOWED", (("Allow", "POST, HEAD, GET"),)),
        ),
        Shown(Request("DELETE", "/items/1"), response("text/html", b"", "204 NO CONTENT")),
    ]
    page = render(b, hello, answers, "")
    assert "Allow: GET, HEAD, POST" in text_of(page)
    assert "HTML source" not in page


def test_tab_titles_are_escaped_and_unique_within_a_block(project):
    project.example(
        "pkg",
        {
            "__init__.py": "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n"
        },
    )
    pkg = discover(project.snippets)["pkg"]
    b = block(example="pkg")
    same = Shown(Request("GET", "/"), response("text/plain", b"x", "404 NOT FOUND"))
    page = render(b, pkg, [same, same], "")
    assert labels(page) == ["__init__.py", "GET / → 404", "GET / → 404 (2)"]


def test_the_rendered_block_is_html_tabs_with_the_section_of_its_file(project, hello):
    b = block(example="hello", section="routes", highlight="7")
    answers = [
        Shown(Request("GET", "/"), response("text/html", b"<p>hi</p>"), "examples/hello/"),
        Shown(Request("GET", "/api"), response("application/json", b'{"id":1}')),
    ]
    page = render(b, hello, answers, "../")
    assert page.count('class="tabbed-set tabbed-alternate"') == 1
    assert labels(page) == ["app.py", "GET / → 200", "GET /api → 200"]
    code = text_of(page)
    assert '@app.route("/")' in code  # the file's section
    assert "x = 1" not in code  # and only that section
    assert "--8<--" not in code
    assert '"id": 1' in code
    assert re.search(r'<iframe src="../examples/hello/" title="Frozen page: GET / [^"]*"', page)
    assert '<span class="hll">' in page  # the highlighted line
    assert '<details data-search-exclude class="note">' in page  # the HTML source, folded


def test_block_show_applies_to_every_request_before_its_own():
    (b,) = scan(
        "```flask-example\nexample: hello\nshow: [Allow]\nrequests:\n  - GET /\n"
        "  - request: DELETE /\n    show: [allow, Set-Cookie]\n```\n",
        "p.md",
    ).blocks
    assert b.show == ("Allow",)
    assert [r.show for r in b.requests] == [("Allow",), ("Allow", "Set-Cookie")]


def test_several_requests_end_with_one_summary_line_each(hello):
    (b,) = scan(
        "!!! tip\n    ```flask-example\n    example: hello\n    show: [Allow]\n"
        "    requests:\n      - GET /\n      - DELETE / -> 405\n    ```\n",
        "p.md",
    ).blocks
    answers = [
        Shown(b.requests[0], response("text/html", b"<p>hi</p>"), "examples/hello/index.html"),
        Shown(
            b.requests[1],
            response("text/html", b"", "405 METHOD NOT ALLOWED", (("Allow", "HEAD, GET"),)),
        ),
    ]
    page = render(b, hello, answers, "")
    lines = page.split("\n")
    summary = [line for line in lines if "ffg-summary" in line]
    assert summary == [
        '<p data-search-exclude><span class="ffg-summary" role="list" aria-label="Requests of '
        'this hello example and their answers"><span class="ffg-summary-item" role="listitem">'
        "<code>GET /</code> → <strong>200 OK</strong></span>"
        '<span class="ffg-summary-item" role="listitem"><code>DELETE /</code> → '
        "<strong>405 METHOD NOT ALLOWED</strong> "
        '<span class="ffg-field"><code>Allow: GET, HEAD</code></span></span></span></p>'
    ]
    # It comes after the tab set, not inside a tab.
    tabs_end = page.index('<div class="tabbed-content">')
    assert page.index(summary[0]) > page.index("</div>\n</div>", tabs_end)
    assert "Allow: (not sent)" not in summary[0]
    assert "Allow: (not sent)" in text_of(page)  # the GET tab says it was not sent
    one = render(b, hello, answers[:1], "")
    assert "ffg-summary" not in one


def test_frames_of_one_block_have_distinct_titles(hello):
    b = block(example="hello")
    page = Shown(Request("GET", "/"), response("text/html", b"<p>hi</p>"), "examples/h/x.html")
    shown = render(b, hello, [page, page], "")
    titles = re.findall(r'<iframe [^>]*title="([^"]*)"', shown)
    assert titles == [
        "Frozen page: GET / → 200 (block 1, hello)",
        "Frozen page: GET / → 200 (2) (block 1, hello)",
    ]


def test_a_block_links_its_example_download(hello):
    b = block(example="hello")
    page = render(b, hello, [], "../", "examples/hello/hello.zip")
    assert (
        '<span class="ffg-download"><a href="../examples/hello/hello.zip" download>'
        "Download the example <code>hello</code> (zip)</a>"
    ) in page
    assert "ffg-download" not in render(b, hello, [], "../")
