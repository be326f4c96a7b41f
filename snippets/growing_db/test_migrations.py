import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from snippets.growing_db.app import create_app, db


@pytest.fixture
def app(tmp_path):
    database = tmp_path / "test.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_migrations_build_what_the_models_describe(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.connect() as connection:
        options = {"compare_type": True}  # as Flask-Migrate sets it
        context = MigrationContext.configure(connection, opts=options)
        # What `flask db migrate` would write into a new script: nothing.
        assert compare_metadata(context, db.metadata) == []
