"""Litestar controllers per area, msgspec schemas, the access guard and error mapping."""
