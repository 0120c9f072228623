"""Opening hours and roles, as rules."""

from __future__ import annotations

import uuid
from datetime import time

import pytest

from server.domain.errors import InvalidInput
from server.domain.network import OpeningPeriod, validate_coordinates, validate_opening_hours
from server.domain.roles import Grant, Principal, Role, lifetime_class


def test_opening_hours_are_sorted_and_back_to_back_periods_are_fine() -> None:
    periods = [
        OpeningPeriod(2, time(13), time(16)),
        OpeningPeriod(2, time(9), time(13)),
        OpeningPeriod(0, time(9), time(12)),
    ]
    assert [(p.weekday, p.opens) for p in validate_opening_hours(periods)] == [
        (0, time(9)),
        (2, time(9)),
        (2, time(13)),
    ]


@pytest.mark.parametrize(
    ("periods", "code"),
    [
        ([OpeningPeriod(1, time(12), time(12))], "opening_hours_order"),
        ([OpeningPeriod(1, time(16), time(9))], "opening_hours_order"),
        ([OpeningPeriod(1, time(9), time(13)), OpeningPeriod(1, time(12), time(15))], "opening_hours_overlap"),
        ([OpeningPeriod(7, time(9), time(13))], "weekday_invalid"),
    ],
)
def test_impossible_opening_hours_are_refused(periods: list[OpeningPeriod], code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_opening_hours(periods)
    assert refused.value.code == code


def test_coordinates_come_in_pairs() -> None:
    validate_coordinates(None, None)
    validate_coordinates(65.96, 29.18)
    with pytest.raises(InvalidInput):
        validate_coordinates(65.96, None)


def principal(*grants: Grant) -> Principal:
    return Principal(
        person_id=uuid.uuid4(), sign_in_id=uuid.uuid4(), first_name="", language="fi", grants=frozenset(grants)
    )


def test_a_partner_coordinator_coordinates_only_their_organisation() -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    partner = principal(Grant(Role.PARTNER_COORDINATOR, mine), Grant(Role.VOLUNTEER, other))
    assert partner.coordinates(mine) and not partner.coordinates(other)
    assert principal(Grant(Role.NETWORK_COORDINATOR, None)).coordinates(other)
    assert not principal(Grant(Role.VOLUNTEER, mine)).coordinates(mine)


def test_a_session_gets_the_strictest_lifetime_of_the_persons_roles() -> None:
    assert lifetime_class(frozenset({Role.RESIDENT})) == "resident"
    assert lifetime_class(frozenset({Role.RESIDENT, Role.VOLUNTEER})) == "volunteer"
    assert lifetime_class(frozenset({Role.VOLUNTEER, Role.PARTNER_COORDINATOR})) == "coordinator"
