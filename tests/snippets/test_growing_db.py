import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import click
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.cli import FlaskGroup
from sqlalchemy import Column, Integer, MetaData, func, inspect, select

from snippets.growing_db.app import SHELF, Author, create_app, db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path):
    return tmp_path / "library.db"


@pytest.fixture
def app(database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def flask_cmd(app):
    """Run `flask ARGS` in this process, as the site's build runs its setup."""
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return run


def test_only_the_test_runner_needs_with_appcontext(app, flask_cmd):
    """The page: `flask` gives an added command an app context; test_cli_runner() does not."""
    flask_cmd("db", "upgrade")
    flask_cmd("seed")

    @click.command("count")
    def count():  # no @with_appcontext
        click.echo(db.session.scalar(select(func.count(Author.id))))

    app.cli.add_command(count)
    runner = app.test_cli_runner()
    bare = runner.invoke(args=["count"])
    assert isinstance(bare.exception, RuntimeError)
    assert "Working outside of application context" in str(bare.exception)
    flask = FlaskGroup(create_app=lambda: app, load_dotenv=False, set_debug_flag=False)
    result = runner.invoke(flask, args=["count"])
    assert (result.exit_code, result.output) == (0, f"{len(SHELF)}\n")


@pytest.fixture
def client(app, flask_cmd):
    flask_cmd("db", "upgrade")
    flask_cmd("seed")
    return app.test_client()


def flask_process(*args, database):
    """The real `flask` command in its own process, the database named by the environment.

    Alembic prints what `db current` and `--sql` report to the stdout it saw at import.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["FLASK_SQLALCHEMY_DATABASE_URI"] = f'"sqlite:///{database}"'
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "snippets.growing_db.app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def tables(database):
    with closing(sqlite3.connect(database)) as conn:
        return {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }


def differences(app, metadata):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_makes_the_tables_and_records_the_revision(app, flask_cmd, database):
    flask_cmd("db", "upgrade")
    assert tables(database) == {"alembic_version", "author", "book"}
    assert flask_process("db", "current", database=database).strip() == "0002 (head)"


def test_the_comparison_finds_a_column_the_migrations_lack(app, flask_cmd):
    # snippets/growing_db/test_migrations.py checks that there is no difference;
    # this shows the check can fail: a model with one more column is one.
    flask_cmd("db", "upgrade")
    changed = MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["book"].append_column(Column("pages", Integer()))
    (difference,) = differences(app, changed)
    assert difference[0] == "add_column"
    assert (difference[2], difference[3].name) == ("book", "pages")


def test_the_second_migration_keeps_old_rows_and_gives_them_no_year(app, flask_cmd, database):
    flask_cmd("db", "upgrade", "0001")
    with closing(sqlite3.connect(database)) as conn:
        conn.execute("INSERT INTO author (id, name) VALUES (1, 'Mary Shelley')")
        conn.execute("INSERT INTO book (title, author_id) VALUES ('Frankenstein', 1)")
        conn.commit()
    flask_cmd("db", "upgrade")
    client = app.test_client()
    assert client.get("/books/1").json == {
        "id": 1,
        "title": "Frankenstein",
        "year": None,
        "author": "Mary Shelley",
    }


def test_downgrade_undoes_each_step(app, flask_cmd, database):
    flask_cmd("db", "upgrade")
    flask_cmd("db", "downgrade")  # one step: back to 0001
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("book")}
    assert columns == {"id", "title", "author_id"}
    flask_cmd("db", "downgrade", "base")
    assert tables(database) == {"alembic_version"}


def test_upgrade_sql_prints_the_sql_and_touches_nothing(database):
    sql = flask_process("db", "upgrade", "--sql", database=database)
    assert "CREATE TABLE author" in sql
    assert "ALTER TABLE book ADD COLUMN year INTEGER" in sql
    assert not database.exists()


def test_seed_adds_every_book(client):
    authors = client.get("/authors").json["authors"]
    assert authors == [
        {"id": 2, "name": "Terry Pratchett", "books": 2},
        {"id": 1, "name": "Ursula K. Le Guin", "books": 7},
    ]
    assert sum(a["books"] for a in authors) == sum(len(books) for books in SHELF.values())


def test_pages_walk_through_every_book_once_in_order(client):
    seen, url = [], "/authors/1/books"
    while url:
        body = client.get(url).json
        seen += [(b["year"], b["title"]) for b in body["books"]]
        url = body["next"]
    assert seen == sorted((year, title) for title, year in SHELF["Ursula K. Le Guin"])


def test_a_page_knows_its_neighbours(client):
    body = client.get("/authors/1/books?page=2").json
    assert (body["page"], body["pages"], body["total"]) == (2, 3, 7)
    assert body["prev"] == "/authors/1/books?page=1"
    assert body["next"] == "/authors/1/books?page=3"
    last = client.get("/authors/1/books?page=3").json
    assert [b["title"] for b in last["books"]] == ["The Other Wind"]
    assert last["next"] is None


@pytest.mark.parametrize("query", ["page=4", "page=0", "page=-1", "page=two"])
def test_a_page_outside_the_list_is_a_404(client, query):
    assert client.get(f"/authors/1/books?{query}").status_code == 404


def test_the_client_cannot_choose_the_page_size(client):
    assert len(client.get("/authors/1/books?per_page=500").json["books"]) == 3


def test_the_relationship_fills_in_the_author(client):
    response = client.post("/authors/2/books", json={"title": "Mort", "year": 1987})
    assert response.status_code == 201
    assert response.headers["Location"] == "/books/10"
    assert client.get("/books/10").json["author"] == "Terry Pratchett"
    assert client.get("/authors").json["authors"][0]["books"] == 3


def test_a_book_may_come_without_a_year(client):
    response = client.post("/authors/2/books", json={"title": "  Mort  "})
    assert response.json == {"id": 10, "title": "Mort", "year": None, "author": "Terry Pratchett"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"year": 1987}, "'title' must be a non-empty string."),
        ({"title": " "}, "'title' must be a non-empty string."),
        (["Mort"], "'title' must be a non-empty string."),
        ({"title": "Mort", "year": "1987"}, "'year' must be a whole number or left out."),
        ({"title": "Mort", "year": True}, "'year' must be a whole number or left out."),
    ],
)
def test_bad_books_are_refused(client, body, message):
    response = client.post("/authors/2/books", json=body)
    assert response.status_code == 400
    assert response.json == {"error": "Bad Request", "message": message}


@pytest.mark.parametrize("url", ["/authors/9/books", "/books/99"])
def test_unknown_rows_are_json_404s(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json["error"] == "Not Found"


def test_unknown_author_cannot_get_books(client):
    assert client.post("/authors/9/books", json={"title": "Mort"}).status_code == 404


def test_the_database_can_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", f'"sqlite:///{tmp_path / "env.db"}"')
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.db'}"


def test_a_click_command_without_with_appcontext_has_no_context(app):
    import click

    @click.command("count")
    def count():
        click.echo(db.session.scalar(db.select(db.func.count(Author.id))))

    app.cli.add_command(count)
    result = app.test_cli_runner().invoke(args=["count"])
    assert isinstance(result.exception, RuntimeError)
    assert "Working outside of application context" in str(result.exception)


def test_an_app_cli_command_gets_the_context_by_itself(app, flask_cmd):
    @app.cli.command("count")
    def count():
        print(db.session.scalar(db.select(db.func.count(Author.id))))

    flask_cmd("db", "upgrade")
    assert flask_cmd("count").strip() == "0"
