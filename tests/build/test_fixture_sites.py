"""Small sites built for real: what only a whole build shows.

Each error's message is owned by the unit tables (tests/site_app) and tried end
to end once in test_bad_inputs.py; these tests add what neither can show.
"""

import html
import re

import pytest

pytestmark = pytest.mark.build


def test_a_good_block_builds_from_another_directory(fixture_site):
    fixture_site.write(
        "docs/index.md",
        """
        # Hi

        ```flask-example
        example: hello
        requests:
          - GET /
        ```
        """,
    )
    built = fixture_site.build()
    assert built.returncode == 0, built.output
    page = (built.site / "index.html").read_text()
    assert "Hello from the fixture" in page  # the captured HTML source
    assert (
        '<p data-search-exclude><span class="ffg-preview"><iframe src="examples/hello/index.html"'
        in page
    )
    assert "<p></p>" not in page  # no block element was split out of a paragraph
    # The fragment the app answers, published as a complete document.
    frozen = (built.site / "examples/hello/index.html").read_text()
    assert frozen.startswith("<!doctype html>")
    assert "<body>\n<p>Hello from the fixture</p>\n</body>" in frozen
    assert (built.site / "assets/flask-examples.css").is_file()
    assert "the plugin took" in built.output


@pytest.mark.parametrize(
    ("cut", "said"),
    [
        (
            ("  - pymdownx.snippets:", ""),
            "needs the Markdown extension pymdownx.snippets\n"
            "    fix: add it under markdown_extensions with base_path: [snippets]",
        ),
        (
            ("      alternate_style: true\n", ""),
            "needs pymdownx.tabbed with alternate_style: true",
        ),
        (
            ("  - pymdownx.details\n", ""),
            "needs the Markdown extension pymdownx.details",
        ),
    ],
    ids=["snippets", "tabbed style", "details"],
)
def test_the_plugin_names_the_markdown_extensions_it_needs(fixture_site, cut, said):
    config = fixture_site.root / "mkdocs.yml"
    text = config.read_text()
    old, new = cut
    text = text.split(old)[0] if old.startswith("  - pymdownx.snippets") else text.replace(old, new)
    config.write_text(text)
    fixture_site.write("docs/index.md", "# Hi\n")
    built = fixture_site.build()
    assert built.returncode != 0
    assert f"mkdocs.yml: the flask-examples plugin {said}" in built.output


def test_a_docs_file_may_not_shadow_a_frozen_page(fixture_site):
    fixture_site.write("docs/index.md", "# Hi\n\n```flask-example\nexample: hello\n```\n")
    fixture_site.write("docs/examples/hello/index.html", "<p>mine</p>")
    built = fixture_site.build()
    assert built.returncode != 0
    assert "docs/examples/hello/index.html clashes with a frozen page" in built.output


def tree(path):
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "breakage",
    [
        "```flask-example\nexample: nope\n```\n",  # an error in a block
        "[a link to nowhere](missing.md)\n",  # a warning that --strict turns into a failure
    ],
)
def test_a_failed_build_leaves_the_previous_site_as_it_was(fixture_site, breakage):
    fixture_site.write("docs/index.md", "# Hi\n\n```flask-example\nexample: hello\n```\n")
    first = fixture_site.build()
    assert first.returncode == 0, first.output
    before = tree(first.site)
    assert "index.html" in before

    fixture_site.write("docs/index.md", "# Hi\n\n" + breakage)
    second = fixture_site.build()

    assert second.returncode != 0
    assert "was left as it was" in second.output
    assert tree(second.site) == before
    leftovers = [p.name for p in second.site.parent.iterdir() if not p.name.startswith(".coverage")]
    assert leftovers == ["site"]  # no partial or old copy left behind


def test_front_matter_does_not_move_blocks(fixture_site):
    fixture_site.write(
        "docs/index.md",
        "---\ndescription: A page with front matter.\ntitle: Hi\n---\n\n# Hi\n\n"
        "```flask-example\nexample: hello\nrequests:\n  - GET /\n```\n",
    )
    built = fixture_site.build()
    assert built.returncode == 0, built.output
    page = (built.site / "index.html").read_text()
    assert '<meta name="description" content="A page with front matter.">' in page
    assert "Hello from the fixture" in page


