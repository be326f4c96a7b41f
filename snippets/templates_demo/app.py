from flask import Flask, render_template


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    # --8<-- [start:whitespace]
    # Drop the blank lines Jinja leaves where {% ... %} tags stood.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # --8<-- [end:whitespace]

    # --8<-- [start:views]
    # As if visitors had typed these into a form. The last one is hostile.
    entries = [
        {"name": "ada lovelace", "message": "Lovely little site!"},
        {"name": "grace hopper", "message": "Templates keep HTML out of Python."},
        {"name": "mallory", "message": "<script>alert(1)</script>"},
    ]

    @app.get("/")
    def guestbook():
        return render_template("guestbook.html", entries=entries)

    @app.get("/about/")
    def about():
        return render_template("about.html")

    # --8<-- [end:views]

    return app
