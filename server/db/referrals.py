"""Queries for referrals: the referral rows, moving a request to a partner's queue, closing one the partner
handled."""

from __future__ import annotations

import uuid
from datetime import datetime

from server.db.codec import as_uuid
from server.db.tables import HelpRequest, RequestReferral


async def route_to(request_id: uuid.UUID, *, from_state: str, organisation_id: uuid.UUID) -> bool:
    """Into `organisation_id`'s queue, only from `from_state` (someone else may have moved it first)."""
    rows = (
        await HelpRequest.update({HelpRequest.state: "routed", HelpRequest.routed_to: organisation_id})
        .where((HelpRequest.id == request_id) & (HelpRequest.state == from_state))
        .returning(HelpRequest.id)
    )
    return bool(rows)


async def insert(
    *,
    request_id: uuid.UUID,
    from_organisation: uuid.UUID | None,
    to_organisation: uuid.UUID,
    note: str,
    by: uuid.UUID,
    at: datetime,
) -> uuid.UUID:
    referral_id = uuid.uuid4()
    await RequestReferral.insert(
        RequestReferral(
            id=referral_id,
            request=request_id,
            from_organisation=from_organisation,
            to_organisation=to_organisation,
            note=note,
            referred_by=by,
            referred_at=at,
        )
    )
    return referral_id


async def close_handled(request_id: uuid.UUID, outcome: str) -> bool:
    rows = (
        await HelpRequest.update({HelpRequest.state: "closed", HelpRequest.handled_outcome: outcome})
        .where((HelpRequest.id == request_id) & (HelpRequest.state == "routed"))
        .returning(HelpRequest.id)
    )
    return bool(rows)


async def latest_notes(request_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each referred request's latest referral note, for the partner's queue."""
    if not request_ids:
        return {}
    rows = (
        await RequestReferral.select(RequestReferral.request, RequestReferral.note)
        .where(RequestReferral.request.is_in(request_ids))
        .order_by(RequestReferral.referred_at)
    )
    return {as_uuid(r["request"]): str(r["note"]) for r in rows}  # the latest last: it wins
