import pytest
from flask import Flask

from snippets.database.app import Book, create_app, db


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["seed"]).exit_code == 0
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def test_database_file_comes_from_config(app, tmp_path):
    with app.app_context():
        assert db.engine.url.database == f"{tmp_path}/t.db"
    assert (tmp_path / "t.db").is_file()


def test_default_database_is_app_db_in_the_instance_folder(monkeypatch, tmp_path):
    # Point the instance folder at tmp_path, so the test writes nothing into the project.
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    app = create_app()
    with app.app_context():
        assert db.engine.url.database == str(tmp_path / "instance" / "app.db")
        db.engine.dispose()


def test_init_db_empties_the_tables(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert "Created the tables." in result.output
    with app.app_context():
        assert db.session.scalars(db.select(Book)).all() == []


def test_seed_adds_three_books(app, client):
    books = client.get("/api/books").json["books"]
    assert [book["id"] for book in books] == [1, 2, 3]
    assert [book["read"] for book in books] == [False, False, True]


def test_index_lists_books_by_title(client):
    page = client.get("/").get_data(as_text=True)
    assert page.index("Fluent Python") < page.index("Refactoring by Martin Fowler (read)")
    assert page.index("Refactoring") < page.index("The Mythical Man-Month")
    assert 'href="/api/books"' in page


def test_index_without_books(app, client):
    app.test_cli_runner().invoke(args=["init-db"])
    assert "No books yet." in client.get("/").get_data(as_text=True)


def test_gets_one_book(client):
    assert client.get("/api/books/2").json["title"] == "Fluent Python"


def test_missing_book_is_a_json_404(client):
    for response in (
        client.get("/api/books/99"),
        client.patch("/api/books/99", json={"read": True}),
        client.delete("/api/books/99"),
    ):
        assert response.status_code == 404
        assert response.json == {"error": "Not Found", "message": "There is no book 99."}


def test_creates_a_book_and_stores_it(client):
    response = client.post("/api/books", json={"title": " Dune ", "author": "Frank Herbert"})
    assert response.status_code == 201
    assert response.json == {"id": 4, "title": "Dune", "author": "Frank Herbert", "read": False}
    assert response.headers["Location"] == "/api/books/4"
    assert client.get("/api/books/4").json["title"] == "Dune"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["Dune"], "Send a JSON object."),
        ({"author": "Frank Herbert"}, "'title' must be a non-empty string."),
        ({"title": "Dune", "author": "  "}, "'author' must be a non-empty string."),
        ({"title": "Dune", "author": "F. H.", "read": "yes"}, "'read' must be true or false."),
    ],
)
def test_rejects_a_bad_book(client, body, message):
    response = client.post("/api/books", json=body)
    assert response.status_code == 400
    assert response.json == {"error": "Bad Request", "message": message}
    assert len(client.get("/api/books").json["books"]) == 3


def test_patch_changes_only_the_fields_sent(client):
    response = client.patch("/api/books/1", json={"read": True})
    assert response.status_code == 200
    assert response.json["read"] is True
    assert response.json["title"] == "The Mythical Man-Month"
    assert client.get("/api/books/1").json["read"] is True


def test_patch_validates_what_it_gets(client):
    response = client.patch("/api/books/1", json={"title": ""})
    assert response.status_code == 400
    assert client.get("/api/books/1").json["title"] == "The Mythical Man-Month"


def test_deletes_a_book(client):
    response = client.delete("/api/books/3")
    assert response.status_code == 204
    assert response.data == b""
    assert client.get("/api/books/3").status_code == 404


def test_wrong_method_keeps_the_allow_header(client):
    response = client.put("/api/books/1", json={})
    assert response.status_code == 405
    assert "PATCH" in response.headers["Allow"]


def test_each_app_has_its_own_database(tmp_path):
    first = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/b.db"})
    for app in (first, second):
        app.test_cli_runner().invoke(args=["init-db"])
    first.test_client().post("/api/books", json={"title": "Dune", "author": "Frank Herbert"})
    assert len(second.test_client().get("/api/books").json["books"]) == 0
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_not_null_refuses_none_but_stores_an_empty_title(app):
    # What docs/database.md says of Mapped[str]: NOT NULL is not "not empty".
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(Book(title="", author="Frank Herbert"))
        db.session.commit()
        stored = db.session.scalars(db.select(Book).where(Book.title == "")).one()
        assert stored.author == "Frank Herbert"
        db.session.add(Book(title=None, author="Frank Herbert"))
        with pytest.raises(IntegrityError, match=r"NOT NULL constraint failed: book\.title"):
            db.session.commit()
        db.session.rollback()
