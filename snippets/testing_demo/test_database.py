# --8<-- [start:crud]
from snippets.database.app import Book, db


def test_create_then_read(client):
    dune = {"title": "Dune", "author": "Frank Herbert"}
    response = client.post("/api/books", json=dune)
    assert response.status_code == 201
    book = client.get(response.headers["Location"]).json
    assert book["title"] == "Dune"
    assert book["read"] is False


def test_update_then_delete(client):
    dune = {"title": "Dune", "author": "Frank Herbert"}
    client.post("/api/books", json=dune)
    response = client.patch("/api/books/1", json={"read": True})
    assert response.json["read"] is True
    assert client.delete("/api/books/1").status_code == 204
    assert client.get("/api/books/1").status_code == 404


def test_a_bad_book_is_refused_and_not_stored(app, client):
    response = client.post("/api/books", json={"author": "Frank Herbert"})
    assert response.status_code == 400
    assert response.json["message"] == "'title' must be a non-empty string."
    with app.app_context():
        assert db.session.scalars(db.select(Book)).all() == []


# --8<-- [end:crud]


# --8<-- [start:fresh]
def test_each_test_gets_a_new_database(client):
    # The tests above added books. This one starts from an empty file again.
    assert client.get("/api/books").json == {"books": []}


# --8<-- [end:fresh]


# --8<-- [start:cli]
def test_init_db_command(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Created the tables." in result.output


def test_seed_command_adds_three_books(runner, client):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert len(client.get("/api/books").json["books"]) == 3


# --8<-- [end:cli]
