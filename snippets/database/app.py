import click
from flask import Flask, abort, render_template, request, url_for
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.exceptions import HTTPException


# --8<-- [start:model]
class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Book(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author: Mapped[str]
    read: Mapped[bool] = mapped_column(default=False)

    def to_dict(self):
        return {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "read": self.read,
        }


# --8<-- [end:model]


# --8<-- [start:validate]
def validated(data, *, partial=False):
    """The checked fields of a JSON body; partial: fields may be left out."""
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object.")
    fields = {}
    for name in ("title", "author"):
        if partial and name not in data:
            continue
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            abort(400, description=f"'{name}' must be a non-empty string.")
        fields[name] = value.strip()
    if "read" in data:
        if not isinstance(data["read"], bool):
            abort(400, description="'read' must be true or false.")
        fields["read"] = data["read"]
    return fields


# --8<-- [end:validate]


# --8<-- [start:factory]
def create_app(test_config=None):
    app = Flask(__name__)
    # A relative SQLite path is a file in the app's instance folder.
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"
    if test_config:
        app.config.update(test_config)
    db.init_app(app)
    # --8<-- [end:factory]

    # --8<-- [start:commands]
    @app.cli.command("init-db")
    def init_db():
        """Drop every table and create it again, empty."""
        db.drop_all()
        db.create_all()
        click.echo("Created the tables.")

    @app.cli.command("seed")
    def seed():
        """Add three books."""
        db.session.add_all(
            [
                Book(title="The Mythical Man-Month", author="Fred Brooks"),
                Book(title="Fluent Python", author="Luciano Ramalho"),
                Book(title="Refactoring", author="Martin Fowler", read=True),
            ]
        )
        db.session.commit()
        click.echo("Added 3 books.")

    # --8<-- [end:commands]

    # --8<-- [start:read]
    def find_book(book_id):
        message = f"There is no book {book_id}."
        return db.get_or_404(Book, book_id, description=message)

    @app.get("/")
    def index():
        books = db.session.scalars(db.select(Book).order_by(Book.title))
        return render_template("books.html", books=books)

    @app.get("/api/books")
    def list_books():
        books = db.session.scalars(db.select(Book).order_by(Book.id))
        return {"books": [book.to_dict() for book in books]}

    @app.get("/api/books/<int:book_id>")
    def get_book(book_id):
        return find_book(book_id).to_dict()

    # --8<-- [end:read]

    # --8<-- [start:write]
    @app.post("/api/books")
    def create_book():
        book = Book(**validated(request.get_json(silent=True)))
        db.session.add(book)
        db.session.commit()
        location = url_for("get_book", book_id=book.id)
        return book.to_dict(), 201, {"Location": location}

    @app.patch("/api/books/<int:book_id>")
    def update_book(book_id):
        book = find_book(book_id)
        data = request.get_json(silent=True)
        for name, value in validated(data, partial=True).items():
            setattr(book, name, value)
        db.session.commit()
        return book.to_dict()

    @app.delete("/api/books/<int:book_id>")
    def delete_book(book_id):
        db.session.delete(find_book(book_id))
        db.session.commit()
        return "", 204

    # --8<-- [end:write]

    # --8<-- [start:errors]
    @app.errorhandler(HTTPException)
    def error_as_json(error):
        body = {"error": error.name, "message": error.description}
        # Keep headers such as Allow on a 405, but not the HTML content type.
        headers = [h for h in error.get_headers() if h[0] != "Content-Type"]
        return body, error.code, headers

    # --8<-- [end:errors]

    return app
