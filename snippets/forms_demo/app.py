"""A dinner invitation: a form that checks what guests type, then thanks them."""

from flask import Flask, flash, redirect, render_template, url_for
from flask_wtf import CSRFProtect, FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

csrf = CSRFProtect()


# --8<-- [start:form]
class ReplyForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=40)])
    guests = IntegerField(
        "Guests, you included",
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=6)],
    )
    vegetarian = BooleanField("Vegetarian menu")
    note = TextAreaField("Anything we should know?", validators=[Optional(), Length(max=200)])

    def validate_name(self, field):
        # A method named validate_<field> runs after that field's validators.
        if field.data.strip().lower() == "anonymous":
            raise ValidationError("Tell us who you are, so we can lay a place.")


# --8<-- [end:form]


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY becomes SECRET_KEY
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: set FLASK_SECRET_KEY.")
    csrf.init_app(app)
    replies = []  # one list per app; a real app keeps them in its database

    # --8<-- [start:view]
    @app.route("/reply/", methods=["GET", "POST"])
    def reply():
        form = ReplyForm()
        if form.validate_on_submit():  # a POST whose token and fields are valid
            replies.append((form.name.data, form.guests.data, form.vegetarian.data))
            flash(f"Thank you, {form.name.data}: we have laid {form.guests.data} places.")
            return redirect(url_for("reply"))  # redirect after POST
        # A GET, or a POST with errors: show the form, with its errors if any.
        return render_template("reply.html", form=form, count=len(replies))

    # --8<-- [end:view]

    return app
