"""Input that breaks a library below the edge, answered in words instead of a 500: JSON nested too deeply (the
decoder runs out of stack), a date so far off that arithmetic on it overflows, a path with a NUL byte (the file
system refuses it). Anything else of the same exception type is still an internal error."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from server.http.errors import internal_error, problem


def recursion_error(request: Request[Any, Any, Any], exc: RecursionError) -> Response[dict[str, Any]]:
    if "deserializ" in str(exc):
        return problem(400, "The JSON is nested too deeply.", code="json_too_deep")
    return internal_error(request, exc)


def overflow_error(request: Request[Any, Any, Any], exc: OverflowError) -> Response[dict[str, Any]]:
    if "date" in str(exc):
        return problem(422, "That date is too far away.", code="date_out_of_range")
    return internal_error(request, exc)


def value_error(request: Request[Any, Any, Any], exc: ValueError) -> Response[dict[str, Any]]:
    if "null byte" in str(exc):
        return problem(404, "Nothing here. Check the address.", code="not_found")
    return internal_error(request, exc)
