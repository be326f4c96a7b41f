import importlib

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches

# One of the middleware that `startproject` lists in settings.py.
STARTPROJECT_CSRF = ["django.middleware.csrf.CsrfViewMiddleware"]
BOOK = {"title": "Emma", "year": 1815}


@pytest.fixture
def client():
    importlib.import_module("snippets.compare_django.app")  # the settings
    clear_url_caches()
    # Django's test client skips CSRF checks unless asked to make them.
    return Client(enforce_csrf_checks=True)


def post_book(client):
    return client.post("/api/books", BOOK, content_type="application/json")


def test_without_the_middleware_the_post_is_created(client):
    response = post_book(client)
    assert response.status_code == 201


@override_settings(MIDDLEWARE=STARTPROJECT_CSRF)
def test_with_the_middleware_the_same_post_is_refused(client):
    response = post_book(client)
    assert response.status_code == 403
    assert b"CSRF verification failed" in response.content
