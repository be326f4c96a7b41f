import sys
import textwrap

import pytest

from site_app.author.discover import discover
from site_app.errors import ExampleError
from site_app.execute.load import isolated_modules, load_app, run_setup

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
        app = load_app(example, instance, project.settings(**options))
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
