import pytest


@pytest.fixture
def client():
    # The books live in the module, which each test imports afresh (tests/conftest.py).
    from snippets.compare_flask.app import app

    app.config["TESTING"] = True
    return app.test_client()


def test_gets_a_book(client):
    response = client.get("/api/books/1")
    assert response.status_code == 200
    assert response.json == {"id": 1, "title": "Dune", "year": 1965}


def test_missing_book_is_a_json_404(client):
    response = client.get("/api/books/99")
    assert response.status_code == 404
    assert response.json == {"error": "There is no book 99."}


def test_creates_a_book_that_can_be_read_back(client):
    response = client.post("/api/books", json={"title": "Emma", "year": 1815})
    assert response.status_code == 201
    assert response.json == {"id": 2, "title": "Emma", "year": 1815}
    assert client.get("/api/books/2").json["title"] == "Emma"


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
    response = client.post("/api/books", json=body)
    assert response.status_code == 400
    assert response.json == {"error": message}
    assert client.get("/api/books/2").status_code == 404  # nothing was stored


def test_a_body_that_is_not_json_is_a_400(client):
    response = client.post("/api/books", data="title=Emma")
    assert response.status_code == 400
    assert response.json == {"error": "Send a JSON object."}
