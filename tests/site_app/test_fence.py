"""The fences in a real Python-Markdown run: views found by content, answers kept as text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import markdown
import pytest

from site_app import fence
from site_app.orchestrate.engine import Engine, block_key, run_pages
from site_app.render.html import tabs

# Bytes an example may answer that Markdown, read a second time, would turn into markup.
HOSTILE = (
    'first\r<script>alert(1)</script>\n</code></pre><b>bold</b>\n--8<-- "hostile/app.py"\nlast'
)
APP = f"""
from flask import Flask, Response

app = Flask(__name__)


@app.route("/hostile.txt")
def hostile():
    return Response({HOSTILE!r}, mimetype="text/plain")


@app.route("/")
def index():
    return "<p>hi</p>"
"""
PAGE = """\
# A page

```flask-example
example: hostile
requests:
  - GET /hostile.txt
```

!!! note
    ```flask-example
    example: hostile
    requests:
      - GET /hostile.txt
    ```
"""


def converter(project):
    """A Markdown run as a site configures it, the pages' includes checked."""
    configs = {
        "pymdownx.tabbed": {"alternate_style": True},
        "pymdownx.snippets": {"base_path": [str(project.snippets)], "check_paths": True},
        "pymdownx.superfences": {},
    }
    fence.register(configs)
    return markdown.Markdown(
        extensions=[
            "admonition",
            "pymdownx.details",
            "pymdownx.highlight",
            "pymdownx.superfences",
            "pymdownx.tabbed",
            "pymdownx.snippets",
        ],
        extension_configs=configs,
    )


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def tags_of(page):
    parser = Elements()
    parser.feed(page)
    return parser.tags


@pytest.fixture
def engine(project):
    project.example("hostile", {"app.py": APP})
    project.page("docs/a.md", PAGE)
    engine = Engine(project.settings(), log=lambda message: None)
    engine.start(project.pages, {"docs/a.md": "../"})
    assert engine.finish().errors == []
    yield engine
    fence.use(None)


def test_an_answer_is_text_whatever_it_holds(project, engine):
    index = engine.page_index("docs/a.md")
    fence.use(lambda info, key, page, seen: index.find(info, key, page, seen), "docs/a.md")
    page = converter(project).convert(PAGE)
    assert "script" not in tags_of(page)
    assert "b" not in tags_of(page)
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    # Both blocks, the one in a note too, show the body as sent (Pygments reads a lone
    # CR as the end of a line), the include line as a line of text.
    assert text.count("first\n<script>alert(1)</script>\n</code></pre><b>bold</b>\n") == 2
    assert text.count('--8<-- "hostile/app.py"\nlast') == 2
    # The app's tab of each block shows its file; nothing pasted it into an answer.
    assert text.count("def hostile") == 2
    assert page.count('class="tabbed-set tabbed-alternate"') == 2


def test_a_view_is_found_by_content_not_by_line(project, engine):
    moved = "Prose added above moves every line.\n\n" + PAGE.replace("!!! note", "!!! tip")
    index = engine.page_index("docs/a.md")
    fence.use(lambda info, key, page, seen: index.find(info, key, page, seen), "docs/a.md")
    page = converter(project).convert(moved)
    assert page.count("GET /hostile.txt → 200</label>") == 2
    # One block written with other indentation and trailing spaces is the same block.
    assert block_key("example: x\nrequests:\n  - GET /") == block_key(
        "    example: x   \n    requests:\n      - GET /\n"
    )


def test_a_second_render_takes_highlighted_code_from_the_cache_and_is_the_same(project, engine):
    """What a rebuild under serve does: every page again, in the same process. Line
    anchors are numbered by the page's count of highlighted blocks, so two blocks of
    the same code in one page must not share one cached highlighting."""
    index = engine.page_index("docs/a.md")
    fence.use(lambda info, key, page, seen: index.find(info, key, page, seen), "docs/a.md")

    def render():
        md = converter(project)
        configs = {"linenums": True, "anchor_linenums": True, "line_spans": "__span"}
        for extension in md.registeredExtensions:
            if hasattr(extension, "get_pymdownx_highlight_settings"):
                extension.setConfigs(configs)
        return md.convert(PAGE)

    first = render()
    before = fence.highlight_cache_info()
    second = render()
    after = fence.highlight_cache_info()
    assert second == first
    assert after["misses"] == before["misses"]
    assert after["hits"] > before["hits"]
    ids = re.findall(r'id="(__codelineno-[^"]+)"', first)
    assert ids
    assert len(ids) == len(set(ids))


