"""The one-time-code rules as a specification, and a hypothesis state machine over them."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from server.domain import otp

SECRET = "unit-test-secret-key-long-enough-000000"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def challenge(code: str = "123456", *, attempts: int = 0, status: otp.Status = otp.Status.PENDING) -> otp.Challenge:
    cid = "c1"
    return otp.Challenge(cid, otp.code_hash(SECRET, cid, code), T0 + timedelta(minutes=10), attempts, status)


def test_codes_are_six_digits_and_keep_leading_zeros() -> None:
    codes = [otp.new_code() for _ in range(20_000)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert any(c.startswith("0") for c in codes)
    first_digits = Counter(c[0] for c in codes)
    assert set(first_digits) == set("0123456789")
    assert min(first_digits.values()) > 1500, "digits are roughly uniform"


def test_the_hash_binds_the_code_to_its_challenge_and_secret() -> None:
    assert otp.code_hash(SECRET, "a", "123456") != otp.code_hash(SECRET, "b", "123456")
    assert otp.code_hash(SECRET, "a", "123456") != otp.code_hash(SECRET + "x", "a", "123456")
    assert "123456" not in otp.code_hash(SECRET, "a", "123456")


def test_the_right_code_in_time_is_accepted_and_closes_the_challenge() -> None:
    decision = otp.decide(challenge(), offered_hash=otp.code_hash(SECRET, "c1", "123456"), now=T0, max_attempts=5)
    assert decision.outcome is otp.Outcome.ACCEPTED and decision.status is otp.Status.USED


def test_a_code_is_refused_at_its_expiry_instant() -> None:
    right = otp.code_hash(SECRET, "c1", "123456")
    assert otp.decide(challenge(), offered_hash=right, now=T0 + timedelta(minutes=10), max_attempts=5).outcome is (
        otp.Outcome.EXPIRED
    )


def test_the_fifth_wrong_try_kills_the_challenge() -> None:
    wrong = otp.code_hash(SECRET, "c1", "000000")
    decision = otp.decide(challenge(attempts=4), offered_hash=wrong, now=T0, max_attempts=5)
    assert decision.outcome is otp.Outcome.EXHAUSTED and decision.status is otp.Status.DEAD


def test_a_used_or_superseded_challenge_accepts_nothing() -> None:
    right = otp.code_hash(SECRET, "c1", "123456")
    for status in (otp.Status.USED, otp.Status.SUPERSEDED, otp.Status.DEAD):
        assert otp.decide(challenge(status=status), offered_hash=right, now=T0, max_attempts=5).outcome is (
            otp.Outcome.CLOSED
        )


class ChallengeMachine(RuleBasedStateMachine):
    """Any sequence of tries and waits: at most one acceptance, none after five failures or after expiry."""

    def __init__(self) -> None:
        super().__init__()
        self.cid = str(uuid.uuid4())
        self.code = otp.new_code()
        self.state = otp.Challenge(
            self.cid, otp.code_hash(SECRET, self.cid, self.code), T0 + timedelta(minutes=10), 0, otp.Status.PENDING
        )
        self.now = T0
        self.accepted = 0
        self.failures = 0
        self.accepted_late = False

    def _apply(self, offered: str) -> otp.Decision:
        decision = otp.decide(
            self.state, offered_hash=otp.code_hash(SECRET, self.cid, offered), now=self.now, max_attempts=5
        )
        self.state = otp.Challenge(
            self.cid, self.state.code_hash, self.state.expires_at, decision.attempts, decision.status
        )
        if decision.outcome is otp.Outcome.ACCEPTED:
            self.accepted += 1
            self.accepted_late |= self.now >= self.state.expires_at or self.failures >= 5
        if decision.outcome in (otp.Outcome.WRONG, otp.Outcome.EXHAUSTED):
            self.failures += 1
        return decision

    @rule(guess=st.text(alphabet="0123456789", min_size=6, max_size=6))
    def try_a_guess(self, guess: str) -> None:
        self._apply(guess)

    @rule()
    def try_the_right_code(self) -> None:
        self._apply(self.code)

    @rule(seconds=st.integers(min_value=0, max_value=400))
    def wait(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @precondition(lambda self: self.failures >= 5)
    @rule()
    def right_code_after_five_failures_is_refused(self) -> None:
        assert self._apply(self.code).outcome is not otp.Outcome.ACCEPTED

    @invariant()
    def at_most_one_acceptance(self) -> None:
        assert self.accepted <= 1

    @invariant()
    def never_accepted_late_or_after_lockout(self) -> None:
        assert not self.accepted_late

    @invariant()
    def attempts_never_exceed_the_limit(self) -> None:
        assert self.state.attempts <= 5


TestChallengeMachine = ChallengeMachine.TestCase
TestChallengeMachine.settings = settings(max_examples=300, stateful_step_count=30, deadline=None)
