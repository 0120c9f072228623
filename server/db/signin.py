"""Queries for sign-in: challenges, people by phone, and server-side sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.codec import as_uuid
from server.db.tables import Membership, Person, SignIn, SignInChallenge
from server.domain import otp
from server.domain.roles import Grant, Role


def _challenges_where(
    query: Any,
    *,
    since: datetime,
    phone: str | None,
    client_hash: str | None,
    after: datetime | None,
) -> Any:
    query = query.where(SignInChallenge.created_at >= since)
    if after is not None:
        query = query.where(SignInChallenge.created_at > after)
    if phone is not None:
        query = query.where(SignInChallenge.phone == phone)
    if client_hash is not None:
        query = query.where(SignInChallenge.client_hash == client_hash)
    return query


async def count_challenges(
    *, since: datetime, phone: str | None = None, client_hash: str | None = None, after: datetime | None = None
) -> int:
    """Challenges created since `since` (and strictly after `after`, a sign-in that reset the count)."""
    query = _challenges_where(SignInChallenge.count(), since=since, phone=phone, client_hash=client_hash, after=after)
    return int(await query)


async def oldest_challenge_since(
    *, since: datetime, phone: str | None = None, client_hash: str | None = None, after: datetime | None = None
) -> datetime | None:
    query = _challenges_where(
        SignInChallenge.select(SignInChallenge.created_at),
        since=since,
        phone=phone,
        client_hash=client_hash,
        after=after,
    )
    rows = await query.order_by(SignInChallenge.created_at).limit(1)
    return rows[0]["created_at"] if rows else None


async def last_sign_in(phone: str, *, since: datetime, client_hash: str | None = None) -> datetime | None:
    """When the latest sign-in code for this number that was used (by this client, if given) was asked for:
    whoever used it has the phone, so what was asked for the number before no longer counts against it."""
    query = SignInChallenge.select(SignInChallenge.created_at).where(
        (SignInChallenge.phone == phone)
        & (SignInChallenge.purpose == "sign_in")
        & (SignInChallenge.status == otp.Status.USED.value)
        & (SignInChallenge.created_at >= since)
    )
    if client_hash is not None:
        query = query.where(SignInChallenge.client_hash == client_hash)
    rows = await query.order_by(SignInChallenge.created_at, ascending=False).limit(1)
    return rows[0]["created_at"] if rows else None


async def supersede_pending(phone: str, purpose: str, client_hash: str) -> None:
    """A new code replaces the older ones this client asked for. Another client's request (a stranger typing
    someone else's number) leaves the owner's pending code alone: it must not be a way to cancel it."""
    await SignInChallenge.update({SignInChallenge.status: otp.Status.SUPERSEDED.value}).where(
        (SignInChallenge.phone == phone)
        & (SignInChallenge.status == otp.Status.PENDING.value)
        & (SignInChallenge.purpose == purpose)
        & (SignInChallenge.client_hash == client_hash)
    )


async def insert_challenge(
    *,
    challenge_id: uuid.UUID,
    phone: str,
    code_hash: str,
    client_hash: str,
    now: datetime,
    expires_at: datetime,
    purpose: str = "sign_in",
) -> None:
    await SignInChallenge.insert(
        SignInChallenge(
            id=challenge_id,
            phone=phone,
            code_hash=code_hash,
            client_hash=client_hash,
            created_at=now,
            expires_at=expires_at,
            attempts=0,
            status=otp.Status.PENDING.value,
            purpose=purpose,
        )
    )


async def mark_challenge(challenge_id: uuid.UUID, status: otp.Status) -> None:
    await SignInChallenge.update({SignInChallenge.status: status.value}).where(SignInChallenge.id == challenge_id)


async def get_challenge(challenge_id: uuid.UUID, purpose: str = "sign_in") -> tuple[otp.Challenge, str] | None:
    """A challenge for this purpose (an erasure code cannot sign in, nor a sign-in code erase)."""
    rows = await SignInChallenge.select().where(
        (SignInChallenge.id == challenge_id) & (SignInChallenge.purpose == purpose)
    )
    if not rows:
        return None
    row = rows[0]
    challenge = otp.Challenge(
        id=str(row["id"]),
        code_hash=row["code_hash"],
        expires_at=row["expires_at"],
        attempts=row["attempts"],
        status=otp.Status(row["status"]),
    )
    return challenge, row["phone"]


async def record_decision(challenge: otp.Challenge, decision: otp.Decision) -> bool:
    """Persist a decision only if nobody else changed the challenge meanwhile (compare-and-set).
    Returns False when a concurrent try got there first; the caller must then refuse."""
    rows = (
        await SignInChallenge.update(
            {SignInChallenge.attempts: decision.attempts, SignInChallenge.status: decision.status.value}
        )
        .where(
            (SignInChallenge.id == uuid.UUID(challenge.id))
            & (SignInChallenge.attempts == challenge.attempts)
            & (SignInChallenge.status == otp.Status.PENDING.value)
        )
        .returning(SignInChallenge.id)
    )
    return bool(rows)


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: uuid.UUID
    first_name: str
    language: str
    active: bool
    password_hash: str | None


def _person(row: dict[str, object]) -> PersonRow:
    return PersonRow(
        id=row["id"],  # type: ignore[arg-type]
        first_name=str(row["first_name"]),
        language=str(row["language"]),
        active=bool(row["active"]),
        password_hash=row["password_hash"],  # type: ignore[arg-type]
    )


async def person_by_phone(phone: str) -> PersonRow | None:
    rows = await Person.select().where(Person.phone == phone)
    return _person(rows[0]) if rows else None


async def person_by_id(person_id: uuid.UUID) -> PersonRow | None:
    rows = await Person.select().where(Person.id == person_id)
    return _person(rows[0]) if rows else None


async def create_resident(*, phone: str, language: str, now: datetime) -> PersonRow:
    person_id = uuid.uuid4()
    await Person.insert(Person(id=person_id, phone=phone, language=language, created_at=now))
    await Membership.insert(Membership(person=person_id, role=Role.RESIDENT.value, organisation=None, created_at=now))
    person = await person_by_id(person_id)
    assert person is not None
    return person


async def grants_of(person_id: uuid.UUID) -> frozenset[Grant]:
    """Active roles; a role in a deactivated organisation no longer counts."""
    rows = await Membership.select(
        Membership.role, Membership.organisation, Membership.organisation.active.as_alias("org_active")
    ).where((Membership.person == person_id) & (Membership.active == True))  # noqa: E712 - Piccolo operator
    return frozenset(
        Grant(Role(r["role"]), r["organisation"]) for r in rows if r["organisation"] is None or r["org_active"]
    )


async def set_first_password_hash(person_id: uuid.UUID, password_hash: str) -> bool:
    """Set the password only if the person has none yet: of two first-time settings at once (two tabs) only one
    wins, and the other is checked against it instead of silently replacing it."""
    rows = (
        await Person.update({Person.password_hash: password_hash})
        .where((Person.id == person_id) & Person.password_hash.is_null())
        .returning(Person.id)
    )
    return bool(rows)


async def password_hash_of(person_id: uuid.UUID) -> str | None:
    rows = await Person.select(Person.password_hash).where(Person.id == person_id)
    return rows[0]["password_hash"] if rows else None


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: uuid.UUID
    person_id: uuid.UUID
    lifetime_class: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    password_verified_at: datetime | None
    password_failures: int
    revoked_at: datetime | None


async def insert_session(
    *, token_hash: str, person_id: uuid.UUID, lifetime_class: str, now: datetime, expires_at: datetime
) -> uuid.UUID:
    session_id = uuid.uuid4()
    await SignIn.insert(
        SignIn(
            id=session_id,
            token_hash=token_hash,
            person=person_id,
            lifetime_class=lifetime_class,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
    )
    await Person.update({Person.signed_in_at: now}).where(Person.id == person_id)
    return session_id


_SESSION_WITH_GRANTS = """
SELECT s.id, s.person, s.lifetime_class, s.created_at, s.last_seen_at, s.expires_at, s.password_verified_at,
       s.password_failures, s.revoked_at, p.first_name, p.language, p.active, p.password_hash,
       m.role, m.organisation, o.active AS org_active
