import pytest
from sklearn.datasets import load_iris

from snippets.model import app as model_module
from snippets.model.app import FEATURES, create_app, train

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


@pytest.fixture(scope="module")
def trained():
    return train()


@pytest.fixture(scope="module")
def app():
    # The app keeps no state between requests, so the tests can share one
    # (and train the model once).
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def test_the_model_learned_the_iris_data(trained):
    model, species = trained
    iris = load_iris()
    assert species == ["setosa", "versicolor", "virginica"]
    assert model.score(iris.data, iris.target) > 0.95


def test_training_is_deterministic(trained):
    model, _ = trained
    again, _ = train()
    rows = load_iris().data
    assert (model.predict_proba(rows) == again.predict_proba(rows)).all()


def test_predicts_every_flower_of_the_data_set_like_the_model(trained, client):
    model, species = trained
    iris = load_iris()
    for row, expected in zip(iris.data[::10], model.predict(iris.data[::10]), strict=True):
        body = dict(zip(FEATURES, (float(v) for v in row), strict=True))
        assert client.post("/predict", json=body).json["species"] == species[expected]


def test_a_good_request_gets_a_species_and_probabilities(client):
    response = client.post("/predict", json=SETOSA)
    assert response.status_code == 200
    assert response.json["species"] == "setosa"
    probabilities = response.json["probabilities"]
    assert set(probabilities) == {"setosa", "versicolor", "virginica"}
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert max(probabilities, key=probabilities.get) == "setosa"


def test_whole_numbers_are_measurements_too(client):
    body = {"sepal_length": 7, "sepal_width": 3, "petal_length": 6, "petal_width": 2}
    assert client.post("/predict", json=body).json["species"] == "virginica"


def without(name):
    return {k: v for k, v in SETOSA.items() if k != name}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (without("petal_width"), {"petal_width": "required"}),
        ({**SETOSA, "sepal_length": "5.1"}, {"sepal_length": "must be a number"}),
        ({**SETOSA, "sepal_length": None}, {"sepal_length": "must be a number"}),
        ({**SETOSA, "sepal_length": True}, {"sepal_length": "must be a number"}),
        ({**SETOSA, "sepal_width": -3.5}, {"sepal_width": "must not be negative"}),
        ({**SETOSA, "colour": "blue"}, {"colour": "unknown field"}),
        (
            {"petal_length": -1, "size": 3},
            {
                "size": "unknown field",
                "sepal_length": "required",
                "sepal_width": "required",
                "petal_length": "must not be negative",
                "petal_width": "required",
            },
        ),
        (
            {"sepal_length": "5.1", "sepal_width": -3.5, "petal_length": True, "petal_widht": 0.2},
            {
                "sepal_length": "must be a number",
                "sepal_width": "must not be negative",
                "petal_length": "must be a number",
                "petal_width": "required",
                "petal_widht": "unknown field",
            },
        ),
        ([5.1, 3.5, 1.4, 0.2], {"body": "must be a JSON object"}),
    ],
)
def test_bad_input_is_a_400_that_names_each_field(client, body, fields):
    response = client.post("/predict", json=body)
    assert response.status_code == 400
    assert response.json == {"error": "invalid input", "fields": fields}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_json_numbers_that_are_not_finite_are_refused(client, number):
    # Python's JSON parser accepts these words, so the app must check for them.
    body = '{"sepal_length": %s, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'
    response = client.post("/predict", data=body % number, content_type="application/json")
    assert response.status_code == 400
    assert response.json["fields"] == {"sepal_length": "must be a finite number"}


def test_a_body_that_is_not_json_is_a_400(client):
    response = client.post("/predict", data="sepal_length=5.1")
    assert response.status_code == 400
    assert response.json["fields"] == {"body": "must be a JSON object"}


def test_each_app_trains_its_model_once(monkeypatch):
    calls = []

    def counting_train():
        calls.append(1)
        return train()

    monkeypatch.setattr(model_module, "train", counting_train)
    client = model_module.create_app().test_client()
    for _ in range(3):
        client.post("/predict", json=SETOSA)
    assert len(calls) == 1
