import pytest
from flask_frozen import MimetypeMismatchWarning

from snippets.freezing_demo.app import RECIPES
from snippets.freezing_demo.freeze import make_freezer


def add_extensionless_json_route(app):
    @app.get("/api/recipes")  # JSON, but the file will be named "recipes"
    def api_recipes():
        return {"recipes": sorted(RECIPES)}


def test_extensionless_json_warns(tmp_path):
    freezer = make_freezer(tmp_path)
    add_extensionless_json_route(freezer.app)
    with pytest.warns(MimetypeMismatchWarning, match="application/json"):
        freezer.freeze()


def test_a_default_mimetype_silences_it(tmp_path):
    freezer = make_freezer(tmp_path)
    add_extensionless_json_route(freezer.app)
    freezer.app.config["FREEZER_DEFAULT_MIMETYPE"] = "application/json"
    freezer.freeze()  # warnings are errors in this project: none came
    assert (tmp_path / "api" / "recipes").is_file()
