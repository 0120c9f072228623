"""Requests, offers and sessions move only along their tables; anything else is a 409 with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.errors import Conflict
from server.domain.states import (
    OFFER_TRANSITIONS,
    REQUEST_TRANSITIONS,
    SESSION_TRANSITIONS,
    OfferState,
    RequestState,
    SessionState,
    offer_after,
    request_after,
    session_after,
)


def test_a_flexible_request_is_offered_then_accepted_then_closed() -> None:
    state = RequestState.OPEN
    for event in ("offer", "accept", "close"):
        state = request_after(state, event)
    assert state is RequestState.CLOSED


def test_expired_offers_put_the_request_back_in_the_queue() -> None:
    assert request_after(RequestState.OFFERING, "offers_expired") is RequestState.OPEN


def test_a_done_session_cannot_be_cancelled_and_the_refusal_says_why() -> None:
    with pytest.raises(Conflict) as refused:
        session_after(SessionState.DONE, "cancel")
    assert refused.value.status == 409
    assert refused.value.code == "session_cancel_not_allowed"
    assert "already ended" in refused.value.detail


def test_only_a_pending_offer_can_be_answered() -> None:
    assert offer_after(OfferState.PENDING, "accept") is OfferState.ACCEPTED
    for state in (OfferState.ACCEPTED, OfferState.EXPIRED, OfferState.WITHDRAWN, OfferState.DECLINED):
        with pytest.raises(Conflict):
            offer_after(state, "accept")


@pytest.mark.parametrize(
    ("table", "terminal"),
    [
        (REQUEST_TRANSITIONS, {RequestState.CANCELLED, RequestState.CLOSED}),
        (OFFER_TRANSITIONS, {OfferState.ACCEPTED, OfferState.DECLINED, OfferState.EXPIRED, OfferState.WITHDRAWN}),
        (SESSION_TRANSITIONS, {SessionState.DONE, SessionState.NO_SHOW, SessionState.CANCELLED}),
    ],
)
def test_final_states_have_no_way_out(table: dict, terminal: set) -> None:  # type: ignore[type-arg]
    assert not any(state in terminal for state, _ in table)


EVENTS = sorted({event for _, event in REQUEST_TRANSITIONS})


@given(st.lists(st.sampled_from(EVENTS), max_size=20))
def test_any_sequence_of_events_stays_within_the_table(events: list[str]) -> None:
    state = RequestState.OPEN
    for event in events:
        try:
            following = request_after(state, event)
        except Conflict:
            assert (state, event) not in REQUEST_TRANSITIONS
            continue
        assert REQUEST_TRANSITIONS[(state, event)] is following
        state = following
