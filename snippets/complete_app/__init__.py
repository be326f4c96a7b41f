"""A small notebook: accounts, and notes that only their author sees."""

import os

import click
from flask import Flask, redirect, url_for
from flask.cli import with_appcontext

from . import auth, notes
from .extensions import csrf, db, login_manager, migrate
from .models import User

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


# --8<-- [start:factory]
def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(SQLALCHEMY_DATABASE_URI="sqlite:///notebook.sqlite")
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY becomes SECRET_KEY
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: set FLASK_SECRET_KEY.")

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)  # `flask db upgrade` makes the tables
    csrf.init_app(app)
    login_manager.init_app(app)

    app.register_blueprint(auth.bp)
    app.register_blueprint(notes.bp)
    app.cli.add_command(add_user)

    @app.get("/")
    def home():
        return redirect(url_for("notes.index"))

    return app


# --8<-- [end:factory]


@click.command("add-user")
@click.argument("username")
@click.argument("password")
@with_appcontext
def add_user(username, password):
    """Create an account from the command line."""
    user = User(username=username)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Added {username}.")
