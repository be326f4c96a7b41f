import functools

from flask import Flask, redirect, render_template, session, url_for
from flask_wtf import CSRFProtect, FlaskForm
from markupsafe import Markup, escape
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

csrf = CSRFProtect()

# Password hashes only, never passwords. Real apps keep users in a database.
USERS = {
    "ada": "scrypt:32768:8:1$paA7YGU7TXThXiKo$ac8c2d41e7016b3ec76fd05ef80eb0"
    "badc1accf06f7e0fdb940951a3ea80dd1147f620ae4bce1d434e35706a61b48bf075efb"
    "ed920e6d81c59365f701e5003e6",
}

# --8<-- [start:headers]
SECURITY_HEADERS = {
    # Scripts, styles and images from this site only; no plugins; no frames.
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    # Trust the Content-Type header; never guess a type from the content.
    "X-Content-Type-Options": "nosniff",
    # No framing, for browsers that do not know frame-ancestors.
    "X-Frame-Options": "DENY",
    # Other sites see where a visitor came from, not the full URL.
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# --8<-- [end:headers]


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def create_app(test_config=None):
    # --8<-- [start:config]
    app = Flask(__name__)
    app.config.from_mapping(
        SESSION_COOKIE_SECURE=True,  # the browser sends it over HTTPS only
        SESSION_COOKIE_HTTPONLY=True,  # JavaScript cannot read it (default)
        SESSION_COOKIE_SAMESITE="Lax",  # not sent with cross-site POSTs
    )
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY becomes SECRET_KEY
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: set FLASK_SECRET_KEY.")
    csrf.init_app(app)  # POST, PUT, PATCH and DELETE now need a token
    # --8<-- [end:config]

    # --8<-- [start:after_request]
    @app.after_request
    def set_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    # --8<-- [end:after_request]

    # --8<-- [start:escaping]
    comments = [
        {"author": "ada", "text": "Flask escapes whatever I type."},
        {"author": "mallory", "text": '<script>alert("cookies")</script>'},
    ]

    @app.get("/")
    def index():
        # Markup marks text as safe HTML: only for text you wrote yourself.
        notice = Markup("Comments are <strong>moderated</strong>.")
        return render_template("index.html", comments=comments, notice=notice)

    # --8<-- [end:escaping]

    # --8<-- [start:escape]
    @app.get("/latest/")
    def latest():
        # No template here, so escape() every value that came from outside.
        c = comments[-1]
        return f"<p><b>{escape(c['author'])}</b>: {escape(c['text'])}</p>"

    # --8<-- [end:escape]

    # --8<-- [start:login]
    def login_required(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            if "user" not in session:
                return redirect(url_for("login"))
            return view(**kwargs)

        return wrapped

    @app.route("/login/", methods=["GET", "POST"])
    def login():
        form = LoginForm()
        error = None
        if form.validate_on_submit():  # a POST, token and fields all valid
            stored = USERS.get(form.username.data)
            if stored and check_password_hash(stored, form.password.data):
                session.clear()  # a fresh session for the new login
                session["user"] = form.username.data
                return redirect(url_for("account"))
            error = "Wrong username or password."
        return render_template("login.html", form=form, error=error)

    @app.get("/account/")
    @login_required
    def account():
        return render_template("account.html", user=session["user"])

    @app.post("/logout/")
    def logout():
        session.clear()
        return redirect(url_for("login"))

    # --8<-- [end:login]

    return app
