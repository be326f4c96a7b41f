import os

import click
from flask import Flask, abort, request, url_for
from flask.cli import with_appcontext
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.exceptions import HTTPException

# The migration scripts live next to this file, in migrations/.
MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=MIGRATIONS)  # adds the `flask db` commands


# --8<-- [start:models]
class Author(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    # One author, many books: a list on this side...
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    year: Mapped[int | None]  # added by the second migration; old rows have none
    # ...and one author on this side, stored as the author's id.
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"), index=True)
    author: Mapped[Author] = relationship(back_populates="books")


# --8<-- [end:models]


# --8<-- [start:seed]
SHELF = {
    "Ursula K. Le Guin": [
        ("A Wizard of Earthsea", 1968),
        ("The Left Hand of Darkness", 1969),
        ("The Tombs of Atuan", 1971),
        ("The Farthest Shore", 1972),
        ("The Dispossessed", 1974),
        ("Tehanu", 1990),
        ("The Other Wind", 2001),
    ],
    "Terry Pratchett": [("Guards! Guards!", 1989), ("Small Gods", 1992)],
}


@click.command("seed")
@with_appcontext  # `flask seed` has an app context; app.test_cli_runner() needs this
def seed_command():
    """Add two authors and their books."""
    for name, books in SHELF.items():
        author = Author(name=name)
        # Appending to the list sets each book's author_id on commit.
        author.books.extend(Book(title=title, year=year) for title, year in books)
        db.session.add(author)
    db.session.commit()
    click.echo(f"Added {len(SHELF)} authors.")


# --8<-- [end:seed]


def book_json(book):
    return {
        "id": book.id,
        "title": book.title,
        "year": book.year,
        "author": book.author.name,  # the relationship, from the book's side
    }


def create_app(test_config=None):
    # --8<-- [start:factory]
    app = Flask(__name__)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI="sqlite:///library.db",  # in the instance folder
        BOOKS_PER_PAGE=3,
    )
    app.config.from_prefixed_env()  # FLASK_SQLALCHEMY_DATABASE_URI=... on a server
    if test_config:
        app.config.update(test_config)
    db.init_app(app)
    migrate.init_app(app, db)  # no create_all(): `flask db upgrade` makes the tables
    app.cli.add_command(seed_command)
    # --8<-- [end:factory]

    # --8<-- [start:authors]
    @app.get("/authors")
    def authors():
        rows = db.session.scalars(db.select(Author).order_by(Author.name))
        return {"authors": [{"id": a.id, "name": a.name, "books": len(a.books)} for a in rows]}

    @app.get("/books/<int:book_id>")
    def book(book_id):
        return book_json(db.get_or_404(Book, book_id))

    # --8<-- [end:authors]

    # --8<-- [start:paginate]
    @app.get("/authors/<int:author_id>/books")
    def books_by(author_id):
        author = db.get_or_404(Author, author_id)
        query = (
            db.select(Book)
            .where(Book.author == author)
            .order_by(Book.year, Book.title)  # pages need a fixed order
        )
        # Reads ?page= from the URL; a page past the end is a 404.
        page = db.paginate(query, per_page=app.config["BOOKS_PER_PAGE"])

        def link(number):
            if number is None:
                return None
            return url_for("books_by", author_id=author_id, page=number)

        return {
            "author": author.name,
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
            "books": [book_json(b) for b in page.items],
            "next": link(page.next_num),
            "prev": link(page.prev_num),
        }

    # --8<-- [end:paginate]

    # --8<-- [start:create]
    @app.post("/authors/<int:author_id>/books")
    def add_book(author_id):
        author = db.get_or_404(Author, author_id)
        data = request.get_json(silent=True)
        title = data.get("title") if isinstance(data, dict) else None
        year = data.get("year") if isinstance(data, dict) else None
        if not isinstance(title, str) or not title.strip():
            abort(400, "'title' must be a non-empty string.")
        if year is not None and type(year) is not int:
            abort(400, "'year' must be a whole number or left out.")
        book = Book(title=title.strip(), year=year)
        author.books.append(book)  # the relationship fills in author_id
        db.session.commit()
        return book_json(book), 201, {"Location": url_for("book", book_id=book.id)}

    # --8<-- [end:create]

    @app.errorhandler(HTTPException)
    def error_as_json(error):
        return {"error": error.name, "message": error.description}, error.code

    return app
