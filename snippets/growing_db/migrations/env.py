"""Alembic runs this for every `flask db` command, inside the app's context."""

from alembic import context
from flask import current_app

config = context.config
db = current_app.extensions["migrate"].db
# The app's own database and models: migrations never need a second config.
url = db.engine.url.render_as_string(hide_password=False)
options = {
    "target_metadata": db.metadata,  # what `flask db migrate` compares
    # Flask-Migrate's settings: compare column types, batch mode
    **current_app.extensions["migrate"].configure_args,
}

if context.is_offline_mode():  # `flask db upgrade --sql`: print the SQL only
    context.configure(url=url, literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()
else:
    with db.engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
