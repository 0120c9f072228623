"""Domain errors. The HTTP layer maps each to an RFC 9457 problem-details answer with its status."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, code: str = "", extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.extra = extra or {}


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"


class NotAuthenticated(DomainError):
    status = 401
    title = "Sign-in needed"


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, code: str = "") -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after
