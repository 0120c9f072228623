"""Matching: hard constraints exclude with a reason; the rest are ranked by an explained score."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.domain.clocktime import Interval, week_of
from server.domain.matching import Candidate, Modality, Need, Place, Request, distance_km, rank
from server.domain.slots import VolunteerTime

POINT = uuid.UUID(int=100)
WHEN = Interval(datetime(2026, 11, 24, 10, tzinfo=UTC), datetime(2026, 11, 24, 10, 45, tzinfo=UTC))
KUUSAMO = Place(65.9667, 29.1833)
KAYLA = Place(66.2833, 29.1500)  # about 35 km north


def free() -> VolunteerTime:
    return VolunteerTime(
        id=uuid.UUID(int=0), available=[Interval(WHEN.start - timedelta(hours=2), WHEN.end + timedelta(hours=2))]
    )


def candidate(n: int, **changes: object) -> Candidate:
    base = Candidate(
        id=uuid.UUID(int=n),
        active=True,
        skills={"bank": 2},
        languages=frozenset({"fi"}),
        help_point_ids=frozenset({POINT}),
        remote=True,
        home_visits=True,
        home=KUUSAMO,
        travel_radius_km=40,
        time=free(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def request(**changes: object) -> Request:
    return replace(
        Request(topic="bank", language="fi", modality=Modality.HELP_POINT, help_point_id=POINT, when=WHEN), **changes
    )  # type: ignore[arg-type]


def test_each_hard_constraint_excludes_with_its_reason() -> None:
    busy = replace(free(), busy=[WHEN])
    cases = {
        "inactive": candidate(1, active=False),
        "topic": candidate(2, skills={"phone": 3}),
        "language": candidate(3, languages=frozenset({"sv"})),
        "place": candidate(4, help_point_ids=frozenset()),
        "busy": candidate(5, time=busy),
    }
    ranking = rank(request(), cases.values())
    assert ranking.ranked == ()
    assert {e.code for e in ranking.excluded} == set(cases)


def test_never_offers_a_volunteer_above_their_weekly_cap() -> None:
    capped = replace(free(), weekly_cap=3, booked_per_week={week_of(WHEN.start): 3})
    assert rank(request(), [candidate(1, time=capped)]).excluded[0].code == "busy"


def test_remote_and_home_visits_need_the_volunteer_to_take_them() -> None:
    assert rank(request(modality=Modality.PHONE), [candidate(1, remote=False)]).excluded[0].code == "modality"
    home = request(modality=Modality.HOME_VISIT, home=KAYLA, help_point_id=None)
    assert rank(home, [candidate(1, home_visits=False)]).excluded[0].code == "modality"
    assert rank(home, [candidate(2, travel_radius_km=20)]).excluded[0].code == "distance"
    assert rank(home, [candidate(3)]).best is not None


def test_a_request_without_a_time_ignores_calendars() -> None:
    assert rank(request(when=None), [candidate(1, time=None)]).best is not None


def test_skill_continuity_fairness_and_needs_order_the_candidates_and_explain_it() -> None:
    expert = candidate(1, skills={"bank": 3}, recent_sessions=4)
    previous = candidate(2, recent_sessions=4)
    rested = candidate(3, recent_sessions=0)
    ranking = rank(
        request(previous_volunteer_id=previous.id, needs=frozenset({Need.HEARING})),
        [expert, previous, replace(rested, needs_experience=frozenset({Need.HEARING}))],
    )
    scores = {r.candidate_id.int: (r.score, {x.code for x in r.reasons}) for r in ranking.ranked}
    assert scores[2] == (20 + 25 + 4, {"skill", "continuity", "fairness"})
    assert scores[3] == (20 + 20 + 10, {"skill", "fairness", "need_hearing"})
    assert scores[1] == (30 + 4, {"skill", "fairness"})
    assert [r.candidate_id.int for r in ranking.ranked] == [3, 2, 1]
    assert all(r.text for ranked in ranking.ranked for r in ranked.reasons), "every part is explained in words"


def test_nearer_volunteers_score_higher_for_home_visits() -> None:
    home = request(modality=Modality.HOME_VISIT, home=KUUSAMO, help_point_id=None)
    near, far = candidate(1, home=KUUSAMO), candidate(2, home=KAYLA)
    assert [r.candidate_id.int for r in rank(home, [far, near]).ranked] == [1, 2]
    assert 30 < distance_km(KUUSAMO, KAYLA) < 40


@given(st.lists(st.integers(0, 8), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_the_order_never_depends_on_the_input_order(recent: list[int], shuffler: random.Random) -> None:
    people = [candidate(n + 1, recent_sessions=r) for n, r in enumerate(recent)]
    first = rank(request(), people)
    shuffler.shuffle(people)
    assert rank(request(), people) == first
    scores = [r.score for r in first.ranked]
    assert scores == sorted(scores, reverse=True)
