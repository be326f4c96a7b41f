import pytest

from snippets.json_api.app import create_app


@pytest.fixture
def client():
    return create_app({"TESTING": True}).test_client()


def test_lists_the_seed_items(client):
    response = client.get("/api/items")
    assert response.status_code == 200
    assert [item["name"] for item in response.json["items"]] == ["kettle", "teapot"]


def test_gets_one_item(client):
    assert client.get("/api/items/2").json == {"id": 2, "name": "teapot"}


def test_missing_item_is_a_json_404(client):
    response = client.get("/api/items/99")
    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "message": "There is no item 99."}


def test_creates_an_item_and_points_at_it(client):
    response = client.post("/api/items", json={"name": "  lamp "})
    assert response.status_code == 201
    assert response.json == {"id": 3, "name": "lamp"}
    assert response.headers["Location"] == "/api/items/3"
    assert client.get("/api/items/3").json["name"] == "lamp"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, "'name' must be a non-empty string."),
        ({"name": 7}, "'name' must be a non-empty string."),
        ({}, "'name' must be a non-empty string."),
        (["lamp"], "Send a JSON object."),
    ],
)
def test_rejects_bad_input_with_a_json_400(client, body, message):
    response = client.post("/api/items", json=body)
    assert response.status_code == 400
    assert response.json == {"error": "Bad Request", "message": message}


def test_body_that_is_not_json_is_a_400(client):
    response = client.post("/api/items", data="name=lamp")
    assert response.status_code == 400
    assert response.json["message"] == "Send a JSON object."


def test_wrong_method_is_a_json_405(client):
    response = client.delete("/api/items")
    assert response.status_code == 405
    assert response.json["error"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_each_app_has_its_own_store():
    first, second = create_app().test_client(), create_app().test_client()
    first.post("/api/items", json={"name": "lamp"})
    assert len(second.get("/api/items").json["items"]) == 2
