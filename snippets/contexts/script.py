"""Use the app with no request: push an app context yourself."""

from snippets.contexts.app import create_app, get_db


def main():
    app = create_app()
    with app.app_context():  # without it, get_db() fails: g needs a context
        (answer,) = get_db().execute("SELECT 6 * 7").fetchone()
    return answer, app.extensions["closed"]


if __name__ == "__main__":
    print(main())
