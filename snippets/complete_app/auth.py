"""The auth blueprint: register, sign in, sign out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from .extensions import db
from .models import User

bp = Blueprint("auth", __name__, url_prefix="/auth")


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


def is_safe(target):
    """A path on this site only: never send a visitor on to another host."""
    return target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc


# --8<-- [start:register]
@bp.route("/register/", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        if db.session.scalar(db.select(User).filter_by(username=form.username.data)):
            form.username.errors.append("That name is taken.")
        else:
            user = User(username=form.username.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
            flash("Your account is ready. Sign in.")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


# --8<-- [end:register]


# --8<-- [start:login]
@bp.route("/login/", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).filter_by(username=form.username.data))
        if user and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            target = request.args.get("next", "")
            return redirect(target if is_safe(target) else url_for("notes.index"))
        flash("Wrong username or password.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout/")
@login_required
def logout():
    logout_user()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


# --8<-- [end:login]
