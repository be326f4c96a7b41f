"""Problems kept with their places in the pages, and the box `mkdocs serve` shows them in."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from site_app.errors import BlockError, BuildFailed, ExampleError, Location
from site_app.render.html import error_box

# The Markdown extensions a site with the plugin runs (tests/helpers.py MKDOCS_YML).
EXTENSIONS = ["admonition", "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed"]
CONFIGS = {"pymdownx.tabbed": {"alternate_style": True}}

NASTY = BlockError(
    "<script>alert(1)</script> & 'quotes' \"double\" `ticks` *stars* __init__.py [x](y)",
    where=Location("docs/a_page.md", 7),
    fix="do <b>this</b>",
)


class Boxes(HTMLParser):
    """Each element with role="alert": its attributes and its text; every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.boxes: list[tuple[dict[str, str | None], list[str]]] = []
        self.tags: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if dict(attrs).get("role") == "alert":
            self.boxes.append((dict(attrs), []))
            self._depth = 1
        elif self._depth and tag not in ("br",):
            self._depth += 1
        if self._depth and tag == "br":
            self.boxes[-1][1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.boxes[-1][1].append(data)


def rendered(text: str) -> Boxes:
    parser = Boxes()
    parser.feed(markdown.markdown(text, extensions=EXTENSIONS, extension_configs=CONFIGS))
    return parser


@pytest.mark.parametrize(
    "where",
    ["top", "in a tab"],
)
def test_the_box_shows_the_message_as_written_and_runs_none_of_it(where):
    box = error_box([NASTY])
    text = f"# Page\n\n{box}\nAfter the box.\n"
    if where == "in a tab":
        indented = "\n".join("    " + line if line else "" for line in box.split("\n"))
        text = f'# Page\n\n=== "A tab"\n\n{error_box([NASTY], indent="    ")}\nAfter the box.\n'
        assert indented.strip() in text
    parsed = rendered(text)
    assert "script" not in parsed.tags
    assert "b" not in parsed.tags
    assert "a" not in parsed.tags
    assert "em" not in parsed.tags
    assert "strong" not in parsed.tags
    ((attrs, parts),) = parsed.boxes
    assert attrs["class"] is not None
    assert "admonition" in attrs["class"].split()
    assert "failure" in (attrs["class"] or "").split()
    shown = "".join(parts)
    assert "docs/a_page.md:7: <script>alert(1)</script> & 'quotes' \"double\"" in shown
    assert "`ticks` *stars* __init__.py [x](y)" in shown
    assert "fix: do <b>this</b>" in shown
    assert "This problem also shows in the terminal, and mkdocs build fails on it." in shown


def test_the_box_lists_every_problem_and_says_how_many():
    second = ExampleError("it broke", where=Location("snippets/x/app.py", 3))
    ((_, parts),) = rendered(error_box([NASTY, second], title="Two things")).boxes
    shown = "".join(parts)
    assert shown.strip().startswith("Two things")
    assert "snippets/x/app.py:3: it broke" in shown
    assert "These 2 problems also show in the terminal, and mkdocs build fails on them." in shown
    assert shown.index("docs/a_page.md:7") < shown.index("snippets/x/app.py:3")


BROKEN = "import missing_library_xyz\nfrom flask import Flask\n\napp = Flask(__name__)\n"
GOOD = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
    '@app.route("/")\ndef index():\n    return "<p>good</p>"\n'
)


def test_each_problem_is_kept_with_the_blocks_it_stops(project):
    project.example("broken", {"app.py": BROKEN})
    project.example("good", {"app.py": GOOD})
    project.example("unshown", {"app.py": GOOD})
    project.page("a.md", "# A\n\n```flask-example\nexample: broken\n```\n")
    project.page(
        "b.md",
        "# B\n\n```flask-example\nexample: good\n```\n\n"
        "```flask-example\nexample: broken\n```\n\n"
        "```flask-example\nexample: good\nrequests: [GET]\n```\n\n"
        "```python\nprint('typed')\n```\n",
    )
    builder = project.builder(require_shown=True, forbid_typed_python=True)
    run = builder.start(project.pages)
    result = run.finish()
    places = {problem.error.what.split(":")[0]: problem.places for problem in result.errors}

    assert places["importing example 'broken' failed"] == (
        Location("a.md", 3),
        Location("b.md", 7),
    ), result.errors
    # A malformed block shows at its first line, whatever line the YAML error names.
    assert [p for w, p in places.items() if "request" in w or "GET" in w] == [
        (Location("b.md", 11),)
    ], places
    assert places["Python typed into a page"] == (Location("b.md", 16),)
    assert places["example 'unshown' is not shown on any page"] == ()
    # The good example still renders, on the page that also holds a broken block.
    assert sorted(run.rendered("b.md")) == [3]
    assert run.rendered("a.md") == {}
    # `build` keeps failing with every problem, as before.
    with pytest.raises(BuildFailed) as failed:
        builder.build(project.pages)
    assert len(failed.value.errors) == len(result.errors) == 4


def test_a_page_waits_only_for_what_it_shows_or_links_to(project):
    project.example("good", {"app.py": GOOD})
    project.example("other", {"app.py": GOOD})
    project.page("a.md", "# A\n\n```flask-example\nexample: good\n```\n")
    project.page("b.md", "# B\n\nSee [its page](examples/other/index.html) and examples/nothere/.")
    run = project.builder().start(project.pages)
    assert run.needed_by("a.md", project.pages["a.md"]) == {"good"}
    assert run.needed_by("b.md", project.pages["b.md"]) == {"other"}
    run.wait({"good"})
    assert "examples/good/index.html" in run.site_files({"good"})
    result = run.finish()
    assert sorted(result.frozen) == ["good", "other"]
    assert result.errors == []
