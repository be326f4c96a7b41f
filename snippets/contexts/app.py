import sqlite3
import threading

from flask import Flask, current_app, g, request


# --8<-- [start:db]
def get_db():
    """One connection per app context, opened the first time a view asks."""
    if "db" not in g:
        g.db = sqlite3.connect(":memory:")
        current_app.extensions["opened"] += 1
    return g.db


def close_db(exception):
    """Runs when the app context ends: after each request, even one that failed."""
    db = g.pop("db", None)
    if db is not None:
        db.close()
        current_app.extensions["closed"].append(g.get("label", "no request"))


# --8<-- [end:db]


# --8<-- [start:thread]
def greeting_from_a_thread(app=None):
    """Read the config in a new thread, with or without handing it the app."""
    answer = {}

    def work():
        try:
            if app is None:
                answer["greeting"] = current_app.config["GREETING"]
            else:
                with app.app_context():  # the fix: a context of its own
                    answer["greeting"] = current_app.config["GREETING"]
        except RuntimeError as error:
            answer["error"] = str(error).splitlines()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return answer


# --8<-- [end:thread]


def create_app(test_config=None):
    # --8<-- [start:factory]
    app = Flask(__name__)
    app.config["GREETING"] = "Hello from the config"
    if test_config:
        app.config.update(test_config)
    app.extensions["opened"] = 0  # counters the pages below report
    app.extensions["closed"] = []

    @app.before_request
    def label_the_request():
        g.label = f"{request.method} {request.path}"  # g: one per request

    app.teardown_appcontext(close_db)
    # --8<-- [end:factory]

    # --8<-- [start:views]
    @app.get("/hello")
    def index():
        return {
            "app": current_app.name,  # the app handling this request
            "greeting": current_app.config["GREETING"],
            "label": g.label,  # set by before_request for this request
            "url": request.url,
        }

    @app.get("/query")
    def query():
        db = get_db()
        same = db is get_db()  # a second call reuses the connection in g
        (answer,) = db.execute("SELECT 6 * 7").fetchone()
        return {"answer": answer, "same_connection": same}

    @app.get("/connections")
    def connections():
        return {
            "opened": current_app.extensions["opened"],
            "closed": current_app.extensions["closed"],  # by close_db, in order
        }

    # --8<-- [end:views]

    # --8<-- [start:fails]
    @app.post("/fails")
    def fails():
        get_db()
        raise ZeroDivisionError("a bug, after the connection was opened")

    # --8<-- [end:fails]

    # --8<-- [start:thread_views]
    @app.get("/thread/without-context")
    def thread_without_context():
        return greeting_from_a_thread()

    @app.get("/thread/with-context")
    def thread_with_context():
        # current_app is a proxy; the thread needs the real app object.
        return greeting_from_a_thread(current_app._get_current_object())

    # --8<-- [end:thread_views]

    return app
