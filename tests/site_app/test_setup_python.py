"""``setup_python``: an app without a CLI command sets itself up before the requests."""

import pytest

from site_app.author.discover import discover
from site_app.errors import BuildFailed, ExampleError
from site_app.render.runner import example_job

# A one-file app as published apps are written: its tables made only under __main__.
NOTES = """
    from flask import Flask, request
    from flask_sqlalchemy import SQLAlchemy

    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///notes.db"
    db = SQLAlchemy(app)


    class Note(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        text = db.Column(db.String(80), nullable=False)


    def seed(*texts):
        db.session.add_all(Note(text=text) for text in texts)
        db.session.commit()


    @app.post("/notes")
    def add():
        db.session.add(Note(text=request.form["text"]))
        db.session.commit()
        return {"count": db.session.query(Note).count()}


    if __name__ == "__main__":
        db.create_all()
        app.run()
"""

BLOCK = (
    "```flask-example\nexample: notes\nrequests:\n"
    "  - request: POST /notes\n    form: {text: milk}\n```\n"
)


def notes(project, toml):
    project.example("notes", {"app.py": NOTES, "example.toml": toml})
    project.page("a.md", BLOCK)
    return project


def test_setup_python_makes_the_tables_before_the_requests(project):
    notes(project, "[build]\nsetup_python = [\"db.create_all()\", \"seed('eggs', 'tea')\"]\n")
    (answer,) = project.build().blocks[("a.md", 1)].answers
    assert answer.response.text.strip() == '{"count":3}'


def test_without_it_the_app_has_no_tables(project):
    notes(project, "[build]\n")
    with pytest.raises(BuildFailed) as caught:
        project.build()
    (error,) = caught.value.errors
    assert "no such table: note" in error.what
    assert 'setup_python = ["db.create_all()"] runs Python in its module' in error.fix


def test_a_failing_step_is_named_with_its_line_in_example_toml(project):
    notes(
        project,
        '[build]\nsetup = []\nsetup_python = [\n  "db.create_all()",\n  "db.drop_al()",\n]\n',
    )
    with pytest.raises(BuildFailed) as caught:
        project.build()
    (error,) = {e.message: e for e in caught.value.errors}.values()
    assert str(error.where) == "snippets/notes/example.toml:5"
    assert error.what == (
        "setup step 2 of example 'notes' (db.drop_al()) raised AttributeError: "
        "drop_al at line 1 of the step"
    )
    assert "[build] setup_python of example.toml" in error.fix


def test_a_step_that_fails_in_the_apps_code_names_that_line(project):
    notes(project, "[build]\nsetup_python = [\"seed('eggs')\"]\n")
    with pytest.raises(BuildFailed) as caught:
        project.build()
    (error,) = {e.message: e for e in caught.value.errors}.values()
    assert error.what.startswith("setup step 1 of example 'notes' (seed('eggs')) raised")
    assert "no such table: note" in error.what
    assert str(error.where) == "snippets/notes/app.py:16"


def test_a_step_that_is_not_python_stops_discovery_at_its_line(project):
    notes(project, '[build]\nsetup_python = [\n  "db.create_all(",\n]\n')
    with pytest.raises(ExampleError) as caught:
        project.build()
    assert str(caught.value.where) == "snippets/notes/example.toml:3"
    assert "build.setup_python step 1 is not valid Python" in caught.value.what


def test_setup_python_is_for_flask_examples(project):
    project.example(
        "api",
        {
            "app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "example.toml": '[build]\nframework = "fastapi"\nsetup_python = ["pass"]\n',
        },
    )
    project.page("a.md", "```flask-example\nexample: api\n```\n")
    with pytest.raises(ExampleError, match=r"build\.setup_python applies to Flask examples only"):
        project.build()


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ('["db.create_all()"]', {"body": '{"count":1}\n'}),
        ('["db.create_al()"]', {"error": "setup step 1 failed"}),
    ],
)
def test_the_in_browser_runner_runs_the_steps_too(project, run_driver, steps, expected):
    """The runner's driver (Python in the reader's browser), run here by CPython in a process."""
    notes(project, f"[build]\nsetup_python = {steps}\n")
    job = example_job(discover(project.snippets)["notes"], [])
    job["requests"] = [{"method": "POST", "path": "/notes", "form": [["text", "milk"]]}]
    result = run_driver(job)
    if "body" in expected:
        assert result["answers"][0]["body"] == expected["body"]
    else:
        assert expected["error"] in result["error"]["message"]
