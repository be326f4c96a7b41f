from flask import Flask, session


def create_app(test_config=None):
    app = Flask(__name__)
    # Sessions are signed with SECRET_KEY. It comes from outside the code:
    # FLASK_SECRET_KEY on a server, test_config in the tests.
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: set FLASK_SECRET_KEY.")

    @app.get("/cart")
    def show_cart():
        return {"cart": session.get("cart", [])}

    @app.post("/cart/<item>")
    def add_to_cart(item):
        session["cart"] = [*session.get("cart", []), item]
        return {"cart": session["cart"]}

    return app
