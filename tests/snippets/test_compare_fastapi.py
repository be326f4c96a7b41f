import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client():
    # The books live in the module, which each test imports afresh (tests/conftest.py).
    from snippets.compare_fastapi.app import app

    return TestClient(app)


def test_gets_a_book(client):
    response = client.get("/api/books/1")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "title": "Dune", "year": 1965}


def test_missing_book_is_a_json_404(client):
    response = client.get("/api/books/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no book 99."}


def test_an_id_that_is_not_a_number_fails_validation(client):
    response = client.get("/api/books/dune")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "book_id"]


def test_creates_a_book_that_can_be_read_back(client):
    response = client.post("/api/books", json={"title": "Emma", "year": 1815})
    assert response.status_code == 201
    assert response.json() == {"id": 2, "title": "Emma", "year": 1815}
    assert client.get("/api/books/2").json()["title"] == "Emma"


@pytest.mark.parametrize(
    ("body", "field", "error"),
    [
        ({"year": 1815}, "title", "missing"),
        ({"title": "", "year": 1815}, "title", "string_too_short"),
        ({"title": "Emma"}, "year", "missing"),
        ({"title": "Emma", "year": "soon"}, "year", "int_parsing"),
    ],
)
def test_pydantic_rejects_bad_input_with_a_422(client, body, field, error):
    response = client.post("/api/books", json=body)
    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", field]
    assert detail["type"] == error
    assert client.get("/api/books/2").status_code == 404  # nothing was stored


def test_a_number_in_a_string_is_converted(client):
    # Pydantic's default (lax) mode turns "1815" into 1815; Flask's manual check refuses it.
    response = client.post("/api/books", json={"title": "Emma", "year": "1815"})
    assert response.status_code == 201
    assert response.json()["year"] == 1815
