from flask import Flask, abort, request, url_for
from werkzeug.exceptions import HTTPException


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    # Each app gets its own small in-memory store.
    items = {1: {"id": 1, "name": "kettle"}, 2: {"id": 2, "name": "teapot"}}

    # --8<-- [start:read]
    def find_item(item_id):
        if item_id not in items:
            abort(404, description=f"There is no item {item_id}.")
        return items[item_id]

    @app.get("/api/items")
    def list_items():
        return {"items": list(items.values())}

    @app.get("/api/items/<int:item_id>")
    def get_item(item_id):
        return find_item(item_id)

    # --8<-- [end:read]

    # --8<-- [start:create]
    def name_from_body():
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, description="Send a JSON object.")
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            abort(400, description="'name' must be a non-empty string.")
        return name.strip()

    @app.post("/api/items")
    def create_item():
        item = {"id": max(items, default=0) + 1, "name": name_from_body()}
        items[item["id"]] = item
        return item, 201, {"Location": url_for("get_item", item_id=item["id"])}

    # --8<-- [end:create]

    # --8<-- [start:change]
    @app.put("/api/items/<int:item_id>")
    def replace_item(item_id):
        item = find_item(item_id)
        item["name"] = name_from_body()
        return item

    @app.delete("/api/items/<int:item_id>")
    def delete_item(item_id):
        find_item(item_id)  # a 404 if there is no such item
        del items[item_id]
        return "", 204

    # --8<-- [end:change]

    # --8<-- [start:errors]
    @app.errorhandler(HTTPException)
    def error_as_json(error):
        body = {"error": error.name, "message": error.description}
        # Keep headers such as Allow on a 405, but not the HTML content type.
        headers = [(k, v) for k, v in error.get_headers() if k != "Content-Type"]
        return body, error.code, headers

    # --8<-- [end:errors]

    # --8<-- [start:crash]
    @app.post("/api/crash")
    def crash():
        raise RuntimeError("This view fails on purpose; the client must not see this text.")

    # --8<-- [end:crash]

    return app
