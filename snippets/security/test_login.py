import re

import pytest

from snippets.security.app import create_app


@pytest.fixture
def client():
    return create_app({"SECRET_KEY": "test-key"}).test_client()


def csrf_token(page):
    """Read the token from the form, as a browser would send it back."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)[1]


def test_posting_the_form_with_its_token_signs_in(client):
    token = csrf_token(client.get("/login/"))
    form = {
        "csrf_token": token,
        "username": "ada",
        "password": "correct horse battery staple",
    }
    response = client.post("/login/", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    cookie_flags = response.headers["Set-Cookie"].split("; ")
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(cookie_flags)
    assert "Signed in as <b>ada</b>" in client.get("/account/").text


def test_the_same_form_without_its_token_is_refused(client):
    client.get("/login/")
    form = {"username": "ada", "password": "correct horse battery staple"}
    response = client.post("/login/", data=form)
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    assert client.get("/account/").status_code == 302
