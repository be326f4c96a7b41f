import runpy

import pytest
from flask import current_app, g, request

from snippets.contexts.app import create_app, get_db
from snippets.contexts.script import main

NO_APP = "Working outside of application context"
NO_REQUEST = "Working outside of request context"


def test_no_context_no_current_app():
    create_app()  # making an app pushes no context
    with pytest.raises(RuntimeError, match=NO_APP):
        current_app.config  # noqa: B018
    with pytest.raises(RuntimeError, match=NO_APP):
        get_db()  # it reads g


def test_an_app_context_has_g_but_no_request():
    app = create_app()
    with app.app_context():
        g.anything = 1
        with pytest.raises(RuntimeError, match=NO_REQUEST):
            request.path  # noqa: B018


def test_the_script_pushes_a_context_and_teardown_closes_the_connection():
    # teardown_appcontext runs when the context ends, request or not.
    assert main() == (42, ["no request"])


def test_the_script_runs_from_the_command_line(capsys):
    runpy.run_module("snippets.contexts.script", run_name="__main__")
    assert capsys.readouterr().out == "(42, ['no request'])\n"
