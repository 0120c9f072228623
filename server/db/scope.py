"""What a partner coordinator oversees, as subqueries to filter by: the sessions at their organisations' help
points or with their volunteers, and the requests routed to them or at their help points."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from server.db.tables import HelpPoint, HelpRequest, HelpSession, Membership


def help_points_of(within: Collection[uuid.UUID]) -> Any:
    return HelpPoint.select(HelpPoint.id).where(HelpPoint.organisation.is_in(list(within) or [uuid.UUID(int=0)]))


def volunteers_of(within: Collection[uuid.UUID]) -> Any:
    return Membership.select(Membership.person).where(
        Membership.organisation.is_in(list(within) or [uuid.UUID(int=0)]) & (Membership.role == "volunteer")
    )


def session_in(within: Collection[uuid.UUID]) -> Any:
    """A condition on HelpSession: at one of the organisations' help points or with one of their volunteers."""
    return HelpSession.help_point.is_in(help_points_of(within)) | HelpSession.volunteer.is_in(volunteers_of(within))


def sessions_of(within: Collection[uuid.UUID]) -> Any:
    """The ids of those sessions, as a subquery."""
    return HelpSession.select(HelpSession.id).where(session_in(within))


def requests_within(query: Any, within: Collection[uuid.UUID] | None) -> Any:
    """`query` on HelpRequest narrowed to what a coordinator overseeing `within` sees (None: the network): requests
    routed to their organisations and requests at their help points."""
    if within is None:
        return query
    if not within:
        return query.where(HelpRequest.id.is_null())  # coordinates nothing: sees nothing
    return query.where(HelpRequest.routed_to.is_in(list(within)) | HelpRequest.help_point.is_in(help_points_of(within)))
