"""Each route's OpenAPI entry lists the codes that route can give, read from the source: what a route reaches
is there, and what it cannot reach is not (the runtime half: tests/conftest.py checks every problem answer the
suite sees against its route's list)."""

from __future__ import annotations

from server.app import create_app
from server.http.error_codes import codes_by_status, every_route, matches, of_handler
from server.http.openapi import handler_name, handlers_of
from server.settings import Settings


def _codes(path: str, method: str) -> dict[int, tuple[str, ...]]:
    handler = handlers_of(create_app(Settings()))[(path, method)]
    return of_handler(handler_name(handler))


def test_a_route_lists_what_it_reaches_and_not_what_it_cannot() -> None:
    slots = _codes("/api/v1/slots", "GET")
    assert "dates_too_long" in slots[422] and "topic_unknown" in slots[422], "raised by the slot search it calls"
    assert 409 not in slots, "a search takes nothing: no slot_taken"
    booking = _codes("/api/v1/bookings", "POST")
    assert {"slot_taken", "resident_busy", "too_many_bookings"} <= set(booking[409]), "through the placement"
    cancel = _codes("/api/v1/sessions/{session_id}/cancel", "POST")
    assert "session_cancel_not_allowed" in cancel[409], "a state machine's refused step, by its event"
    assert "session_move_not_allowed" not in cancel[409]


def test_every_route_carries_the_framework_and_guard_codes_and_no_route_lists_everything() -> None:
    assert {(401, "not_signed_in"), (403, "csrf_failed"), (400, "validation_failed")} <= every_route()
    everything = sum(len(codes) for codes in codes_by_status().values())
    slots = sum(len(codes) for codes in _codes("/api/v1/slots", "GET").values())
    assert slots < everything / 4


def test_codes_made_with_f_strings_match_what_they_can_be() -> None:
    assert matches("too_many_codes_phone", ("too_many_codes_{}",))
    assert not matches("too_many_requests", ("too_many_codes_{}",))