def test_a_fastapi_example_in_a_tab_is_captured_and_not_published(fixture_site):
    fixture_site.write(
        "snippets/api/app.py",
        """
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/api/greeting")
        def greeting():
            return {"greeting": "Hello from FastAPI"}
        """,
    )
    (fixture_site.root / "snippets/api/__init__.py").touch()
    fixture_site.write("snippets/api/example.toml", '[build]\nframework = "fastapi"\n')
    fixture_site.write("tests/test_api.py", "from snippets.api.app import app\n")
    fixture_site.write(
        "docs/index.md",
        """
        # Hi

        === "Flask"

            ```flask-example
            example: hello
            requests:
              - GET /
            ```

        === "FastAPI"

            ```flask-example
            example: api
            requests:
              - GET /api/greeting
            ```
        """,
    )
    built = fixture_site.build()
    assert built.returncode == 0, built.output
    page = (built.site / "index.html").read_text()
    assert "Hello from FastAPI" in page
    assert "GET /api/greeting → 200" in page  # its request tab, in the FastAPI tab
    assert (built.site / "examples/hello/index.html").is_file()
    # Not frozen: the site publishes its download only.
    assert [p.name for p in (built.site / "examples/api").iterdir()] == ["api.zip"]
    assert "captured api (fastapi): 1 requests" in built.output


def test_a_page_may_link_to_frozen_pages_of_an_example_a_later_page_shows(fixture_site):
    # MkDocs checks a page's links right after the plugin expands it, while
    # examples still run: the first page must wait for the example it links to.
    fixture_site.write(
        "docs/index.md",
        "# Hi\n\nThe [frozen page](examples/slow/page/index.html) comes from a later page.\n",
    )
    fixture_site.write("docs/zz.md", "# Late\n\n```flask-example\nexample: slow\n```\n")
    fixture_site.write("docs/hello.md", "# Hello\n\n```flask-example\nexample: hello\n```\n")
    fixture_site.example(
        "slow",
        {
            "app.py": """
                import time

                from flask import Flask

                time.sleep(1)  # the first page renders long before this example is frozen
                app = Flask(__name__)


                @app.route("/page/")
                def page():
                    return "<p>slow</p>"
            """
        },
    )
    fixture_site.write("tests/test_slow.py", "from snippets.slow.app import app\n")
    built = fixture_site.build()
    assert built.returncode == 0, built.output
    assert "not found among documentation files" not in built.output
    assert "<p>slow</p>" in (built.site / "examples/slow/page/index.html").read_text()
    assert 'href="examples/slow/page/"' in (built.site / "index.html").read_text()


def test_the_runner_without_npm_ci_says_what_to_run(fixture_site):
    fixture_site.write(
        "docs/index.md",
        """
        # Hi

        ```flask-example
        example: hello
        requests:
          - GET /
        ```
        """,
    )
    config = fixture_site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      check_includes: true\n",
            "      check_includes: true\n      browser_runner: true\n",
        )
    )
    built = fixture_site.build()
    assert built.returncode == 1, built.output
    assert "the Pyodide runtime is missing: there is no node_modules/pyodide/" in built.output
    assert "fix: run `npm ci` in the project folder (it needs Node.js and npm)" in built.output


def test_a_build_writes_no_bytecode_into_the_examples_folder(fixture_site, monkeypatch):
    """`mkdocs serve` watches the examples: a .pyc written there set off a second rebuild."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)  # Python's default
    fixture_site.write("docs/index.md", "# Hi\n\n```flask-example\nexample: hello\n```\n")
    built = fixture_site.build()
    assert built.returncode == 0, built.output
    snippets = fixture_site.root / "snippets"
    assert sorted(p.relative_to(snippets) for p in snippets.rglob("*.pyc")) == []


def test_a_block_shows_part_of_a_file_with_the_whole_file_one_click_away(fixture_site):
    fixture_site.write(
        "snippets/hello/views.py",
        """
        import functools


        def helper():
            return "help"


        @functools.lru_cache
        def cached():
            return helper()
        """,
    )
    fixture_site.write(
        "docs/index.md",
        """
        # Hi

        ```flask-example
        example: hello
        files: [views.py]
        function: cached
        highlight: 10
        ```

        ```flask-example
        example: hello
        files: [views.py, app.py]
        lines: 4-5
        ```
        """,
    )
    built = fixture_site.build()
    assert built.returncode == 0, built.output
    page = (built.site / "index.html").read_text()
    _, first, second, third = page.split('<div class="tabbed-block">')
    # The tab shows the function and its decorator, line 10 of the file highlighted.
    code, whole = first.split('<details class="note ffg-whole" data-search-exclude>')
    assert "@functools.lru_cache\ndef cached():\n    return helper()" in text_of(code)
    assert "import" not in text_of(code)
    assert re.search(r'<span class="hll">.*return.*helper', code)
    # Under it, closed, the whole file (a details element opens without JavaScript).
    assert "<summary>Show the whole file (10 lines)</summary>" in whole
    assert "import functools\n\n\ndef helper():" in text_of(whole)
    # A range of lines of the first file; the second file's tab shows all of it.
    code, whole = second.split('<details class="note ffg-whole" data-search-exclude>')
    assert text_of(code).strip() == 'snippets/hello/views.pydef helper():\n    return "help"'
    assert "def cached():" in text_of(whole)
    assert "<details" not in third
    assert "Hello from the fixture" in text_of(third)


def text_of(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))
