"""Explicit state machines for requests, offers and sessions. A transition not in the table is refused with
a reason (HTTP 409), so no code path can move an object into a state the rules do not allow."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from server.domain.errors import Conflict

S = TypeVar("S", bound=enum.StrEnum)


class RequestState(enum.StrEnum):
    OPEN = "open"  # waiting: not offered to anyone yet, or every offer expired
    OFFERING = "offering"  # offered to the best few volunteers
    ROUTED = "routed"  # in a partner organisation's queue
    MATCHED = "matched"  # a volunteer (or partner staff) has it; a session exists
    CANCELLED = "cancelled"
    CLOSED = "closed"  # its session ended (done or no-show)


class OfferState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # someone else accepted first, or the request was cancelled


class SessionState(enum.StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


REQUEST_TRANSITIONS: Mapping[tuple[RequestState, str], RequestState] = {
    (RequestState.OPEN, "offer"): RequestState.OFFERING,
    (RequestState.OFFERING, "offers_expired"): RequestState.OPEN,
    (RequestState.OFFERING, "accept"): RequestState.MATCHED,
    (RequestState.OPEN, "book"): RequestState.MATCHED,
    (RequestState.OPEN, "route"): RequestState.ROUTED,
    (RequestState.OFFERING, "route"): RequestState.ROUTED,
    (RequestState.OPEN, "assign"): RequestState.MATCHED,
    (RequestState.OFFERING, "assign"): RequestState.MATCHED,
    (RequestState.ROUTED, "assign"): RequestState.MATCHED,
    (RequestState.MATCHED, "session_cancelled"): RequestState.OPEN,
    (RequestState.MATCHED, "close"): RequestState.CLOSED,
    (RequestState.OPEN, "cancel"): RequestState.CANCELLED,
    (RequestState.OFFERING, "cancel"): RequestState.CANCELLED,
    (RequestState.ROUTED, "cancel"): RequestState.CANCELLED,
    (RequestState.MATCHED, "cancel"): RequestState.CANCELLED,
    # Referral: a coordinator passes a waiting request to a partner (or a partner on to another).
    (RequestState.OPEN, "refer"): RequestState.ROUTED,
    (RequestState.OFFERING, "refer"): RequestState.ROUTED,
    (RequestState.ROUTED, "refer"): RequestState.ROUTED,
    # The partner's own staff helped (or could not): the request leaves their queue.
    (RequestState.ROUTED, "handle"): RequestState.CLOSED,
}

OFFER_TRANSITIONS: Mapping[tuple[OfferState, str], OfferState] = {
    (OfferState.PENDING, "accept"): OfferState.ACCEPTED,
    (OfferState.PENDING, "decline"): OfferState.DECLINED,
    (OfferState.PENDING, "expire"): OfferState.EXPIRED,
    (OfferState.PENDING, "withdraw"): OfferState.WITHDRAWN,
}

SESSION_TRANSITIONS: Mapping[tuple[SessionState, str], SessionState] = {
    (SessionState.SCHEDULED, "move"): SessionState.SCHEDULED,
    (SessionState.SCHEDULED, "check_in"): SessionState.CHECKED_IN,
    (SessionState.SCHEDULED, "no_show"): SessionState.NO_SHOW,
    (SessionState.CHECKED_IN, "done"): SessionState.DONE,
    (SessionState.SCHEDULED, "done"): SessionState.DONE,  # a phone session needs no check-in
    (SessionState.SCHEDULED, "cancel"): SessionState.CANCELLED,
}

_WHY = {
    "cancel": "it has already ended or been cancelled",
    "accept": "it is no longer waiting for an answer",
    "decline": "it is no longer waiting for an answer",
    "check_in": "the session is not scheduled",
    "done": "the session is not scheduled or in progress",
    "no_show": "the session is not scheduled",
    "move": "only a scheduled session can be moved",
}


def _step(kind: str, table: Mapping[tuple[S, str], S], state: S, event: str) -> S:
    target = table.get((state, event))
    if target is None:
        why = _WHY.get(event, "the rules do not allow it")
        raise Conflict(
            f"Cannot {event.replace('_', ' ')} this {kind} while it is {state.value.replace('_', ' ')}: {why}.",
            code=f"{kind}_{event}_not_allowed",
            extra={"state": state.value, "event": event},
        )
    return target


def request_after(state: RequestState, event: str) -> RequestState:
    return _step("request", REQUEST_TRANSITIONS, state, event)


def offer_after(state: OfferState, event: str) -> OfferState:
    return _step("offer", OFFER_TRANSITIONS, state, event)


def session_after(state: SessionState, event: str) -> SessionState:
    return _step("session", SESSION_TRANSITIONS, state, event)


ACTIVE_SESSION_STATES = frozenset({SessionState.SCHEDULED, SessionState.CHECKED_IN})
