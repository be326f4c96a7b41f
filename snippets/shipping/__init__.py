from importlib.metadata import PackageNotFoundError, version

from flask import Flask

DISTRIBUTION = "fieldnotes"  # the name in pyproject.toml


def installed_version():
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "not installed"


# --8<-- [start:factory]
def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    @app.get("/health")
    def health():
        return {"status": "ok"}, 200, {"Cache-Control": "no-store"}

    @app.get("/about")
    def about():
        # __name__ is the name the package was imported by.
        return {"package": __name__, "version": installed_version()}

    return app


# --8<-- [end:factory]
