import sys
import textwrap
from pathlib import Path

import pytest

from site_app.author.discover import discover
from site_app.errors import ExampleError
from site_app.execute.load import configured_app, isolated_modules, run_setup

CLI_APP = """
    import click
    from flask import Flask


    def create_app(test_config=None):
        app = Flask(__name__)
        app.config.from_mapping(test_config or {})

        @app.cli.command("touch")
        @click.argument("name")
        def touch(name):
            with open(app.config["TARGET"].format(name=name), "w") as f:
                f.write("done")

        @app.cli.command("explode")
        def explode():
            raise RuntimeError("the seed file is missing")

        return app
"""


def load(project, name, instance, **options):
    example = discover(project.snippets)[name]
    with isolated_modules("snippets", project.root):
        app = configured_app(example, instance, project.settings(**options))
        run_setup(example, app)
        return app, example


def test_global_app_and_instance_folder(project, tmp_path):
    project.example("hello", {"app.py": project.HELLO})
    app, _ = load(project, "hello", tmp_path / "inst")
    assert app.instance_path == str(tmp_path / "inst")
    assert app.test_client().get("/").data == b"<p>hi</p>"


def test_factory_gets_config_with_the_instance_folder(project, tmp_path):
    project.example(
        "fac",
        {
            "app.py": CLI_APP,
            "example.toml": '[build]\nsetup = ["touch one"]\n[build.config]\nTARGET = "{instance}/{name}.txt"\n',
        },
    )
    app, _ = load(project, "fac", tmp_path)
    assert app.config["TARGET"] == f"{tmp_path}/{{name}}.txt"
    assert (tmp_path / "one.txt").read_text() == "done"


def test_factory_without_parameters_and_package_layout(project, tmp_path):
    project.example(
        "pkg",
        {
            "__init__.py": "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n"
        },
    )
    app, example = load(project, "pkg", tmp_path)
    assert app.import_name == "snippets.pkg"
    assert example.app_module == "snippets.pkg"


def test_every_load_is_fresh_and_modules_are_restored(project, tmp_path):
    directory = project.example("hello", {"app.py": project.HELLO})
    before = {name for name in sys.modules if name.startswith("snippets")}
    first, _ = load(project, "hello", tmp_path)
    edited = textwrap.dedent(project.HELLO).replace("<p>hi</p>", "<p>bye</p>")
    (directory / "app.py").write_text(edited)
    second, _ = load(project, "hello", tmp_path)
    assert first.test_client().get("/").data == b"<p>hi</p>"
    assert second.test_client().get("/").data == b"<p>bye</p>"
    assert {name for name in sys.modules if name.startswith("snippets")} == before


def test_syntax_error_names_file_and_line(project, tmp_path):
    project.example("broken", {"app.py": "from flask import Flask\napp = Flask(__name__\n"})
    with pytest.raises(ExampleError) as caught:
        load(project, "broken", tmp_path)
    assert "SyntaxError" in caught.value.what
    assert str(caught.value.where).startswith("snippets/broken/app.py:2")


def test_import_error_names_the_module(project, tmp_path):
    project.example("needs", {"app.py": "import flask\nimport not_installed_anywhere\n"})
    with pytest.raises(ExampleError) as caught:
        load(project, "needs", tmp_path)
    assert "ModuleNotFoundError: No module named 'not_installed_anywhere'" in caught.value.what
    assert caught.value.fix == (
        "if 'not_installed_anywhere' is a library, install it where the build runs, "
        "then build again; otherwise fix the import"
    )
    # A project gives its own advice.
    with pytest.raises(ExampleError) as caught:
        load(project, "needs", tmp_path, missing_library_fix="add it to requirements/docs.txt")
    assert caught.value.fix.startswith(
        "if 'not_installed_anywhere' is a library, add it to requirements/docs.txt;"
    )
    assert str(caught.value.where) == "snippets/needs/app.py:2"


def test_example_without_an_app(project, tmp_path):
    project.example("empty", {"app.py": "x = 1\n"})
    with pytest.raises(ExampleError, match="has no app") as caught:
        load(project, "empty", tmp_path)
    assert "create_app()" in caught.value.fix


