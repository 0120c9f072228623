"""Piccolo migrations for the `apuri` app; each runs unchanged on SQLite and PostgreSQL."""
