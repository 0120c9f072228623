"""The OpenAPI document says what the API really does: every error a route can give, as problem details with the
codes it can carry; times of day as times; public routes without the cookie; request bodies that refuse
unknown fields.

Litestar documents a 400 in its own (unused) error format and nothing else, types `datetime.time` as a
duration, and cannot know which routes are public or what the domain errors are. `refine` corrects the
generated document once, when the app is built. The codes each route can give are read from the source
(`server/http/error_codes.py`), grouped by the status they travel with.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
)
from litestar.routes import HTTPRoute

from server.http import error_codes
from server.http.error_codes import codes_by_status
from server.http.errors import PROBLEM_JSON

TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$"
WITH_BODY = ("POST", "PUT", "PATCH")
_STATUS_TEXT = {
    400: "The request could not be read (malformed JSON, a missing or wrong field, an unknown field).",
    401: "Not signed in, or the sign-in has ended.",
    403: "Not allowed: the role, the second factor, or the CSRF header is missing.",
    404: "No such thing, or not one the caller may see.",
    405: "This method is not allowed here.",
    409: "The state changed meanwhile, or the thing is taken.",
    413: "The request body is too large.",
    422: "The request was read but cannot be done as asked.",
    429: "Too many requests: wait for Retry-After seconds.",
    503: "A service Apuri depends on did not answer: try again in a moment.",
}


def _problem_schema() -> Schema:
    text = Schema(type=OpenAPIType.STRING)
    return Schema(
        type=OpenAPIType.OBJECT,
        description="RFC 9457 problem details. `code` says what went wrong in a word a program can test.",
        properties={
            "type": text,
            "title": text,
            "status": Schema(type=OpenAPIType.INTEGER),
            "detail": Schema(type=OpenAPIType.STRING, description="In plain words, for the person."),
            "code": text,
            "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
            "reference": text,
        },
        required=["type", "title", "status", "detail"],
    )


def _problem_response(status: int, codes: tuple[str, ...]) -> OpenAPIResponse:
    listed = f" Codes: {', '.join(f'`{error_codes.shown(c)}`' for c in codes)}." if codes else ""
    return OpenAPIResponse(
        description=_STATUS_TEXT.get(status, "") + listed,
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))},
    )


def _statuses(method: str, public: bool, codes: dict[int, tuple[str, ...]]) -> list[int]:
    statuses = [400, 403, 404, 422, 429]  # 403 also on public routes: some parts are for some roles only
    if method in WITH_BODY or method == "DELETE":
        statuses += [409, 403]
    if method in WITH_BODY:
        statuses.append(413)
    if not public:
        statuses += [401, 403]
    if 503 in codes:  # a text message that could not be sent
        statuses.append(503)
    return sorted(set(statuses))


def handlers_of(app: Litestar) -> dict[tuple[str, str], HTTPRouteHandler]:
    """(path as in the document, method) → its route handler."""
    found: dict[tuple[str, str], HTTPRouteHandler] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                found[(route.path_format, method.upper())] = handler
    return found


def handler_name(handler: HTTPRouteHandler) -> str:
    """The handler's function as `error_codes` names it: module and qualified name."""
    fn = handler.fn
    return f"{fn.__module__}.{fn.__qualname__}"


def _times_of_day(schema: Any) -> None:
    """`datetime.time` comes out as `format: duration`; it is a wall-clock time, HH:MM:SS."""
    if isinstance(schema, Schema):
        if schema.format is not None and str(getattr(schema.format, "value", schema.format)) == "duration":
            schema.format = None
            schema.pattern = TIME_OF_DAY
            schema.description = schema.description or "A time of day in Europe/Helsinki, HH:MM:SS."
        for child in (*(schema.properties or {}).values(), *(schema.one_of or []), *(schema.any_of or [])):
            _times_of_day(child)
        if isinstance(schema.items, Schema):
            _times_of_day(schema.items)


def _closed_request_shapes(schemas: dict[str, Any]) -> None:
    from server.http.schemas import Input

    todo, seen = list(Input.__subclasses__()), set()
    while todo:
        shape = todo.pop()
        if shape in seen:
            continue
        seen.add(shape)
        todo.extend(shape.__subclasses__())
        found = schemas.get(shape.__name__)
        if isinstance(found, Schema):
            found.additional_properties = False


# Refined documents by what they are made of (the routes and the OpenAPI settings): every app made with the same
# ones shares it instead of building its own (the test suite makes an app per test, a fifth of a second each).
_REFINED: dict[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], OpenAPI] = {}


def refine(app: Litestar) -> None:
    """Build the document once (Litestar builds it lazily; building it now makes a broken schema fail at start)
    and correct it, or give the app the one already built for the same routes and settings."""
    routes = tuple(sorted((route.path, tuple(sorted(getattr(route, "methods", ())))) for route in app.routes))
    config = app.openapi_config
    base = config.to_openapi_schema().to_schema() if config is not None else {}
    key = (json.dumps(base, sort_keys=True, default=str), routes)
    plugin = app.plugins.get(OpenAPIPlugin)
    built = _REFINED.get(key)
    if built is not None:
        plugin._openapi = built  # Litestar 2 keeps the built document here (private; pinned <3)
        return
    document = app.openapi_schema
    _refine(app, document)
    _REFINED[key] = document


def _refine(app: Litestar, document: OpenAPI) -> None:
    components = document.components
    schemas = components.schemas if components.schemas is not None else {}
    components.schemas = schemas
    schemas["Problem"] = _problem_schema()
    for schema in schemas.values():
        _times_of_day(schema)
    _closed_request_shapes(schemas)
    handlers = handlers_of(app)
    for path, item in (document.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            operation: Operation | None = getattr(item, method, None)
            if operation is None:
                continue
            handler = handlers.get((path, method.upper()))
            opt = dict(handler.opt) if handler is not None else {}
            public = bool(opt.get("public"))
            codes = error_codes.of_handler(handler_name(handler)) if handler is not None else codes_by_status()
            responses = operation.responses if operation.responses is not None else {}
            responses.pop("400", None)  # Litestar's own validation format; ours is problem details
            for status in _statuses(method.upper(), public, codes):
                responses.setdefault(str(status), _problem_response(status, codes.get(status, ())))
            operation.responses = responses
            if public:
                operation.security = []
