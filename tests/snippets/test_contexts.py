import pytest
from flask import current_app, g

from snippets.contexts.app import create_app, greeting_from_a_thread

OUTSIDE_APP = "Working outside of application context."


@pytest.fixture
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def test_current_app_and_g_inside_a_request(client):
    assert client.get("/hello?x=1").json == {
        "app": "snippets.contexts.app",
        "greeting": "Hello from the config",
        "label": "GET /hello",
        "url": "http://localhost/hello?x=1",
    }


def test_g_starts_empty_in_every_request(app, client):
    client.get("/query")
    with app.test_request_context("/"):
        assert "db" not in g
        assert "label" not in g  # before_request has not run for this one


def test_one_connection_per_request_closed_by_teardown(client):
    assert client.get("/query").json == {"answer": 42, "same_connection": True}
    client.get("/query")
    client.get("/hello")  # opens no connection, so teardown closes none
    assert client.get("/connections").json == {"opened": 2, "closed": ["GET /query"] * 2}


def test_teardown_runs_after_a_view_that_raises(app, client):
    app.testing = False  # answer 500 instead of raising into the test
    assert client.post("/fails").status_code == 500
    assert client.get("/connections").json["closed"] == ["POST /fails"]


def test_a_thread_has_no_context(client):
    lines = client.get("/thread/without-context").json["error"]
    assert lines[0] == OUTSIDE_APP
    assert "with app.app_context()" in lines[-1]


def test_a_thread_with_its_own_context_reads_the_config(client):
    assert client.get("/thread/with-context").json == {"greeting": "Hello from the config"}


def test_the_thread_helper_outside_flask(app):
    assert greeting_from_a_thread()["error"][0] == OUTSIDE_APP
    assert greeting_from_a_thread(app) == {"greeting": "Hello from the config"}


def test_the_proxy_is_not_the_app(app):
    with app.app_context():
        assert current_app._get_current_object() is app
        assert current_app is not app  # a proxy, which a thread cannot follow
