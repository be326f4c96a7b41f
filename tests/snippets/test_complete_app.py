"""The complete app: factory, blueprints, migrations, sign-in, forms, deployment."""

import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData

from snippets.complete_app import create_app, db
from snippets.complete_app.auth import is_safe
from snippets.complete_app.models import Note, User

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "snippets" / "complete_app"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def database(tmp_path):
    return tmp_path / "notebook.sqlite"


@pytest.fixture
def app(database):
    app = create_app({"SECRET_KEY": "test-key", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    yield app
    with app.app_context():
        db.engine.dispose()


def flask_cmd(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def client(app):
    flask_cmd(app, "db", "upgrade")
    assert flask_cmd(app, "add-user", "ada", PASSWORD) == "Added ada.\n"
    return app.test_client()


def post(client, path, **fields):
    """Send the form of the page at ``path`` with its CSRF token, as a browser does."""
    page = client.get(path).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return client.post(path, data={"csrf_token": token, **fields})


def sign_in(client, username="ada", password=PASSWORD):
    return post(client, "/auth/login/", username=username, password=password)


def differences(app, metadata):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


# Migrations ----------------------------------------------------------------------


def test_the_migrations_build_what_the_models_describe(app):
    flask_cmd(app, "db", "upgrade")
    assert differences(app, db.metadata) == []


def test_the_comparison_sees_a_column_the_migrations_lack(app):
    flask_cmd(app, "db", "upgrade")
    changed = MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["note"].append_column(Column("stars", Integer()))
    (difference,) = differences(app, changed)
    assert (difference[0], difference[2], difference[3].name) == ("add_column", "note", "stars")


def test_upgrade_and_downgrade(app, database):
    flask_cmd(app, "db", "upgrade")
    with closing(sqlite3.connect(database)) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"alembic_version", "user", "note"}
    flask_cmd(app, "db", "downgrade", "base")
    with closing(sqlite3.connect(database)) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"alembic_version"}


def test_upgrade_sql_prints_sql_and_touches_nothing(database):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env |= {"FLASK_SECRET_KEY": "k", "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "snippets.complete_app", "db", "upgrade", "--sql"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE note" in result.stdout
    assert not database.exists()


# The factory ---------------------------------------------------------------------


def test_without_a_secret_key_the_factory_refuses(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set: set FLASK_SECRET_KEY"):
        create_app()


def test_the_factory_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///notebook.sqlite"


def test_both_blueprints_are_registered(app):
    assert set(app.blueprints) == {"auth", "notes"}


# Accounts ------------------------------------------------------------------------


def test_strangers_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.headers["Location"] == "/notes/"
    response = client.get("/notes/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login/?next=%2Fnotes%2F"


def test_register_stores_a_pbkdf2_hash(app, client):
    response = post(
        client, "/auth/register/", username="grace", password=PASSWORD, confirm=PASSWORD
    )
    assert response.headers["Location"] == "/auth/login/"
    assert "Your account is ready. Sign in." in client.get("/auth/login/").text
    with app.app_context():
        grace = db.session.scalar(db.select(User).filter_by(username="grace"))
    assert grace.password_hash.startswith("pbkdf2:sha256:")
    assert PASSWORD not in grace.password_hash


def test_a_taken_name_is_refused(client):
    response = post(client, "/auth/register/", username="ada", password=PASSWORD, confirm=PASSWORD)
    assert response.status_code == 200
    assert "That name is taken." in response.text


def test_bad_registrations_show_errors_next_to_fields(client):
    response = post(client, "/auth/register/", username="Ada!", password="short", confirm="x")
    assert "Use lower-case letters, digits and _ only." in response.text
    assert "Field must be at least 12 characters long." in response.text
    assert "The passwords differ." in response.text


def test_a_post_without_the_csrf_token_is_refused(client):
    response = client.post("/auth/login/", data={"username": "ada", "password": PASSWORD})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


def test_sign_in_lands_on_the_notes(client):
    response = sign_in(client)
    assert response.headers["Location"] == "/notes/"
    assert "ada\u2019s notes" in client.get("/notes/").text


def test_sign_in_follows_a_safe_next_only(client):
    page = client.get("/auth/login/?next=/notes/new/").text
    token = re.search(r'value="([^"]+)"', page)[1]
    fields = {"csrf_token": token, "username": "ada", "password": PASSWORD}
    response = client.post("/auth/login/?next=/notes/new/", data=fields)
    assert response.headers["Location"] == "/notes/new/"
    response = client.post("/auth/login/?next=//evil.example/", data=fields)
    assert response.headers["Location"] == "/notes/"


@pytest.mark.parametrize(
    ("target", "safe"),
    [("/notes/", True), ("//evil.example/", False), ("https://evil.example/", False), ("", False)],
)
def test_is_safe(target, safe):
    assert is_safe(target) is safe


def test_a_wrong_password_is_refused(client):
    response = sign_in(client, password="wrong password!")
    assert response.status_code == 200
    assert "Wrong username or password." in response.text


def test_sign_out(client):
    sign_in(client)
    page = client.get("/notes/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post("/auth/logout/", data={"csrf_token": token})
    assert response.headers["Location"] == "/auth/login/"
    assert client.get("/notes/").status_code == 302


# Notes ---------------------------------------------------------------------------


def test_a_new_account_has_no_notes(client):
    sign_in(client)
    assert "No notes yet." in client.get("/notes/").text


def test_a_note_is_saved_and_listed_newest_first(app, client):
    sign_in(client)
    post(client, "/notes/new/", title="First", body="one")
    response = post(client, "/notes/new/", title="Second", body="two")
    assert response.headers["Location"] == "/notes/"
    page = client.get("/notes/").text
    assert "Saved “Second”." in page
    assert page.index("Second") < page.index("First")
    with app.app_context():
        (note, _) = db.session.scalars(db.select(Note).order_by(Note.id.desc()))
        assert (note.author.username, note.body) == ("ada", "two")


def test_an_empty_note_is_refused(client):
    sign_in(client)
    response = post(client, "/notes/new/", title="", body="")
    assert response.status_code == 200
    assert response.text.count("This field is required.") == 2


def test_each_user_sees_only_their_notes(app, client):
    flask_cmd(app, "add-user", "grace", PASSWORD)
    sign_in(client)
    post(client, "/notes/new/", title="Ada's secret", body="x")
    other = app.test_client()
    sign_in(other, "grace")
    assert "Ada&#39;s secret" not in other.get("/notes/").text
    assert "Ada&#39;s secret" in client.get("/notes/").text


# Deployment ----------------------------------------------------------------------


def deploy_commands():
    text = (EXAMPLE / "DEPLOY.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```bash\n(.*?)```", text, re.S)
    return [shlex.split(line) for line in block.splitlines()]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_deploy_commands_serve_the_app(tmp_path):
    exports, uri_line, upgrade, serve = deploy_commands()
    # The two settings the factory reads from the environment, FLASK_ prefix and all.
    assert [exports[1].split("=")[0], uri_line[1].split("=")[0]] == [
        "FLASK_SECRET_KEY",
        "FLASK_SQLALCHEMY_DATABASE_URI",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["FLASK_SECRET_KEY"] = "deploy-test-key"
    env["FLASK_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'notebook.sqlite'}"
    bindir = Path(sys.executable).parent
    upgrade[0] = str(bindir / upgrade[0])
    subprocess.run(upgrade, cwd=ROOT, env=env, check=True, timeout=60, capture_output=True)
    port = free_port()
    assert serve[serve.index("--bind") + 1] == "127.0.0.1:8000"
    serve[serve.index("--bind") + 1] = f"127.0.0.1:{port}"
    serve[0] = str(bindir / serve[0])
    with subprocess.Popen(
        serve, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as server:
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login/") as r:
                        body = r.read().decode()
                    break
                except OSError:
                    assert server.poll() is None, server.stderr.read().decode()
                    assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                    time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert "<h1>Sign in</h1>" in body
