import pytest

from snippets.database.app import create_app, db


@pytest.fixture
def app(tmp_path):
    """The reading list app, with a new, empty SQLite file for each test."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()  # close SQLite's connections before tmp_path goes


@pytest.fixture
def client(app):
    """Sends requests to the app, without a server."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs the app's CLI commands, as `flask <command>` would."""
    return app.test_cli_runner()
