"""Rules of SMS one-time codes: six random digits, at most 10 minutes, single use, bound to one challenge,
dead after the allowed number of wrong tries, stored only as a keyed hash."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

CODE_DIGITS = 6


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # wrong code, tries left
    EXHAUSTED = "exhausted"  # this wrong try was the last allowed one
    EXPIRED = "expired"
    CLOSED = "closed"  # used, superseded by a newer code, or already dead


class Status(enum.StrEnum):
    PENDING = "pending"
    USED = "used"
    DEAD = "dead"
    SUPERSEDED = "superseded"


def new_code() -> str:
    """Six digits from the OS CSPRNG, leading zeros kept (the code is a string)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(secret_key: str, challenge_id: str, code: str) -> str:
    """HMAC-SHA256 keyed by the server secret and bound to the challenge, so a stored hash reveals nothing
    and a code from one challenge never matches another."""
    message = f"{challenge_id}:{code.strip()}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Challenge:
    id: str
    code_hash: str
    expires_at: datetime
    attempts: int
    status: Status


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    attempts: int
    status: Status


def decide(challenge: Challenge, *, offered_hash: str, now: datetime, max_attempts: int) -> Decision:
    """What happens when `offered_hash` is tried against `challenge` at `now`. Pure: the caller persists it."""
    if challenge.status is not Status.PENDING or challenge.attempts >= max_attempts:
        return Decision(Outcome.CLOSED, challenge.attempts, challenge.status)
    if now >= challenge.expires_at:
        return Decision(Outcome.EXPIRED, challenge.attempts, Status.DEAD)
    if hmac.compare_digest(challenge.code_hash, offered_hash):
        return Decision(Outcome.ACCEPTED, challenge.attempts, Status.USED)
    attempts = challenge.attempts + 1
    if attempts >= max_attempts:
        return Decision(Outcome.EXHAUSTED, attempts, Status.DEAD)
    return Decision(Outcome.WRONG, attempts, Status.PENDING)
