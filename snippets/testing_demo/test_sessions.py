import pytest
from flask import session

from snippets.testing_demo.app import create_app


@pytest.fixture
def app():
    """This file tests the small shopping cart in app.py, with a key for tests only."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-only-key"})


def test_the_client_keeps_cookies_like_a_browser(client):
    client.post("/cart/tea")
    client.post("/cart/milk")
    assert client.get("/cart").json == {"cart": ["tea", "milk"]}


def test_a_new_client_is_a_new_visitor(app):
    app.test_client().post("/cart/tea")
    assert app.test_client().get("/cart").json == {"cart": []}


def test_set_the_session_before_a_request(client):
    with client.session_transaction() as stored:
        stored["cart"] = ["bread"]
    client.post("/cart/tea")
    assert client.get("/cart").json == {"cart": ["bread", "tea"]}


def test_read_the_session_after_a_request(client):
    with client:  # keeps the request's context open after the response
        client.post("/cart/tea")
        assert session["cart"] == ["tea"]
