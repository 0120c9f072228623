"""Piccolo tables, the engine seam, and the queries that return domain objects."""
