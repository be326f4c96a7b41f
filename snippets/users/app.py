"""Accounts for a small site: register, sign in, stay signed in, sign out."""

from urllib.parse import urlsplit

import click
from flask import Flask, flash, redirect, render_template, request, url_for
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect, FlaskForm
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from .peek import peek

db = SQLAlchemy()
csrf = CSRFProtect()
login_manager = LoginManager()

# --8<-- [start:model]
# PBKDF2-HMAC-SHA256 with Werkzeug's own iteration count. Werkzeug's
# default is scrypt; PBKDF2 is its other method, the one NIST SP 800-132
# specifies, which some teams are required to use.
HASH_METHOD = "pbkdf2"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))

    def set_password(self, password):
        # A new random salt every time: equal passwords get different hashes.
        self.password_hash = generate_password_hash(password, method=HASH_METHOD)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


# --8<-- [end:model]


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired(),
            Length(max=30),
            Regexp(r"^[a-z0-9_]+$", message="Use lower-case letters, digits and _ only."),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(min=12)])
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", message="The passwords differ.")]
    )


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")


# --8<-- [start:login_manager]
login_manager.login_view = "login"  # where @login_required sends strangers
login_manager.login_message = "Sign in to see that page."


@login_manager.user_loader
def load_user(user_id):
    # Flask-Login keeps only the id in the session; this turns it back into a user.
    return db.session.get(User, int(user_id))


# --8<-- [end:login_manager]


def is_safe(target):
    """A path on this site only: never send a visitor on to another host."""
    parts = urlsplit(target)
    return target.startswith("/") and not target.startswith("//") and not parts.netloc


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(SQLALCHEMY_DATABASE_URI="sqlite:///users.sqlite")
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY becomes SECRET_KEY
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: set FLASK_SECRET_KEY.")
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_blueprint(peek)
    with app.app_context():
        db.create_all()

    @app.cli.command("add-user")
    @click.argument("username")
    @click.argument("password")
    def add_user(username, password):
        """Create an account (the build signs in with it)."""
        user = User(username=username)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Added {username}.")

    @app.get("/")
    def home():
        return render_template("home.html")

    # --8<-- [start:register]
    @app.route("/register/", methods=["GET", "POST"])
    def register():
        form = RegisterForm()
        if form.validate_on_submit():
            if db.session.scalar(db.select(User).filter_by(username=form.username.data)):
                form.username.errors.append("That name is taken.")
            else:
                user = User(username=form.username.data)
                user.set_password(form.password.data)  # the password itself is never stored
                db.session.add(user)
                db.session.commit()
                flash("Your account is ready. Sign in.")
                return redirect(url_for("login"))
        return render_template("register.html", form=form)

    # --8<-- [end:register]

    # --8<-- [start:login]
    @app.route("/login/", methods=["GET", "POST"])
    def login():
        form = LoginForm()
        if form.validate_on_submit():
            user = db.session.scalar(db.select(User).filter_by(username=form.username.data))
            if user and user.check_password(form.password.data):
                login_user(user, remember=form.remember.data)
                target = request.args.get("next", "")
                return redirect(target if is_safe(target) else url_for("account"))
            # The same words whether the name or the password was wrong.
            flash("Wrong username or password.")
        return render_template("login.html", form=form)

    @app.get("/account/")
    @login_required
    def account():
        method = current_user.password_hash.split("$", 1)[0]
        return render_template("account.html", method=method)

    @app.post("/logout/")
    @login_required
    def logout():
        logout_user()  # also clears the remember-me cookie
        flash("You are signed out.")
        return redirect(url_for("home"))

    # --8<-- [end:login]

    return app
