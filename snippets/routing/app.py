from flask import Flask, abort, redirect, render_template, request, url_for


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    # Each app gets its own small store; a real app would use a database.
    recipes = {
        1: {"id": 1, "title": "Sourdough loaf", "category": "baking/bread", "tags": ["vegan"]},
        2: {"id": 2, "title": "Lemon cake", "category": "baking", "tags": []},
        3: {"id": 3, "title": "Leek soup", "category": "soups", "tags": ["vegan", "quick"]},
    }
    dishes = []  # suggested by visitors

    # --8<-- [start:index]
    @app.route("/")
    def index():
        shelves = sorted({r["category"] for r in recipes.values()})
        return render_template("index.html", recipes=recipes, shelves=shelves)

    # --8<-- [end:index]

    # --8<-- [start:variables]
    # --8<-- [start:recipe]
    @app.route("/recipes/<int:recipe_id>/")
    def recipe(recipe_id):
        if recipe_id not in recipes:
            abort(404)
        return render_template("recipe.html", recipe=recipes[recipe_id])

    # --8<-- [end:recipe]

    @app.route("/tags/<tag>/")
    def tag(tag):
        found = [r for r in recipes.values() if tag in r["tags"]]
        return render_template("list.html", heading=f"Tagged {tag}", recipes=found)

    @app.route("/browse/<path:category>/")
    def browse(category):
        found = [r for r in recipes.values() if r["category"] == category]
        if not found:
            abort(404)
        return render_template("list.html", heading=f"In {category}", recipes=found)

    # --8<-- [end:variables]

    # --8<-- [start:methods]
    @app.route("/suggest/", methods=["GET", "POST"])
    def suggest():
        status, error = 200, None
        if request.method == "POST":
            dish = request.form.get("dish", "").strip()
            if dish:
                dishes.append(dish)
                return redirect(url_for("suggest"))
            status, error = 400, "Give the dish a name."
        return render_template("suggest.html", dishes=dishes, error=error), status

    # --8<-- [end:methods]

    # --8<-- [start:errors]
    @app.errorhandler(404)
    def page_not_found(error):
        return render_template("404.html"), 404

    # --8<-- [end:errors]

    return app
