import re

import pytest

from snippets.forms_demo.app import create_app


@pytest.fixture
def client():
    return create_app({"SECRET_KEY": "test-key"}).test_client()


def send(client, **fields):
    """Post the form as a browser would: with the token the page holds."""
    page = client.get("/reply/").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return client.post("/reply/", data={"csrf_token": token, **fields})


def test_the_form_page_shows_every_field_and_no_errors(client):
    page = client.get("/reply/").text
    for name in ("name", "guests", "vegetarian", "note"):
        assert f'name="{name}"' in page
    assert "0 replies so far." in page
    assert 'class="error"' not in page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "", "guests": "2"}, "This field is required."),
        ({"name": "Ada", "guests": "9"}, "Number must be between 1 and 6."),
        ({"name": "Ada", "guests": "two"}, "Not a valid integer value."),
        ({"name": "anonymous", "guests": "1"}, "Tell us who you are"),
        ({"name": "x" * 41, "guests": "1"}, "Field cannot be longer than 40 characters."),
        ({"name": "Ada", "guests": "1", "note": "n" * 201}, "cannot be longer than 200"),
    ],
)
def test_an_invalid_reply_shows_the_error_next_to_its_field(client, fields, error):
    response = send(client, **fields)
    assert response.status_code == 200
    assert error in response.text
    assert 'aria-invalid="true"' in response.text
    assert "0 replies so far." in response.text


def test_a_valid_reply_redirects_and_the_message_shows_once(client):
    response = send(client, name="Ada", guests="2", vegetarian="y")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reply/"
    page = client.get("/reply/").text
    assert "Thank you, Ada: we have laid 2 places." in page
    assert "1 reply so far." in page
    assert "Thank you" not in client.get("/reply/").text


def test_a_post_without_the_token_is_refused(client):
    response = client.post("/reply/", data={"name": "Ada", "guests": "2"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


def test_the_app_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()
