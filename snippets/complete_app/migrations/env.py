"""Run by Alembic for each `flask db` command, inside the app's context.

The database and the models come from the app itself, so the migrations
always run against what create_app() configured.
"""

from alembic import context
from flask import current_app

extension = current_app.extensions["migrate"]
metadata = extension.db.metadata
engine = extension.db.engine

if context.is_offline_mode():  # `flask db upgrade --sql` prints SQL instead
    context.configure(
        url=engine.url.render_as_string(hide_password=False),
        target_metadata=metadata,
        literal_binds=True,
        **extension.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=metadata, **extension.configure_args
        )
        with context.begin_transaction():
            context.run_migrations()
