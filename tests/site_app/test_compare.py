"""The ``flask-compare`` block: parsed from a page, matched to the page's blocks, rendered."""

import html
import re
from pathlib import Path

import pytest

from site_app.author.directive import scan_compares
from site_app.errors import BlockError
from site_app.model import Example, ExampleSettings, Request, Response, Shown
from site_app.orchestrate.builder import RenderedBlock, compare_columns
from site_app.render.html import CELL_CHARS, compare_table
from tests.site_app.test_blocks import block


def answer(path, status, body, mimetype="application/json", json_body=None):
    method = "POST" if json_body is not None else "GET"
    response = Response(int(status[:3]), status, mimetype, mimetype, (), body)
    return Shown(Request(method, path, json=json_body), response)


def rendered(name, answers):
    here = Path(".")
    example = Example(name, here, name, f"{name}.app", here, ExampleSettings(), here)
    return RenderedBlock(block(example=name), example, [], answers)


def compare(text, offset=0):
    return scan_compares(text.split("\n"), "docs/p.md", offset)


def test_a_compare_block_is_read_with_its_columns_in_order_and_its_line():
    page = "# P\n\n!!! note\n    ```flask-compare\n    Flask: one\n    FastAPI: two\n    ```\n"
    (found,) = compare(page, offset=3)
    assert found.columns == (("Flask", "one"), ("FastAPI", "two"))
    assert (found.line, found.end_line, found.indent) == (7, 10, "    ")
    assert str(found.where) == "docs/p.md:7"
    assert compare("```python\nFlask: one\n```\n") == []


@pytest.mark.parametrize(
    ("body", "line", "what", "fix"),
    [
        ("Flask: one", 1, "needs two columns or more", "'Flask: compare_flask'"),
        ("- one\n- two", 1, "needs two columns or more", "one line per column"),
        (
            "Flask: one\nDjango: [two]",
            1,
            "the column 'Django' names no example",
            "its title and its example",
        ),
        ("Flask: one\nFlask: two", 3, "the column 'Flask' is named twice", "its own title"),
        ("Flask: one\n  bad: [", 1, "not valid YAML", "one line per column"),
    ],
)
def test_a_malformed_compare_block_says_where_and_what_to_write(body, line, what, fix):
    with pytest.raises(BlockError) as caught:
        compare(f"```flask-compare\n{body}\n```\n")
    assert str(caught.value.where) == f"docs/p.md:{line}"
    assert what in caught.value.what
    assert fix in caught.value.fix


def test_an_unclosed_compare_block():
    with pytest.raises(BlockError, match="never closed"):
        compare("```flask-compare\nFlask: one\n")


def test_each_column_takes_the_one_block_of_its_example_that_sent_requests():
    (found,) = compare("```flask-compare\nA: one\nB: two\n```")
    ones = [answer("/x", "200 OK", b"1")]
    twos = [answer("/x", "404 NOT FOUND", b"2")]
    blocks = [rendered("one", []), rendered("one", ones), rendered("two", twos)]
    assert compare_columns(found, blocks) == [("A", ones), ("B", twos)]

    with pytest.raises(BlockError, match=r"needs one block of two on this page.*none does"):
        compare_columns(found, blocks[:2])
    with pytest.raises(BlockError, match="2 blocks of one send requests") as caught:
        compare_columns(found, [*blocks, rendered("one", ones)])
    assert caught.value.fix == "compare examples that this page shows once"
    other = [answer("/y", "200 OK", b"1")]
    with pytest.raises(BlockError, match="'B' sent other requests than 'A'"):
        compare_columns(found, [rendered("one", ones), rendered("two", other)])


def test_the_table_shows_each_answer_in_a_row_per_request():
    columns = [
        ("Flask", [answer("/b", "400 BAD REQUEST", b'{"error":"a | b"}', json_body={"t": 1})]),
        ("Other", [answer("/b", "422 UNPROCESSABLE ENTITY", b'{"detail": "' + b"x" * 300 + b'"}')]),
        ("Text", [answer("/b", "204 NO CONTENT", b"", mimetype="text/plain")]),
    ]
    page = compare_table(columns)
    assert re.findall(r"<th>(.*?)</th>", page) == ["request", "Flask", "Other", "Text"]
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page)]
    assert cells[0] == '<code>POST /b {"t": 1}</code>'
    assert cells[1] == '<strong>400 BAD REQUEST</strong><br><code>{"error": "a | b"}</code>'
    long = re.fullmatch(r"<strong>422 UNPROCESSABLE ENTITY</strong><br><code>(.*)</code>", cells[2])
    assert long[1].startswith('{"detail": "xxx')
    assert long[1].endswith("x…")
    assert len(long[1]) == CELL_CHARS
    assert cells[3] == "<strong>204 NO CONTENT</strong>"
