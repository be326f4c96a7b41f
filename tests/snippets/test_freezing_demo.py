import json
import runpy
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask_frozen import Freezer

from snippets.freezing_demo.app import RECIPES, create_app
from snippets.freezing_demo.freeze import make_freezer


@pytest.fixture
def client():
    return create_app().test_client()


def frozen_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


class Links(HTMLParser):
    """Every href, src and form action of a page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [v for k, v in attrs if k in ("href", "src", "action") and v]


def links_of(page):
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


# The app itself ----------------------------------------------------------------------


def test_home_links_the_two_newest_recipes(client):
    page = client.get("/").text
    assert 'href="/recipes/mint-tea/"' in page
    assert 'href="/recipes/flatbread/"' in page
    assert "lentil-soup" not in page


def test_every_recipe_has_a_page(client):
    for slug, recipe in RECIPES.items():
        assert recipe["title"] in client.get(f"/recipes/{slug}/").text


def test_unknown_recipe_is_404(client):
    assert client.get("/recipes/cake/").status_code == 404


def test_recipes_json(client):
    response = client.get("/recipes.json")
    assert response.mimetype == "application/json"
    assert response.json == {"recipes": sorted(RECIPES)}


def test_search_reads_the_query_string(client):
    assert "1 found for “tea”: Mint tea" in client.get("/search/?q=Tea").text
    assert "found for" not in client.get("/search/").text


def test_subscribe_takes_a_post(client):
    response = client.post("/subscribe/", data={"email": "ada@example.org"})
    assert response.status_code == 201
    assert response.json == {"subscribed": "ada@example.org"}


def test_test_config_is_applied():
    assert create_app({"TESTING": True}).testing is True


# freeze.py ---------------------------------------------------------------------------


def run_freeze_script(monkeypatch, *args):
    monkeypatch.setattr(sys, "argv", ["freeze.py", *args])
    # Run it as `python -m` would: fresh, as __main__.
    monkeypatch.delitem(sys.modules, "snippets.freezing_demo.freeze", raising=False)
    runpy.run_module("snippets.freezing_demo.freeze", run_name="__main__")


def test_script_writes_every_page(monkeypatch, capsys, tmp_path):
    run_freeze_script(monkeypatch, str(tmp_path / "site"))
    assert frozen_files(tmp_path / "site") == [
        "index.html",
        "recipes.json",
        "recipes/flatbread/index.html",
        "recipes/lentil-soup/index.html",
        "recipes/mint-tea/index.html",
        "search/index.html",
        "static/style.css",
    ]
    printed = capsys.readouterr().out.splitlines()
    assert "/recipes/lentil-soup/ -> recipes/lentil-soup/index.html" in printed


def test_script_defaults_to_build_in_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    run_freeze_script(monkeypatch)
    assert (tmp_path / "build" / "index.html").is_file()


def test_frozen_json_is_the_apps_answer(tmp_path):
    make_freezer(tmp_path).freeze()
    assert json.loads((tmp_path / "recipes.json").read_text()) == {"recipes": sorted(RECIPES)}


def test_frozen_links_are_relative_and_all_lead_to_files(tmp_path):
    make_freezer(tmp_path).freeze()
    home = links_of(tmp_path / "index.html")
    assert "recipes/mint-tea/index.html" in home
    assert "static/style.css" in home
    assert "../../index.html" in links_of(tmp_path / "recipes" / "flatbread" / "index.html")
    for page in tmp_path.rglob("*.html"):
        for link in links_of(page):
            target = (page.parent / urlsplit(link).path).resolve()
            assert target.is_file(), f"{page.relative_to(tmp_path)} links to missing {link}"


def test_without_relative_urls_links_start_at_the_root(tmp_path):
    freezer = make_freezer(tmp_path)
    freezer.app.config["FREEZER_RELATIVE_URLS"] = False
    freezer.freeze()
    assert "/recipes/mint-tea/" in links_of(tmp_path / "index.html")


def test_without_the_generator_an_unlinked_page_is_missing(tmp_path):
    app = create_app({"FREEZER_DESTINATION": str(tmp_path)})
    urls = Freezer(app).freeze()
    assert "/recipes/mint-tea/" in urls  # found through url_for() on the home page
    assert "/recipes/lentil-soup/" not in urls  # no page links to it
    assert not (tmp_path / "recipes" / "lentil-soup").exists()


def test_query_strings_are_dropped(tmp_path):
    freezer = make_freezer(tmp_path)
    freezer.register_generator(lambda: ["/search/?q=tea"])
    urls = freezer.freeze()
    assert "/search/" in urls
    assert not any("?" in url for url in urls)
    assert "found for" not in (tmp_path / "search" / "index.html").read_text()


def test_post_routes_are_never_frozen(tmp_path):
    urls = make_freezer(tmp_path).freeze()
    assert "/subscribe/" not in urls
    assert not (tmp_path / "subscribe").exists()
