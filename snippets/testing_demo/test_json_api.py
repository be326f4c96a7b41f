import pytest

from snippets.json_api.app import create_app


@pytest.fixture
def app():
    """This file tests the JSON API example: it replaces conftest's app."""
    return create_app({"TESTING": True})


def test_lists_the_items(client):
    response = client.get("/api/items")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    names = [item["name"] for item in response.json["items"]]
    assert names == ["kettle", "teapot"]


def test_post_creates_an_item(client):
    response = client.post("/api/items", json={"name": "lamp"})
    assert response.status_code == 201
    assert response.json["name"] == "lamp"
    assert client.get(response.headers["Location"]).json == response.json


@pytest.mark.parametrize("body", [{"name": ""}, {"name": 7}, {}, ["lamp"]])
def test_a_bad_body_is_a_json_400(client, body):
    response = client.post("/api/items", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "Bad Request"


def test_an_unknown_item_is_a_json_404(client):
    response = client.get("/api/items/99")
    assert response.status_code == 404
    assert response.json["message"] == "There is no item 99."
