"""The OpenAPI document says what the API does: problem details for every error status a route gives, with the
codes each status carries; times of day as times; public routes without the cookie; closed request bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.app import create_app
from server.settings import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    schema: dict[str, Any] = create_app(Settings.from_env({})).openapi_schema.to_schema()
    return schema


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_error_status_is_problem_details_with_its_codes(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        responses = op["responses"]
        for status in ("400", "403", "404", "422", "429"):
            assert status in responses, (path, method, status)
        for status, answer in responses.items():
            if int(status) >= 400:
                assert list(answer["content"]) == ["application/problem+json"], (path, method, status)
        if method != "get":
            assert "409" in responses, (path, method)
    booking = document["paths"]["/api/v1/bookings"]["post"]["responses"]
    assert "`slot_taken`" in booking["409"]["description"]
    assert "`consent_required`" not in booking["422"]["description"], "each route's own codes: a resident books"
    on_behalf = document["paths"]["/api/v1/bookings/on-behalf"]["post"]["responses"]
    assert "`consent_required`" in on_behalf["422"]["description"], "a coordinator books for a caller"


def test_public_routes_need_no_cookie_and_others_say_401(document: dict[str, Any]) -> None:
    assert document["paths"]["/api/v1/about"]["get"]["security"] == []
    assert "401" not in document["paths"]["/api/v1/about"]["get"]["responses"]
    assert "401" in document["paths"]["/api/v1/me"]["get"]["responses"]
    assert document["paths"]["/api/v1/me"]["get"].get("security") != []


def test_times_of_day_are_times_not_durations(document: dict[str, Any]) -> None:
    assert '"duration"' not in json.dumps(document)
    start = document["components"]["schemas"]["RuleIO"]["properties"]["start"]
    assert start["type"] == "string" and start["pattern"].startswith("^([01]")


def test_request_bodies_refuse_unknown_fields(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["BookingIn"]["additionalProperties"] is False
    assert schemas["CodeRequest"]["additionalProperties"] is False