def test_app_that_is_not_flask(project, tmp_path):
    project.example("odd", {"app.py": "app = object()\n"})
    with pytest.raises(ExampleError, match="gave a object, not a Flask app"):
        load(project, "odd", tmp_path)


def test_setup_command_that_raises(project, tmp_path):
    project.example("fac", {"app.py": CLI_APP, "example.toml": '[build]\nsetup = ["explode"]\n'})
    with pytest.raises(ExampleError) as caught:
        load(project, "fac", tmp_path)
    assert "'flask explode'" in caught.value.what
    assert "RuntimeError: the seed file is missing" in caught.value.what
    assert str(caught.value.where).startswith("snippets/fac/app.py:")
    assert "flask --app snippets.fac.app explode" in caught.value.fix


def test_setup_command_that_does_not_exist(project, tmp_path):
    project.example("fac", {"app.py": CLI_APP, "example.toml": '[build]\nsetup = ["seeed"]\n'})
    with pytest.raises(ExampleError) as caught:
        load(project, "fac", tmp_path)
    assert "'flask seeed'" in caught.value.what
    assert "exited 2" in caught.value.what
    assert str(caught.value.where) == "snippets/fac/example.toml"


TUTORIAL_LIKE = """
    import os
    import sqlite3

    import click
    from flask import Flask, current_app


    def init_db():
        db = sqlite3.connect(current_app.config["DATABASE"])
        db.execute("CREATE TABLE post (title TEXT)")
        db.commit()


    @click.command("init-db")
    def init_db_command():
        init_db()
        click.echo("Initialized the database.")


    def create_app(test_config=None):
        app = Flask(__name__, instance_relative_config=True)
        app.config.from_mapping(DATABASE=os.path.join(app.instance_path, "app.sqlite"))
        os.makedirs(app.instance_path, exist_ok=True)  # before the build could move it
        with open("started.txt", "w") as f:  # a relative name: the working directory
            f.write("up")
        app.cli.add_command(init_db_command)  # plain Click: no app context of its own
        return app
"""


def test_the_instance_folder_is_private_before_the_app_exists(project, tmp_path):
    project.example(
        "tutorial", {"__init__.py": TUTORIAL_LIKE, "example.toml": '[build]\nsetup = ["init-db"]\n'}
    )
    app, _ = load(project, "tutorial", tmp_path / "inst")
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["DATABASE"] == str(tmp_path / "inst" / "app.sqlite")
    assert (tmp_path / "inst" / "app.sqlite").is_file()  # init-db ran in an app context
    assert (tmp_path / "inst" / "started.txt").read_text() == "up"
    written = {p.name for p in (project.snippets / "tutorial").iterdir()} - {"__pycache__"}
    assert written == {"__init__.py", "example.toml"}
    assert not (project.snippets / "instance").exists()  # Flask's own choice for a package


def test_outside_the_build_flask_finds_its_own_instance_folder(project, tmp_path):
    from flask import Flask

    project.example("hello", {"app.py": project.HELLO})
    load(project, "hello", tmp_path / "inst")
    # An unknown module's instance folder is Flask's choice again: ./instance.
    assert Flask("not_a_module").instance_path == str(Path.cwd() / "instance")
    assert Path.cwd() != tmp_path / "inst"  # and the working directory came back


SELF_IMPORT = {
    "__init__.py": """
        from flask import Flask

        app = Flask(__name__)

        from selfref import views  # noqa: E402  (as flask --app selfref run imports it)
    """,
    "views.py": """
        from . import app


        @app.route("/")
        def index():
            return "<p>from views</p>"
    """,
}


def test_an_example_imports_itself_by_its_own_name(project, tmp_path):
    project.example("selfref", SELF_IMPORT)
    app, _ = load(project, "selfref", tmp_path / "inst")
    assert app.test_client().get("/").data == b"<p>from views</p>"
    assert "selfref" not in sys.modules  # the alias goes with the build's modules


def test_the_own_name_never_hides_an_installed_module(project, tmp_path):
    project.example("click", {"app.py": project.HELLO})  # an example named like a library
    load(project, "click", tmp_path / "inst")
    import click

    assert "snippets" not in (click.__file__ or "")
