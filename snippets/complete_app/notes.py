"""The notes blueprint: a signed-in user's own notes."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .extensions import db
from .models import Note

bp = Blueprint("notes", __name__, url_prefix="/notes")


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=80)])
    body = TextAreaField("Note", validators=[DataRequired(), Length(max=2000)])


# --8<-- [start:notes]
@bp.get("/")
@login_required
def index():
    notes = db.session.scalars(
        db.select(Note).filter_by(author=current_user).order_by(Note.id.desc())
    )
    return render_template("notes/index.html", notes=notes)


@bp.route("/new/", methods=["GET", "POST"])
@login_required
def new():
    form = NoteForm()
    if form.validate_on_submit():
        note = Note(title=form.title.data, body=form.body.data, author=current_user)
        db.session.add(note)
        db.session.commit()
        flash(f"Saved “{note.title}”.")
        return redirect(url_for("notes.index"))  # redirect after POST
    return render_template("notes/new.html", form=form)


# --8<-- [end:notes]
