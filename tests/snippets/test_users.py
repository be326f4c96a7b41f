import re

import pytest

from snippets.users.app import User, create_app, db, is_safe
from snippets.users.peek import read_without_key

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {"SECRET_KEY": "test-key", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/u.sqlite"}
    )
    result = app.test_cli_runner().invoke(args=["add-user", "ada", PASSWORD])
    assert result.output == "Added ada.\n"
    yield app
    with app.app_context():
        db.engine.dispose()  # close SQLite's connections (Python 3.13 warns of open ones)


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, path, **fields):
    """Send the form of the page at ``path`` with its CSRF token, as a browser does."""
    page = client.get(path).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return client.post(path, data={"csrf_token": token, **fields})


def test_register_stores_a_salted_hash_and_sends_to_sign_in(app, client):
    response = post(client, "/register/", username="grace", password=PASSWORD, confirm=PASSWORD)
    assert response.headers["Location"] == "/login/"
    assert "Your account is ready. Sign in." in client.get("/login/").text
    with app.app_context():
        ada, grace = db.session.scalars(db.select(User).order_by(User.id))
    assert grace.password_hash.startswith("pbkdf2:sha256:")
    assert PASSWORD not in grace.password_hash
    assert grace.password_hash != ada.password_hash  # same password, different salt
    assert grace.check_password(PASSWORD)
    assert not grace.check_password("wrong")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"username": "ada", "password": PASSWORD, "confirm": PASSWORD}, "That name is taken."),
        ({"username": "Ada!", "password": PASSWORD, "confirm": PASSWORD}, "lower-case letters"),
        ({"username": "bo", "password": "short", "confirm": "short"}, "at least 12 characters"),
        ({"username": "bo", "password": PASSWORD, "confirm": "other"}, "The passwords differ."),
    ],
)
def test_register_refuses_bad_input(client, fields, error):
    response = post(client, "/register/", **fields)
    assert response.status_code == 200
    assert error in response.text


def test_a_stranger_is_sent_to_sign_in_and_back(client):
    response = client.get("/account/")
    assert response.headers["Location"] == "/login/?next=%2Faccount%2F"
    assert "Sign in to see that page." in client.get("/login/").text
    response = post(client, "/login/?next=%2Faccount%2F", username="ada", password=PASSWORD)
    assert response.headers["Location"] == "/account/"
    page = client.get("/account/").text
    assert "Signed in as <b>ada</b>" in page
    assert "<code>pbkdf2:sha256:" in page
    assert "Welcome back, ada." in client.get("/").text


def test_wrong_password_says_the_same_as_unknown_user(client):
    wrong = post(client, "/login/", username="ada", password="nope")
    unknown = post(client, "/login/", username="zed", password="nope")
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong username or password." in wrong.text
    assert "Wrong username or password." in unknown.text
    assert client.get("/account/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "account"])
def test_next_never_leaves_the_site(client, target):
    response = post(client, f"/login/?next={target}", username="ada", password=PASSWORD)
    assert response.headers["Location"] == "/account/"
    assert not is_safe(target)


def test_remember_me_sets_a_lasting_cookie_and_sign_out_clears_it(client):
    response = post(client, "/login/", username="ada", password=PASSWORD, remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    assert remember.expires is not None
    assert "remember_token=" in str(response.headers.getlist("Set-Cookie"))
    # A new browser session: the session cookie is gone, the remember cookie signs in again.
    client.delete_cookie("session")
    assert client.get("/account/").status_code == 200
    page = client.get("/account/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post("/logout/", data={"csrf_token": token})
    assert response.headers["Location"] == "/"
    assert client.get_cookie("remember_token") is None
    assert "You are signed out." in client.get("/").text
    assert client.get("/account/").status_code == 302


def test_anyone_can_read_the_session_but_not_forge_it(client):
    assert client.get("/peek.json").json == {"cookie": None}
    post(client, "/login/", username="ada", password=PASSWORD)
    seen = client.get("/peek.json").json
    assert seen["anyone_can_read"]["_user_id"] == "1"
    assert read_without_key(seen["cookie"]) == seen["anyone_can_read"]
    # Change the user id, keep the old signature: Flask throws the session away.
    payload, rest = seen["cookie"].lstrip(".").split(".", 1)
    forged = "eyJfdXNlcl9pZCI6IjIifQ." + rest
    client.set_cookie("session", forged)
    assert client.get("/account/").status_code == 302
    assert payload != "eyJfdXNlcl9pZCI6IjIifQ"


def test_an_uncompressed_cookie_is_read_too():
    assert read_without_key("eyJhIjoxfQ.sig.sig") == {"a": 1}


def test_the_app_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()