def test_a_block_the_engine_did_not_read_names_the_fix(project, engine):
    index = engine.page_index("docs/a.md")
    fence.use(lambda info, key, page, seen: index.find(info, key, page, seen), "docs/a.md")
    with pytest.raises(fence.FenceError) as caught:
        converter(project).convert("```flask-example\nexample: hostile\n```\n")
    message = str(caught.value)
    assert message.startswith("docs/a.md: the flask-example block that starts 'example: hostile'")
    assert "fix: run `python -m site_app build` before the site builder" in message


def test_a_builder_without_plugins_reads_the_views_from_the_cache(project, monkeypatch):
    """What Zensical does: `python -m site_app build` first, then the fence from the cache."""
    project.example("hostile", {"app.py": APP})
    project.page("docs/a.md", PAGE)
    config = project.root / "mkdocs.yml"
    config.write_text(
        "site_name: x\nplugins:\n  - flask-examples:\n      cache_dir: !ENV [MY_CACHE, nowhere]\n"
    )
    monkeypatch.setenv("MY_CACHE", str(project.root / ".cache"))
    monkeypatch.setenv("FLASK_EXAMPLES_CONFIG", str(config))
    out = project.root / "out"
    run_pages(project.settings(), project.pages, out, roots={"docs/a.md": "../"})
    assert (out / "examples/hostile/hostile.zip").is_file()
    fence.use(None)
    page = converter(project).convert(PAGE)
    assert page.count("GET /hostile.txt → 200</label>") == 2
    assert "script" not in tags_of(page)


def test_tabs_are_the_markup_of_pymdownx_tabbed_alternate_style():
    """Material styles and links our tabs as its own: the same elements, classes, order."""
    upstream = markdown.markdown(
        '=== "a.py"\n\n    one\n\n=== "GET / → 200"\n\n    two\n',
        extensions=["pymdownx.tabbed"],
        extension_configs={"pymdownx.tabbed": {"alternate_style": True}},
    )
    ours = tabs(1, ["a.py", "GET / → 200"], ["<p>one</p>", "<p>two</p>"])

    def shape(page):
        return re.sub(r"\s+", "", re.sub(r"__tabbed_(ffg)?1", "ID", page))

    assert shape(ours) == shape(upstream)


def test_superfences_clamps_highlighted_lines_to_the_fence_it_is_in():
    """Why the fence sets ``line_count`` for the code it highlights: superfences clamps
    hl_lines to the lines of the fence being processed, the block's YAML."""
    md = markdown.Markdown(extensions=["pymdownx.superfences", "pymdownx.highlight"])
    fenced = md.preprocessors["fenced_code_block"]
    fenced.get_hl_settings()
    code = "\n".join(f"line{n}" for n in range(1, 9))
    options = {"hl_lines": "7"}
    fenced.line_count = 3  # a three-line flask-example block
    clamped = fenced.highlight(
        src=code, language="text", options=dict(options), md=md, classes=[], id_value="", attrs={}
    )
    assert '<span class="hll">' not in clamped
    highlighted = fence._highlighter(md)(code, "text", "t", (7,))
    assert '<span class="hll">line7' in highlighted
    assert fenced.line_count == 3  # put back for the fence being processed


def test_materials_search_ends_an_exclusion_at_the_first_inner_tag_of_its_kind():
    """Why each element of an answer carries data-search-exclude, not the tab around them:
    Material's search parser compares elements by tag name, so the first inner
    </div> ends the exclusion of an outer <div>. Fails once upstream fixes it."""
    from material.plugins.search.plugin import Parser

    def indexed(page):
        parser = Parser()
        parser.feed(page)
        parser.close()
        return "".join("".join(section.text) for section in parser.data)

    upstream = indexed("<div data-search-exclude><div>hidden</div>shown</div><p>prose</p>")
    assert "hidden" not in upstream
    assert "shown" in upstream  # the upstream bug
    ours = indexed(
        '<div class="tabbed-block">\n<div data-search-exclude><pre>a</pre></div>\n'
        "<p data-search-exclude><span>b</span></p>\n</div><p>prose</p>"
    )
    assert ("a" not in ours.replace("prose", ""), "b" not in ours, "prose" in ours) == (
        True,
        True,
        True,
    )
