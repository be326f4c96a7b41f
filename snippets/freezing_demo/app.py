from flask import Flask, abort, render_template, request

# A small, fixed catalogue, newest first. A real site would read a database.
RECIPES = {
    "mint-tea": {"title": "Mint tea", "minutes": 5},
    "flatbread": {"title": "Flatbread", "minutes": 30},
    "lentil-soup": {"title": "Lentil soup", "minutes": 45},
}


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    # --8<-- [start:pages]
    @app.get("/")
    def index():
        # The home page links to the two newest recipes only.
        latest = list(RECIPES.items())[:2]
        return render_template("index.html", latest=latest)

    @app.get("/recipes/<slug>/")
    def recipe(slug):
        if slug not in RECIPES:
            abort(404)
        return render_template("recipe.html", recipe=RECIPES[slug])

    @app.get("/recipes.json")
    def recipes_json():
        return {"recipes": sorted(RECIPES)}

    # --8<-- [end:pages]

    # --8<-- [start:search]
    @app.get("/search/")
    def search():
        query = request.args.get("q", "").lower()
        titles = [recipe["title"] for recipe in RECIPES.values()]
        found = [t for t in titles if query and query in t.lower()]
        return render_template("search.html", query=query, found=found)

    # --8<-- [end:search]

    # --8<-- [start:subscribe]
    @app.post("/subscribe/")
    def subscribe():
        return {"subscribed": request.form.get("email", "")}, 201

    # --8<-- [end:subscribe]

    return app
