"""Alembic environment: the database comes from the Storage, never from an ini file.

``Storage.create_schema`` hands over its open connection in ``config.attributes["connection"]``.
From the command line (``alembic revision --autogenerate -m …`` in the project folder) the URL is
``sqlalchemy.url`` if an ini file sets one, else the app's own: ``DATABASE_URL`` or
the SQLite file in the data directory.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from facilitator.storage import Base, default_url, make_engine, normalize_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or default_url()


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite can change a table only by copying it ("batch" mode).
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    url = normalize_url(_url())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
