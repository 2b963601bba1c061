"""Alembic migrations of the database schema (see ``Storage.create_schema``)."""
