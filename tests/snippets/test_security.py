import re

import pytest

from snippets.security.app import SECURITY_HEADERS, create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app():
    return create_app({"SECRET_KEY": "test-key", "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def token_from(page):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)[1]


def sign_in(client, username="ada", password=PASSWORD):
    token = token_from(client.get("/login/"))
    return client.post(
        "/login/", data={"csrf_token": token, "username": username, "password": password}
    )


def test_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_takes_the_secret_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app().secret_key == "from-the-environment"


def test_session_cookie_settings(app):
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/login/", 200), ("/nope/", 404)])
def test_every_answer_carries_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_csrf_failure_also_carries_the_security_headers(client):
    response = client.post("/login/", data={"username": "ada"})
    assert response.status_code == 400
    assert response.headers["X-Frame-Options"] == "DENY"


def test_templates_escape_what_users_wrote(client):
    page = client.get("/").text
    assert "&lt;script&gt;alert(&#34;cookies&#34;)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "Comments are <strong>moderated</strong>." in page  # Markup stays HTML


def test_escape_in_a_view_without_template(client):
    response = client.get("/latest/")
    assert response.mimetype == "text/html"
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text
    assert response.text.startswith("<p><b>mallory</b>: ")


def test_account_redirects_to_login_when_signed_out(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/"


def test_login_page_has_a_csrf_token_and_sets_a_protected_cookie(client):
    response = client.get("/login/")
    assert token_from(response)
    flags = response.headers["Set-Cookie"].split("; ")
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= set(flags)


def test_signing_in_opens_the_account(client):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    account = client.get("/account/")
    assert account.status_code == 200
    assert "Signed in as <b>ada</b>" in account.text


@pytest.mark.parametrize(("username", "password"), [("ada", "wrong"), ("eve", PASSWORD)])
def test_wrong_credentials_show_one_message(client, username, password):
    response = sign_in(client, username, password)
    assert response.status_code == 200
    assert "Wrong username or password." in response.text
    assert client.get("/account/").status_code == 302


def test_empty_fields_redisplay_the_form(client):
    response = sign_in(client, "", "")
    assert response.status_code == 200
    assert "Wrong username or password." not in response.text
    assert 'name="username"' in response.text


def test_a_forged_token_is_refused(client):
    client.get("/login/")
    response = client.post(
        "/login/", data={"csrf_token": "forged", "username": "ada", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "The CSRF token is invalid." in response.text


def test_sign_out_needs_the_token_too(client):
    sign_in(client)
    assert client.post("/logout/").status_code == 400
    assert client.get("/account/").status_code == 200
    token = token_from(client.get("/account/"))
    response = client.post("/logout/", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/"
    assert client.get("/account/").status_code == 302
