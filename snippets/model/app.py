import math

from flask import Flask, request
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")  # in cm


# --8<-- [start:train]
def train():
    """Fit a small classifier on the iris data that ships with scikit-learn."""
    iris = load_iris()  # 150 flowers, read from scikit-learn's own files
    # A fixed random_state grows the same trees on every start.
    model = RandomForestClassifier(n_estimators=50, random_state=0)
    model.fit(iris.data, iris.target)
    return model, [str(name) for name in iris.target_names]


# --8<-- [end:train]


# --8<-- [start:validate]
def read_measurements(data):
    """The four measurements as floats, or what is wrong with each field."""
    if not isinstance(data, dict):
        return None, {"body": "must be a JSON object"}
    errors = {name: "unknown field" for name in data if name not in FEATURES}
    for name in FEATURES:
        value = data.get(name)
        if name not in data:
            errors[name] = "required"
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            errors[name] = "must be a number"
        elif not math.isfinite(value):
            errors[name] = "must be a finite number"
        elif value < 0:
            errors[name] = "must not be negative"
    if errors:
        return None, errors
    return [float(data[name]) for name in FEATURES], {}


# --8<-- [end:validate]


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    # --8<-- [start:predict]
    model, species = train()  # once per app, not once per request

    @app.post("/predict")
    def predict():
        row, errors = read_measurements(request.get_json(silent=True))
        if errors:
            return {"error": "invalid input", "fields": errors}, 400
        chances = model.predict_proba([row])[0]  # one probability per species
        rounded = [round(float(p), 2) for p in chances]
        return {
            "species": species[chances.argmax()],
            "probabilities": dict(zip(species, rounded, strict=True)),
        }

    # --8<-- [end:predict]

    return app
