import json
import os

import click
from flask import Flask

from .settings import CONFIGS

# Settings safe to show: an allow-list, never the whole config.
PUBLIC_SETTINGS = (
    "CONFIG_NAME",
    "DEBUG",
    "TESTING",
    "SESSION_COOKIE_SECURE",
    "ITEMS_PER_PAGE",
)


# --8<-- [start:factory]
def create_app(test_config=None, instance_path=None):
    app = Flask(
        __name__,
        instance_path=instance_path,  # None: Flask picks its default place
        instance_relative_config=True,  # from_pyfile() reads from there
    )

    # 1. Defaults for the environment: production unless told otherwise.
    name = os.environ.get("FLASK_CONFIG", "production")
    if name not in CONFIGS:
        known = ", ".join(CONFIGS)
        raise RuntimeError(f"FLASK_CONFIG must be one of: {known}")
    app.config.from_object(CONFIGS[name])
    # 2. The instance folder: settings of this machine, never in git.
    app.config.from_pyfile("settings.py", silent=True)
    # 3. Environment variables: FLASK_ITEMS_PER_PAGE=50 sets ITEMS_PER_PAGE.
    app.config.from_prefixed_env()
    # 4. Settings a test passes in.
    if test_config:
        app.config.from_mapping(test_config)

    # --8<-- [start:refuse]
    if not app.config["SECRET_KEY"]:
        raise RuntimeError(
            "SECRET_KEY is not set. Set FLASK_SECRET_KEY to a long random"
            " value: python -c 'import secrets; print(secrets.token_hex())'"
        )
    # --8<-- [end:refuse]
    # --8<-- [end:factory]

    # --8<-- [start:report]
    def public_settings():
        report = {key: app.config.get(key) for key in PUBLIC_SETTINGS}
        report["SECRET_KEY"] = "set (hidden)"
        return report

    @app.get("/settings")
    def settings_report():
        return public_settings()

    @app.cli.command("settings")
    def print_settings():
        """Print the settings the app runs with (secrets hidden)."""
        click.echo(json.dumps(public_settings(), indent=2))

    # --8<-- [end:report]

    return app
