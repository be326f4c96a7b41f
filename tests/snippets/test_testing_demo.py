"""The testing chapter's own tests live in snippets/testing_demo/ and run with
the suite; this file checks the demo app as the site's build creates it."""

from snippets.testing_demo.app import create_app


def test_default_config_signs_the_session():
    app = create_app()
    assert app.config["SECRET_KEY"] == "dev"
    client = app.test_client()
    client.post("/cart/tea")
    assert client.get("/cart").json == {"cart": ["tea"]}
    assert "session=" in client.post("/cart/milk").headers["Set-Cookie"]


def test_test_config_replaces_the_key():
    assert create_app({"SECRET_KEY": "other"}).config["SECRET_KEY"] == "other"


def test_adding_keeps_the_order():
    client = create_app().test_client()
    for item in ("milk", "tea", "milk"):
        response = client.post(f"/cart/{item}")
    assert response.json == {"cart": ["milk", "tea", "milk"]}
