"""``[build.config]`` is what the app sees, whatever its own code sets at import."""

import json

import pytest
from flask import Config, Flask

from site_app.author.discover import discover
from site_app.execute.pinned import pin, pinned_configs
from site_app.render.runner import example_job

# A module-level app that reads its own settings four ways, then hands them to an
# extension at once: Flask-SQLAlchemy opens its engine from the URI in SQLAlchemy(app).
SELF_CONFIGURED = """
    import os
    from pathlib import Path

    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    HERE = Path(__file__).parent


    class Settings:
        FROM_OBJECT = "the module's object"


    app = Flask(__name__)
    app.config.from_pyfile(HERE / "settings.cfg")
    app.config.from_object(Settings)
    os.environ["NOTES_SETTINGS"] = str(HERE / "more.cfg")
    app.config.from_envvar("NOTES_SETTINGS")
    app.config["ASSIGNED"] = "the module's assignment"
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{HERE / 'own.db'}"
    db = SQLAlchemy(app)
    with app.app_context():
        SEEN_AT_IMPORT = db.engine.url.database


    @app.get("/seen.json")
    def seen():
        keys = ("FROM_FILE", "FROM_OBJECT", "FROM_ENVVAR", "ASSIGNED", "UNTOUCHED")
        with db.engine.connect():  # opens (creates) the SQLite file
            pass
        return {
            "config": {key: app.config[key] for key in keys},
            "engine": db.engine.url.database,
            "at_import": SEEN_AT_IMPORT == db.engine.url.database,
        }
"""

TOML = """
[build.config]
FROM_FILE = "the build"
FROM_OBJECT = "the build"
FROM_ENVVAR = "the build"
ASSIGNED = "the build"
SQLALCHEMY_DATABASE_URI = "sqlite:///{instance}/app.db"
"""


def test_the_builds_values_win_over_the_modules_own_before_an_extension_reads_them(project):
    project.example(
        "notes",
        {
            "app.py": SELF_CONFIGURED,
            "settings.cfg": 'FROM_FILE = "the module file"\nUNTOUCHED = "kept"\n',
            "more.cfg": 'FROM_ENVVAR = "the module env file"\n',
            "example.toml": TOML,
        },
    )
    project.page("a.md", "```flask-example\nexample: notes\nrequests: [GET /seen.json]\n```\n")
    (answer,) = project.build().blocks[("a.md", 1)].answers
    seen = json.loads(answer.response.text)
    assert seen["config"] == {
        "FROM_FILE": "the build",
        "FROM_OBJECT": "the build",
        "FROM_ENVVAR": "the build",
        "ASSIGNED": "the build",
        "UNTOUCHED": "kept",
    }
    assert seen["at_import"] is True
    assert "-instance-" in seen["engine"]
    assert seen["engine"].endswith("/app.db")
    assert not (project.snippets / "notes" / "own.db").exists()


def test_a_factory_that_sets_its_own_config_gets_the_builds(project):
    project.example(
        "made",
        {
            "app.py": """
                from flask import Flask

                def create_app():
                    app = Flask(__name__)
                    app.config.from_mapping(SECRET_KEY="dev", DATABASE="own.sqlite")
                    app.config.update(DATABASE="again.sqlite")
                    app.get("/db.json")(lambda: {"db": app.config["DATABASE"]})
                    return app
            """,
            "example.toml": '[build.config]\nDATABASE = "{instance}/build.sqlite"\n',
        },
    )
    project.page("a.md", "```flask-example\nexample: made\nrequests: [GET /db.json]\n```\n")
    (answer,) = project.build().blocks[("a.md", 1)].answers
    assert json.loads(answer.response.text)["db"].endswith("/build.sqlite")
    assert "-instance-" in json.loads(answer.response.text)["db"]


@pytest.mark.parametrize(
    "write",
    [
        lambda c: c.__setitem__("KEY", "app"),
        lambda c: c.update(KEY="app"),
        lambda c: c.update({"KEY": "app"}),
        lambda c: c.from_mapping(KEY="app"),
        lambda c: c.setdefault("KEY", "app"),
        lambda c: c.__ior__({"KEY": "app"}),
    ],
)
def test_every_way_of_writing_a_config_keeps_the_pinned_value(write):
    config = Config(".")
    pin(config, {"KEY": "build"})
    write(config)
    config["OTHER"] = "app"
    assert (config["KEY"], config["OTHER"]) == ("build", "app")
    assert isinstance(config, Config)


def test_only_apps_made_inside_are_pinned_and_flask_is_left_as_it_was():
    with pinned_configs(Flask, {"KEY": "build"}):
        inside = Flask("inside")
    outside = Flask("outside")
    inside.config["KEY"] = outside.config["KEY"] = "app"
    assert (inside.config["KEY"], outside.config["KEY"]) == ("build", "app")
    assert "make_config" not in Flask.__dict__


def test_the_in_browser_runner_pins_the_config_too(project, run_driver):
    project.example(
        "own",
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config["GREETING"] = "the module"
                GREETING_AT_IMPORT = app.config["GREETING"]
                app.get("/greeting.json")(lambda: {"greeting": GREETING_AT_IMPORT})
            """,
            "example.toml": '[build.config]\nGREETING = "the build"\n',
        },
    )
    job = example_job(discover(project.snippets)["own"], [])
    job["requests"] = [{"method": "GET", "path": "/greeting.json"}]
    (answer,) = run_driver(job)["answers"]
    assert json.loads(answer["body"]) == {"greeting": "the build"}
