"""Every list pages, at the HTTP edge: the `limit` and `cursor` query parameters, and the answer with the next
page in an RFC 8288 `Link: <…?cursor=…&limit=…>; rel="next"` header (a relative URL keeping the other query
parameters; no Link on the last page). The body stays the plain JSON list.

A paged route takes `request: AnyRequest`, `limit: Limit = DEFAULT_LIMIT` and `cursor: Cursor = None`, declares
`response_headers=NEXT_LINK`, and returns `paged(request, page)`. tests/integration/test_paging.py lists the
paged routes and checks that every other list in the OpenAPI document is bounded by nature.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias, TypeVar
from urllib.parse import quote, urlencode

from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.params import QueryParameter

from server.domain.paging import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_CURSOR, MAX_LIMIT, Page, PageRequest

T = TypeVar("T")
AnyRequest: TypeAlias = Request[Any, Any, Any]

Limit = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_LIMIT, description=f"Items per page: 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."),
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        min_length=1,
        max_length=MAX_CURSOR,
        pattern=CURSOR_PATTERN,
        description='Where the page starts: copy it from the previous answer\'s `Link: <…>; rel="next"` header.',
    ),
]
NEXT_LINK = [
    ResponseHeader(
        name="Link",
        documentation_only=True,
        description='`<…?cursor=…&limit=…>; rel="next"`: the next page. Absent on the last page.',
    )
]


def page_request(limit: int, cursor: str | None) -> PageRequest:
    return PageRequest(limit, cursor)


def next_link(request: AnyRequest, **replace: str | int) -> str:
    """`Link` to this path with the same query parameters, `replace` put in place of their namesakes."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in replace]
    query = urlencode([*kept, *((k, str(v)) for k, v in replace.items())])
    return f'<{quote(request.url.path)}?{query}>; rel="next"'


def paged(request: AnyRequest, page: Page[T]) -> Response[list[T]]:
    """The page as the JSON list, with the Link to the next page if there is one."""
    headers = {}
    if page.next is not None and page.next.cursor is not None:
        headers["Link"] = next_link(request, cursor=page.next.cursor, limit=page.next.limit)
    return Response(list(page.items), headers=headers)
