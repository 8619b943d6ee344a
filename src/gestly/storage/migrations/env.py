"""Alembic's entry point. Gestly runs it on a connection it opened itself, passed in
``config.attributes["connection"]`` by ``gestly.storage.migrate``."""

from alembic import context

from gestly.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
