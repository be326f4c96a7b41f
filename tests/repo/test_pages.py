"""Every page of the guide says what it is about, for search results and link previews.

Material writes a page's ``description`` front matter into its
``<meta name="description">``; a page without one falls back to the site's
description, so every shared link would read the same.
"""

from pathlib import Path

import pytest
import yaml
from mkdocs.utils.meta import YAML_RE, get_data

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

EXAMPLE = '---\ndescription: "One sentence on what the page teaches."\n---'


def test_there_are_pages_to_check():
    assert PAGES, f"no Markdown pages under {DOCS}"


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_page_has_a_description(page: Path):
    name = page.relative_to(ROOT).as_posix()
    source = page.read_text(encoding="utf-8")
    found = YAML_RE.match(source)
    assert found, f"{name} has no front matter; start it with\n{EXAMPLE}"
    try:
        meta = yaml.safe_load(found.group(1))
    except yaml.YAMLError as error:
        pytest.fail(
            f"{name}: its front matter is not valid YAML, so MkDocs ignores it"
            f" (quote a value that holds ': '):\n{error}"
        )
    description = meta.get("description") if isinstance(meta, dict) else None
    assert isinstance(description, str), (
        f"{name} has no description in its front matter:\n{EXAMPLE}"
    )
    assert description.strip(), f"{name}: its description is empty"
    assert get_data(source)[1].get("description") == description, (
        f"{name}: MkDocs does not read the description this test found"
    )
