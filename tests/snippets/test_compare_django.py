import importlib
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import clear_url_caches

MODULE = "snippets.compare_django.app"


@pytest.fixture
def example():
    # The books live in the module, which each test imports afresh (tests/conftest.py).
    # Django caches the URLconf it imported; forget it so the fresh module serves.
    module = importlib.import_module(MODULE)
    clear_url_caches()
    return module


@pytest.fixture
def client(example):
    return Client()


def test_configures_itself_as_its_own_urlconf(example):
    assert settings.ROOT_URLCONF == MODULE
    assert callable(example.application)  # the WSGI app a server would run


def test_importing_again_keeps_the_settings(example):
    # Settings can be configured once per process; the guard skips the second time.
    del sys.modules[MODULE]
    importlib.import_module(MODULE)
    clear_url_caches()
    assert settings.ROOT_URLCONF == MODULE
    assert Client().get("/api/books/1").status_code == 200


def test_gets_a_book(client):
    response = client.get("/api/books/1")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "title": "Dune", "year": 1965}


def test_missing_book_is_a_json_404(client):
    response = client.get("/api/books/99")
    assert response.status_code == 404
    assert response.json() == {"error": "There is no book 99."}


def test_each_url_allows_one_method(client):
    assert client.post("/api/books/1").status_code == 405
    assert client.get("/api/books").status_code == 405


def test_creates_a_book_that_can_be_read_back(client):
    response = client.post("/api/books", {"title": "Emma", "year": 1815}, "application/json")
    assert response.status_code == 201
    assert response.json() == {"id": 2, "title": "Emma", "year": 1815}
    assert client.get("/api/books/2").json()["title"] == "Emma"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["Emma"], "Send a JSON object."),
        ({"year": 1815}, "'title' must be a non-empty string."),
        ({"title": "", "year": 1815}, "'title' must be a non-empty string."),
        ({"title": "Emma"}, "'year' must be an integer."),
        ({"title": "Emma", "year": "1815"}, "'year' must be an integer."),
    ],
)
def test_rejects_bad_input_with_a_400(client, body, message):
    response = client.post("/api/books", body, "application/json")
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert client.get("/api/books/2").status_code == 404  # nothing was stored


def test_a_body_that_is_not_json_is_a_400(client):
    response = client.post("/api/books", "title=Emma", "text/plain")
    assert response.status_code == 400
    assert response.json() == {"error": "Send a JSON object."}