FROM auth_session s
JOIN person p ON p.id = s.person
LEFT JOIN membership m ON m.person = p.id AND m.active
LEFT JOIN organisation o ON o.id = m.organisation
WHERE s.token_hash = {}
"""


async def session_by_token_hash(token_hash: str) -> tuple[SessionRow, PersonRow, frozenset[Grant]] | None:
    """The session, its person and their active roles in one query: every authenticated request pays it."""
    rows = await SignIn.raw(_SESSION_WITH_GRANTS, token_hash)
    if not rows:
        return None
    r = rows[0]
    session = SessionRow(
        id=as_uuid(r["id"]),
        person_id=as_uuid(r["person"]),
        lifetime_class=r["lifetime_class"],
        created_at=r["created_at"],
        last_seen_at=r["last_seen_at"],
        expires_at=r["expires_at"],
        password_verified_at=r["password_verified_at"],
        password_failures=r["password_failures"],
        revoked_at=r["revoked_at"],
    )
    person = PersonRow(
        id=session.person_id,
        first_name=r["first_name"],
        language=r["language"],
        active=bool(r["active"]),
        password_hash=r["password_hash"],
    )
    grants = frozenset(
        Grant(Role(g["role"]), as_uuid(g["organisation"]) if g["organisation"] is not None else None)
        for g in rows
        if g["role"] is not None and (g["organisation"] is None or g["org_active"])
    )
    return session, person, grants


async def touch_session(session_id: uuid.UUID, now: datetime) -> None:
    await SignIn.update({SignIn.last_seen_at: now}).where(SignIn.id == session_id)


async def reserve_password_try(session_id: uuid.UUID, limit: int) -> int | None:
    """Take one of the sign-in's password tries before the password is checked, atomically: the count of tries
    taken (this one included), or None when the limit is already reached or the sign-in has ended. Parallel
    tries each take their own, so no more than `limit` are ever checked, however many arrive at once."""
    rows = (
        await SignIn.update({SignIn.password_failures: SignIn.password_failures + 1})
        .where((SignIn.id == session_id) & (SignIn.password_failures < limit) & SignIn.revoked_at.is_null())
        .returning(SignIn.password_failures)
    )
    return int(rows[0]["password_failures"]) if rows else None


async def rotate_live_session(session_id: uuid.UUID, *, new_token_hash: str, password_verified_at: datetime) -> bool:
    """After the right password: give back the try it took and move the sign-in to a new token, only if it is
    still live. False when it ended meanwhile (too many tries in parallel, or signed out): no token then."""
    rows = (
        await SignIn.update(
            {
                SignIn.token_hash: new_token_hash,
                SignIn.password_verified_at: password_verified_at,
                SignIn.password_failures: SignIn.password_failures - 1,
            }
        )
        .where((SignIn.id == session_id) & SignIn.revoked_at.is_null() & (SignIn.password_failures > 0))
        .returning(SignIn.id)
    )
    return bool(rows)


async def revoke_session(session_id: uuid.UUID, now: datetime) -> bool:
    """End a sign-in; True if this call ended it (False if it had already ended)."""
    rows = (
        await SignIn.update({SignIn.revoked_at: now})
        .where((SignIn.id == session_id) & SignIn.revoked_at.is_null())
        .returning(SignIn.id)
    )
    return bool(rows)


async def revoke_sessions_of(person_id: uuid.UUID, now: datetime) -> int:
    rows = (
        await SignIn.update({SignIn.revoked_at: now})
        .where((SignIn.person == person_id) & SignIn.revoked_at.is_null())
        .returning(SignIn.id)
    )
    return len(rows)


async def purge_sign_in_data(*, challenges_before: datetime, sessions_before: datetime) -> tuple[int, int]:
    """Delete challenges older than a day and sessions that ended long ago (they hold no use after)."""
    challenges = (
        await SignInChallenge.delete()
        .where(SignInChallenge.created_at < challenges_before)
        .returning(SignInChallenge.id)
    )
    sessions = await SignIn.delete().where(SignIn.expires_at < sessions_before).returning(SignIn.id)
    return len(challenges), len(sessions)
