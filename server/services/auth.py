"""Sign-in by mobile number and SMS code; server-side sessions; the coordinators' password second factor."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.adapters.clock import Clock
from server.adapters.sms import SmsError, SmsSender
from server.db import outbox
from server.db import signin as q
from server.db.engine import AnyEngine, serialise, write_transaction
from server.domain import otp
from server.domain.errors import DomainError, Forbidden, InvalidInput, NotAuthenticated, TooManyRequests
from server.domain.people import LANGUAGES
from server.domain.phone import mask, parse_mobile
from server.domain.roles import STAFF_ROLES, Principal, lifetime_class, stricter
from server.services.audit import AuditService
from server.settings import SessionLifetime, Settings

log = logging.getLogger("apuri.auth")
HELSINKI = ZoneInfo("Europe/Helsinki")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_FAILURES = 5
# Writing last_seen_at on every request would make every read a write; a minute's precision is plenty.
TOUCH_INTERVAL = timedelta(seconds=60)
SIGN_IN_WORKER = "sign-in"

_CODE_TEXT = {
    "fi": "Apuri-kirjautumiskoodisi on {code}\nSe on voimassa {minutes} min. Älä kerro koodia kenellekään. "
    "Apuri ei koskaan kysy sitä puhelimessa.\n\n@{host} #{code}",
    "sv": "Din inloggningskod till Apuri är {code}\nDen gäller i {minutes} min. Ge inte koden till någon. "
    "Apuri frågar aldrig efter den i telefon.\n\n@{host} #{code}",
    "en": "Your Apuri sign-in code is {code}\nIt is valid for {minutes} min. Do not tell it to anyone. "
    "Apuri never asks for it on the phone.\n\n@{host} #{code}",
}
# The code that confirms "erase my data": says what it does, so nobody is talked into giving it away.
_ERASE_TEXT = {
    "fi": "Apuri: koodi tietojesi POISTAMISEEN on {code}\nSe on voimassa {minutes} min. Jos et itse pyytänyt "
    "poistoa, älä käytä koodia.",
    "sv": "Apuri: koden för att RADERA dina uppgifter är {code}\nDen gäller i {minutes} min. Om du inte själv bad "
    "om radering, använd inte koden.",
    "en": "Apuri: the code to ERASE your data is {code}\nIt is valid for {minutes} min. If you did not ask for "
    "this yourself, do not use it.",
}
PURPOSES = ("sign_in", "erase")
_PRIVACY_LINE = {
    "fi": "Tietosuojaseloste: {host}",
    "sv": "Dataskyddsbeskrivning: {host}",
    "en": "Privacy notice: {host}",
}


class SendFailed(DomainError):
    status = 503
    title = "Text message could not be sent"


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    challenge_id: uuid.UUID
    expires_in: int


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    principal: Principal
    second_factor_required: bool
    password_set: bool
    max_age: int


@dataclass(frozen=True, slots=True)
class _Window:
    """One send limit: at most `limit` codes in `length`, counting the challenges that match (None matches
    any) and were asked for after `after` (a sign-in that started the count afresh)."""

    scope: str
    length: timedelta
    limit: int
    phone: str | None
    client_hash: str | None
    after: datetime | None


class AuthService:
    def __init__(
        self, *, settings: Settings, clock: Clock, sms: SmsSender, engine: AnyEngine, audit: AuditService
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._sms = sms
        self._engine = engine
        self._audit = audit
        self._hasher = password_hasher(settings)

    # ---- codes -------------------------------------------------------------------------------------------

    def client_hash(self, client_address: str) -> str:
        """Client addresses are personal data: keep only a keyed hash, enough to count requests."""
        return hmac.new(self._settings.secret_key.encode(), f"client:{client_address}".encode(), "sha256").hexdigest()

    async def request_code(
        self, *, phone: str, language: str, client_address: str, purpose: str = "sign_in"
    ) -> IssuedChallenge:
        """Send a code to any valid Finnish mobile number. Known and unknown numbers get the same answer;
        limits per number and client, per number, per client and per day are checked and the challenge written
        in one serialised transaction, so concurrent requests cannot slip past a limit. `purpose` "erase" sends
        the code that confirms erasing one's data (same limits, its own wording)."""
        assert purpose in PURPOSES
        number = parse_mobile(phone)
        if language not in LANGUAGES:
            raise InvalidInput("Language must be fi, sv or en.", code="language_invalid")
        now = self._clock.now()
        client = self.client_hash(client_address)
        challenge_id = uuid.uuid4()
        code = otp.new_code()
        ttl = self._settings.otp_ttl_seconds
        async with write_transaction(self._engine):
            await serialise(self._engine, "sign-in-codes")
            await self._check_limits(number=number, client=client, now=now)
            new_number = await q.person_by_phone(number) is None
            await q.supersede_pending(number, purpose, client)
            await q.insert_challenge(
                purpose=purpose,
                challenge_id=challenge_id,
                phone=number,
                code_hash=otp.code_hash(self._settings.secret_key, str(challenge_id), code),
                client_hash=client,
                now=now,
                expires_at=now + timedelta(seconds=ttl),
            )
            # The outbox records the message (delivery reports update it) but never the code: it is sent here,
            # while the person waits, and the row is written as already being sent.
            ledger_id = await outbox.record_sent_now(
                outbox.Draft(
                    key=f"sign-in:{challenge_id}",
                    kind="sign_in_code" if purpose == "sign_in" else "erase_code",
                    channel="sms",
                    body="",
                    due_at=now,
                    not_after=now + timedelta(seconds=ttl),
                    person_id=None,
                    phone=number,
                    language=language,
                ),
                now=now,
                lease_until=now + timedelta(seconds=ttl),
                worker=SIGN_IN_WORKER,
            )
        host = urlsplit(self._settings.public_base_url).hostname
        body = (_CODE_TEXT if purpose == "sign_in" else _ERASE_TEXT)[language].format(
            code=code, minutes=ttl // 60, host=host
        )
        if purpose == "sign_in" and new_number:
            # A new resident's first SMS names the privacy notice (above the last line, which browsers read
            # the code from).
            first, _, last = body.rpartition("\n\n")
            body = f"{first}\n{_PRIVACY_LINE[language].format(host=host)}\n\n{last}"
        try:
            receipt = await self._sms.send(to=number, body=body, validity_seconds=ttl)
        except SmsError as exc:
            await q.mark_challenge(challenge_id, otp.Status.DEAD)
            await outbox.finish(
                ledger_id, worker=SIGN_IN_WORKER, now=self._clock.now(), state="failed", last_error=str(exc)[:300]
            )
            log.warning("sign-in code to %s not sent: %s", mask(number), exc)
            raise SendFailed(
                "We could not send the text message. Please try again in a moment, or call the helpline.",
                code="sms_failed",
            ) from None
        await outbox.finish(
            ledger_id,
            worker=SIGN_IN_WORKER,
            now=self._clock.now(),
            state="delivered" if receipt.status == "delivered" else "sent",
            provider_id=receipt.provider_id,
            provider_status=receipt.status,
            sent_at=self._clock.now(),
        )
        log.info("sign-in code sent to %s (challenge %s)", mask(number), challenge_id)
        return IssuedChallenge(challenge_id=challenge_id, expires_in=ttl)

    async def _check_limits(self, *, number: str, client: str, now: datetime) -> None:
        """Anyone can type anyone's number, so a number's own limits count per client: a stranger's requests use
        up the stranger's allowance, not the owner's. Half the number's daily codes per client, and a cap per
        number and day over all clients bound the texts a number gets. A sign-in with a code shows the phone is
        at hand: it starts the number's daily count afresh, and that client's counts for the number (not a
        stranger's)."""
        s = self._settings
        day = timedelta(days=1)
        signed_in = await q.last_sign_in(number, since=now - day)
        signed_in_here = await q.last_sign_in(number, since=now - day, client_hash=client)
        for window in (
            _Window("phone", timedelta(minutes=15), s.otp_per_number_15min, number, client, signed_in_here),
            _Window("phone", day, max(s.otp_per_number_day // 2, 1), number, client, signed_in_here),
            _Window("phone", day, s.otp_per_number_day, number, None, signed_in),
            _Window("client", timedelta(hours=1), s.otp_per_client_hour, None, client, None),
        ):
            await self._refuse_if_full(window, now)
        local_midnight = now.astimezone(HELSINKI).replace(hour=0, minute=0, second=0, microsecond=0)
        if await q.count_challenges(since=local_midnight) >= s.sms_daily_budget:
            tomorrow = (local_midnight + timedelta(days=1, hours=1)).replace(hour=0)
            log.error("daily SMS budget of %d reached; sign-in codes paused until midnight", s.sms_daily_budget)
            raise TooManyRequests(
                "Sign-in by text message is paused for today. Please call the helpline.",
                retry_after=max(int((tomorrow - now).total_seconds()), 1),
                code="sms_budget_exhausted",
            )

    async def _refuse_if_full(self, window: _Window, now: datetime) -> None:
        since, phone, client, after = now - window.length, window.phone, window.client_hash, window.after
        if await q.count_challenges(since=since, phone=phone, client_hash=client, after=after) < window.limit:
            return
        oldest = await q.oldest_challenge_since(since=since, phone=phone, client_hash=client, after=after)
        retry = int(((oldest or now) + window.length - now).total_seconds()) + 1
        log.info("sign-in code refused: %s limit (%d per %s)", window.scope, window.limit, window.length)
        raise TooManyRequests(
            "Too many codes were asked for. Please wait before asking again, or call the helpline.",
            retry_after=max(retry, 1),
            code=f"too_many_codes_{window.scope}",
        )

    async def verify_code(self, *, challenge_id: uuid.UUID, code: str, language: str) -> NewSession:
        """Exchange a code for a session. The same vague error covers unknown, used, expired and wrong codes,
        with how many tries are left when that is safe to say."""
        phone = await self.accept_code(challenge_id=challenge_id, code=code, purpose="sign_in")
        return await self._open_session(phone=phone, language=language, now=self._clock.now())

    async def accept_code(self, *, challenge_id: uuid.UUID, code: str, purpose: str) -> str:
        """Use up a code given for `purpose`; the number it was sent to, or a 422 saying what is wrong."""
        now = self._clock.now()
        refused = InvalidInput("The code is not valid. Ask for a new code.", code="code_invalid")
        async with write_transaction(self._engine):
            found = await q.get_challenge(challenge_id, purpose)
            if found is None:
                raise refused
            challenge, phone = found
            offered = otp.code_hash(self._settings.secret_key, str(challenge_id), code)
            decision = otp.decide(
                challenge, offered_hash=offered, now=now, max_attempts=self._settings.otp_max_attempts
            )
            changed = decision.status is not challenge.status or decision.attempts != challenge.attempts
            if changed and not await q.record_decision(challenge, decision):
                raise refused
        if decision.outcome is otp.Outcome.WRONG:
            left = self._settings.otp_max_attempts - decision.attempts
            raise InvalidInput(
                f"The code is wrong. You can try {left} more time{'s' if left != 1 else ''}.",
                code="code_wrong",
                extra={"attempts_left": left},
            )
        if decision.outcome is otp.Outcome.EXPIRED:
            raise InvalidInput("The code has expired. Ask for a new code.", code="code_expired")
        if decision.outcome is not otp.Outcome.ACCEPTED:
            raise refused
        return phone

    async def _open_session(self, *, phone: str, language: str, now: datetime) -> NewSession:
        async with write_transaction(self._engine):
            person = await q.person_by_phone(phone)
            if person is None:
                person = await q.create_resident(phone=phone, language=language, now=now)
            if not person.active:
                raise Forbidden("This account is not in use. Please call the helpline.", code="account_inactive")
            grants = await q.grants_of(person.id)
            kind = lifetime_class(frozenset(g.role for g in grants))
            lifetime = self.lifetime(kind)
            token = secrets.token_urlsafe(32)
            session_id = await q.insert_session(
                token_hash=_token_hash(token),
                person_id=person.id,
                lifetime_class=kind,
                now=now,
                expires_at=now + timedelta(hours=lifetime.absolute_hours),
            )
        principal = Principal(
            person_id=person.id,
            sign_in_id=session_id,
            first_name=person.first_name,
            language=person.language,
            grants=grants,
        )
        await self._audit.record(principal, "auth.sign_in", "session", str(session_id))
        staff = bool(principal.roles & STAFF_ROLES)
        return NewSession(
            token=token,
            principal=principal,
            second_factor_required=staff,
            password_set=person.password_hash is not None,
            max_age=lifetime.absolute_hours * 3600,
        )

    def lifetime(self, kind: str) -> SessionLifetime:
        lifetime: SessionLifetime = getattr(self._settings, f"{kind}_session")
        return lifetime

    # ---- sessions ----------------------------------------------------------------------------------------

    async def authenticate(self, token: str) -> Principal | None:
        """The principal for a session cookie, or None if the session is unknown, revoked, idle too long,
        past its absolute lifetime, or its person was deactivated."""
        if not token or len(token) > 100:
            return None
        found = await q.session_by_token_hash(_token_hash(token))
        if found is None:
            return None
        session, person, grants = found
        now = self._clock.now()
        # Roles can change during a session (a resident made a coordinator): the stricter lifetime applies.
        kind = stricter(session.lifetime_class, lifetime_class(frozenset(g.role for g in grants)))
        lifetime = self.lifetime(kind)
        ends = min(session.expires_at, session.created_at + timedelta(hours=lifetime.absolute_hours))
        if (
            session.revoked_at is not None
            or now >= ends
            or now >= session.last_seen_at + timedelta(minutes=lifetime.idle_minutes)
            or not person.active
        ):
            return None
        if now - session.last_seen_at >= TOUCH_INTERVAL:
            await q.touch_session(session.id, now)
        return Principal(
            person_id=person.id,
            sign_in_id=session.id,
            first_name=person.first_name,
            language=person.language,
            grants=grants,
            second_factor=session.password_verified_at is not None,
        )

    async def sign_out(self, principal: Principal) -> None:
        await q.revoke_session(principal.sign_in_id, self._clock.now())
        await self._audit.record(principal, "auth.sign_out", "sign_in", str(principal.sign_in_id))

    async def end_all_sessions(self, person_id: uuid.UUID) -> int:
        return await q.revoke_sessions_of(person_id, self._clock.now())

    # ---- coordinators' second factor -----------------------------------------------------------------------

    async def second_factor(self, principal: Principal, password: str) -> tuple[str, Principal]:
        """Check (or, the first time, set) a coordinator's password. On success the session id is rotated
        and the new token returned. Five wrong passwords end the session: each try takes one of the five in the
        database before argon2 runs, so parallel tries cannot get more checked, and once they are used up even
        the right password is refused."""
        if not principal.roles & STAFF_ROLES:
            raise Forbidden("Only coordinators use a password.", code="not_staff")
        person = await q.person_by_id(principal.person_id)
        assert person is not None
        if person.password_hash is None:
            _check_length(password)
        taken = await q.reserve_password_try(principal.sign_in_id, MAX_PASSWORD_FAILURES)
        if taken is None:
            await self._lock_out(principal)
        if not await self._set_or_check(principal, person.password_hash, password):
            await self._audit.record(principal, "auth.password_failed", "sign_in", str(principal.sign_in_id))
            if taken >= MAX_PASSWORD_FAILURES:
                await self._lock_out(principal)
            raise InvalidInput("The password is wrong.", code="password_wrong")
        return await self._rotate(principal)

    async def _set_or_check(self, principal: Principal, known_hash: str | None, password: str) -> bool:
        """Set the first password, or check against the one there is. Of two first settings at once (a second
        tab) only one wins; the other is then checked against it rather than silently replacing it."""
        if known_hash is None:
            hashed = await anyio.to_thread.run_sync(lambda: hash_password(password, self._hasher))
            if await q.set_first_password_hash(principal.person_id, hashed):
                await self._audit.record(principal, "auth.password_set", "person", str(principal.person_id))
                return True
            known_hash = await q.password_hash_of(principal.person_id)
        return known_hash is not None and await self._verify(known_hash, password)

    async def _verify(self, hashed: str, password: str) -> bool:
        try:
            # argon2 takes a noticeable fraction of a second on purpose: keep it off the event loop.
            await anyio.to_thread.run_sync(self._hasher.verify, hashed, password)
        except (VerificationError, InvalidHashError):
            return False
        return True

    async def _lock_out(self, principal: Principal) -> NoReturn:
        if await q.revoke_session(principal.sign_in_id, self._clock.now()):
            await self._audit.record(principal, "auth.password_locked", "sign_in", str(principal.sign_in_id))
        raise NotAuthenticated("Too many wrong passwords. Sign in again with a new code.", code="password_locked")

    async def _rotate(self, principal: Principal) -> tuple[str, Principal]:
        """A new token only for a sign-in that is still live: parallel wrong tries may have ended it while this
        one was being checked, and a token for an ended sign-in must not be handed out."""
        token = secrets.token_urlsafe(32)
        if not await q.rotate_live_session(
            principal.sign_in_id, new_token_hash=_token_hash(token), password_verified_at=self._clock.now()
        ):
            raise NotAuthenticated("This sign-in has ended. Sign in again with a new code.", code="password_locked")
        await self._audit.record(principal, "auth.second_factor", "sign_in", str(principal.sign_in_id))
        elevated = Principal(
            person_id=principal.person_id,
            sign_in_id=principal.sign_in_id,
            first_name=principal.first_name,
            language=principal.language,
            grants=principal.grants,
            second_factor=True,
        )
        return token, elevated

    async def purge(self) -> tuple[int, int]:
        now = self._clock.now()
        return await q.purge_sign_in_data(
            challenges_before=now - timedelta(days=1), sessions_before=now - timedelta(days=1)
        )


def password_hasher(settings: Settings) -> PasswordHasher:
    """argon2id with the library's current defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes). The test
    suite may ask for the cheapest parameters (APURI_ARGON2_PROFILE=fast, refused outside tests): every test
    signs coordinators in, and strong hashing is most of a test's set-up. A hash carries its own parameters, so
    verifying needs no setting."""
    if settings.argon2_profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """A coordinator's second-factor password, hashed (strong parameters unless a test's hasher is given)."""
    _check_length(password)
    return (hasher or PasswordHasher()).hash(password)


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters.", code="password_too_short"
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
