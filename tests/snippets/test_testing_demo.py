"""The testing chapter's own tests live in snippets/testing_demo/ and run with
the suite; this file checks the demo app as the site's build creates it."""

import pytest

from snippets.testing_demo.app import create_app

KEY = {"SECRET_KEY": "test-only-key"}


def test_the_key_signs_the_session():
    client = create_app(KEY).test_client()
    client.post("/cart/tea")
    assert client.get("/cart").json == {"cart": ["tea"]}
    assert "session=" in client.post("/cart/milk").headers["Set-Cookie"]


def test_the_key_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_no_key_no_app(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set: set FLASK_SECRET_KEY"):
        create_app()


def test_test_config_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app({"SECRET_KEY": "other"}).config["SECRET_KEY"] == "other"


def test_adding_keeps_the_order():
    client = create_app(KEY).test_client()
    for item in ("milk", "tea", "milk"):
        response = client.post(f"/cart/{item}")
    assert response.json == {"cart": ["milk", "tea", "milk"]}
