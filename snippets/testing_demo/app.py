from flask import Flask, session


def create_app(test_config=None):
    app = Flask(__name__)
    # Sessions are signed with this key. Use a long random one in production.
    app.config["SECRET_KEY"] = "dev"
    if test_config:
        app.config.update(test_config)

    @app.get("/cart")
    def show_cart():
        return {"cart": session.get("cart", [])}

    @app.post("/cart/<item>")
    def add_to_cart(item):
        session["cart"] = [*session.get("cart", []), item]
        return {"cart": session["cart"]}

    return app
