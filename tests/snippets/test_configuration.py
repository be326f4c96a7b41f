import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snippets.configuration.app import create_app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "snippets" / "configuration"


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "test-key")
    return "test-key"


def test_production_settings_by_default(key, tmp_path):
    app = create_app(instance_path=tmp_path)
    assert app.config["CONFIG_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    assert app.debug is False


def test_development_settings_when_asked(key, monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_CONFIG", "development")
    app = create_app(instance_path=tmp_path)
    assert app.config["CONFIG_NAME"] == "development"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["TEMPLATES_AUTO_RELOAD"] is True


def test_unknown_config_name_is_refused(key, monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_CONFIG", "staging")
    with pytest.raises(RuntimeError, match="must be one of: development, production"):
        create_app(instance_path=tmp_path)


@pytest.mark.parametrize("config_name", ["development", "production"])
def test_every_environment_refuses_an_empty_key(monkeypatch, tmp_path, config_name):
    monkeypatch.setenv("FLASK_CONFIG", config_name)
    monkeypatch.setenv("FLASK_SECRET_KEY", "")
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(instance_path=tmp_path)


def test_environment_values_are_read_as_json(key, monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_ITEMS_PER_PAGE", "50")
    monkeypatch.setenv("FLASK_SESSION_COOKIE_SECURE", "false")
    app = create_app(instance_path=tmp_path)
    assert app.config["ITEMS_PER_PAGE"] == 50
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_instance_file_is_read_and_environment_wins_over_it(key, monkeypatch, tmp_path):
    (tmp_path / "settings.py").write_text("ITEMS_PER_PAGE = 7\nSECRET_KEY = 'from-file'\n")
    assert create_app(instance_path=tmp_path).config["ITEMS_PER_PAGE"] == 7
    monkeypatch.setenv("FLASK_ITEMS_PER_PAGE", "9")
    app = create_app(instance_path=tmp_path)
    assert app.config["ITEMS_PER_PAGE"] == 9
    assert app.config["SECRET_KEY"] == key


def test_instance_file_alone_can_hold_the_key(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    (tmp_path / "settings.py").write_text("SECRET_KEY = 'from-file'\n")
    assert create_app(instance_path=tmp_path).config["SECRET_KEY"] == "from-file"


def test_default_instance_folder_is_next_to_the_top_package(key):
    assert Path(create_app().instance_path) == ROOT / "instance"


def test_test_config_wins_over_everything(key, tmp_path):
    app = create_app({"ITEMS_PER_PAGE": 3, "TESTING": True}, instance_path=tmp_path)
    assert app.config["ITEMS_PER_PAGE"] == 3
    assert app.testing is True


def test_settings_route_shows_only_public_settings(key, tmp_path):
    response = create_app(instance_path=tmp_path).test_client().get("/settings")
    assert response.status_code == 200
    assert response.json == {
        "CONFIG_NAME": "production",
        "DEBUG": False,
        "TESTING": False,
        "SESSION_COOKIE_SECURE": True,
        "ITEMS_PER_PAGE": 20,
        "SECRET_KEY": "set (hidden)",
    }
    assert key not in response.get_data(as_text=True)


def test_settings_command_prints_the_same_report(key, tmp_path):
    app = create_app(instance_path=tmp_path)
    result = app.test_cli_runner().invoke(args=["settings"])
    assert result.exit_code == 0
    assert json.loads(result.output) == app.test_client().get("/settings").json


def flask_cli(*args, cwd, stdin=None, **env_vars):
    """Run the real `flask` command in ``cwd``, with the guide importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_flask_command_loads_dot_env(tmp_path):
    shutil.copy(EXAMPLE / ".env.example", tmp_path / ".env")
    result = flask_cli("settings", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["CONFIG_NAME"] == "development"
    assert report["DEBUG"] is True
    assert report["ITEMS_PER_PAGE"] == 5
    assert report["SESSION_COOKIE_SECURE"] is False


def test_flask_command_without_dot_env_refuses_to_start(tmp_path):
    result = flask_cli("--app", "snippets.configuration.app", "settings", cwd=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_flask_shell_reads_a_line_from_stdin_and_prints_the_instance_folder(tmp_path):
    result = flask_cli(
        "--app",
        "snippets.configuration.app",
        "shell",
        cwd=tmp_path,
        stdin="print(app.instance_path)\n",
        FLASK_SECRET_KEY="test-key",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f">>> {ROOT / 'instance'}\n>>>"
    assert f"Instance: {ROOT / 'instance'}" in result.stderr  # the shell's banner


def test_flask_shell_has_no_c_option(tmp_path):
    result = flask_cli(
        "--app", "snippets.configuration.app", "shell", "-c", "print(1)", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "No such option '-c'" in result.stderr
