"""Personal data: a person sees, downloads and erases what Apuri holds about them (GDPR art. 15, 17, 20), a
coordinator does it for a caller on their word, the municipality's tooling through the profile GDPR API, and the
daily retention job removes what has outlived its period (art. 5(1)(e))."""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from server.adapters.clock import Clock
from server.adapters.sms import SmsError, SmsSender
from server.db import personal_data as q
from server.db import retention
from server.db.engine import AnyEngine, serialise, write_transaction
from server.domain.errors import Forbidden, InvalidInput, NotFound
from server.domain.personal_data import Cutoffs, Erased, Node, Periods, Upcoming
from server.domain.phone import display, is_mobile, mask, parse_any
from server.domain.roles import ForResident, Grant, Principal, Role
from server.services.audit import AuditService
from server.services.auth import AuthService, IssuedChallenge
from server.services.events import EventService
from server.services.offers import OfferService
from server.services.sessions import SessionService
from server.settings import Settings

log = logging.getLogger("apuri.personal_data")
HELSINKI_DAY = "%Y-%m-%d"
_HELSINKI = ZoneInfo("Europe/Helsinki")

# Staff say why they opened a resident's data; a fixed list, so no name or number is ever typed into the trail.
PURPOSES = ("data_request", "erasure_request")

_ERASED_TEXT = {
    "fi": "Apuri: Tietosi on poistettu pyynnöstäsi. Tulevat aikasi on peruttu. Kysyttävää? Soita {helpline}.",
    "sv": "Apuri: Dina uppgifter har raderats på din begäran. Dina kommande tider är avbokade. Frågor? "
    "Ring {helpline}.",
    "en": "Apuri: Your data has been erased as you asked. Your coming times are cancelled. Questions? Call {helpline}.",
}


@dataclass(frozen=True, slots=True)
class PersonalData:
    person_id: uuid.UUID
    generated_at: datetime
    data: Node


@dataclass(frozen=True, slots=True)
class ErasurePreview:
    person_id: uuid.UUID
    upcoming: list[Upcoming]
    blockers: list[str]


@dataclass(frozen=True, slots=True)
class CoordinatorErased:
    erased: Erased
    told_by_sms: bool


@dataclass(frozen=True, slots=True)
class PurgeRun:
    ran: bool  # False: another worker has today's run
    removed: dict[str, int]


class PersonalDataService:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        auth: AuthService,
        sessions: SessionService,
        events: EventService,
        offers: OfferService,
        sms: SmsSender,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._auth = auth
        self._sessions = sessions
        self._events = events
        self._offers = offers
        self._sms = sms

    @property
    def periods(self) -> Periods:
        s = self._settings
        return Periods(
            inactive_resident_days=s.retention_days,
            note_days=s.note_retention_days,
            message_days=s.message_retention_days,
            staff_days=s.staff_retention_days,
        )

    # ---- the person themselves ----------------------------------------------------------------------------

    async def mine(self, caller: Principal) -> PersonalData:
        found = await self._collect(caller.person_id, caller.language)
        await self._audit.record(caller, "personal_data.own", "person", str(caller.person_id))
        return found

    async def preview_mine(self, caller: Principal) -> ErasurePreview:
        return await self._preview(caller.person_id, caller.language)

    async def erase_code(self, caller: Principal, client_address: str) -> IssuedChallenge:
        """A fresh SMS code to the person's own number confirms "erase my data"."""
        person = await q.person_row(caller.person_id)
        if person is None or person["erased_at"] is not None:
            raise NotFound("No such person.", code="person_not_found")
        preview = await self._preview(caller.person_id, caller.language)
        self._refuse_blocked(preview)
        return await self._auth.request_code(
            phone=person["phone"], language=caller.language, client_address=client_address, purpose="erase"
        )

    async def erase_mine(self, caller: Principal, *, challenge_id: uuid.UUID, code: str) -> Erased:
        """Erase the caller's data once the code sent to their own number is given back. Everything upcoming is
        cancelled in the same transaction; their sign-ins end with it."""
        person = await q.person_row(caller.person_id)
        if person is None or person["erased_at"] is not None:
            return Erased(person_id=caller.person_id, cancelled_sessions=0, cancelled_requests=0, already=True)
        self._refuse_blocked(await self._preview(caller.person_id, caller.language))
        phone = await self._auth.accept_code(challenge_id=challenge_id, code=code, purpose="erase")
        if phone != person["phone"]:
            raise InvalidInput("The code is not valid. Ask for a new code.", code="code_invalid")
        return await self._erase(caller, caller, caller.person_id, reason="own_request")

    # ---- a coordinator, for a caller on the phone -----------------------------------------------------------

    async def for_caller(self, caller: Principal, *, phone: str, purpose: str) -> PersonalData:
        """A resident asked on the phone for their data (to be posted or read out). Scoped like every
        coordinator action; audited with the purpose."""
        person_id, language = await self._caller_resident(caller, phone, purpose, "personal_data.export")
        return await self._collect(person_id, language)

    async def preview_for_caller(self, caller: Principal, *, phone: str, purpose: str) -> ErasurePreview:
        person_id, language = await self._caller_resident(caller, phone, purpose, "personal_data.erase_preview")
        return await self._preview(person_id, language)

    async def erase_for_caller(self, caller: Principal, *, phone: str, purpose: str) -> CoordinatorErased:
        """Erase a caller's data on their word. They are told by SMS (a landline: the coordinator tells them on
        the call they are on; the answer says which)."""
        person_id, language = await self._caller_resident(caller, phone, purpose, "personal_data.erase_request")
        self._refuse_blocked(await self._preview(person_id, language))
        number = await self._phone_of(person_id)
        erased = await self._erase(caller, _as_resident(person_id, language), person_id, reason="caller_request")
        told = False
        if number and is_mobile(number) and not erased.already:
            told = await self._tell(number, language)
        return CoordinatorErased(erased=erased, told_by_sms=told)

    async def _caller_resident(self, caller: Principal, phone: str, purpose: str, action: str) -> tuple[uuid.UUID, str]:
        if purpose not in PURPOSES:
            raise InvalidInput("Purpose must be data_request or erasure_request.", code="purpose_invalid")
        number = parse_any(phone) or ""
        person = await q.person_by_phone(number)
        visible = person is not None and person["erased_at"] is None
        if visible and person is not None and not caller.is_network_coordinator:
            visible = await q.resident_within(person["id"], caller.coordinated_organisations)
        home = min(caller.coordinated_organisations, key=str) if caller.coordinated_organisations else None
        await self._audit.record(
            caller,
            action,
            "person",
            str(person["id"]) if visible and person else "",
            organisation_id=home,
            subject_id=person["id"] if visible and person else None,
            detail={"purpose": purpose, "found": visible},
        )
        if not visible or person is None:
            raise NotFound("No resident with this number that you oversee.", code="resident_not_found")
        return person["id"], person["language"]

    # ---- the municipality's tooling (profile GDPR API) -------------------------------------------------------

    def api_enabled(self) -> bool:
        return bool(self._settings.gdpr_api_token_hash)

    def api_token_ok(self, token: str) -> bool:
        expected = self._settings.gdpr_api_token_hash
        offered = hashlib.sha256(token.encode()).hexdigest()
        return bool(expected) and hmac.compare_digest(expected, offered)

    async def api_profile(self, person_id: uuid.UUID) -> Node:
        person = await q.person_row(person_id)
        if person is None or person["erased_at"] is not None:
            raise NotFound("No such profile.", code="profile_not_found")
        await self._audit.record(None, "personal_data.api_read", "person", str(person_id), subject_id=person_id)
        return (await self._collect(person_id, person["language"])).data

    async def api_erase(self, person_id: uuid.UUID, *, dry_run: bool) -> list[str]:
        """Blockers (empty: erased, or erasable on a dry run). A person already erased answers as done."""
        person = await q.person_row(person_id)
        if person is None:
            raise NotFound("No such profile.", code="profile_not_found")
        if person["erased_at"] is not None:
            return []
        preview = await self._preview(person_id, person["language"])
        if preview.blockers or dry_run:
            return preview.blockers
        await self._erase(None, _as_resident(person_id, person["language"]), person_id, reason="gdpr_api")
        return []

    # ---- retention --------------------------------------------------------------------------------------------

    async def purge(self, *, dry_run: bool = False, manual: bool = False) -> PurgeRun:
        """The daily retention run. Once a day across workers (the day's row is the claim); `manual` (apuri
        purge) runs whatever the day. A dry run counts what would go and changes nothing."""
        now = self._clock.now()
        cut = self.periods.cutoffs(now)
        if dry_run:
            inactive = await retention.inactive_residents(cut.inactive_before, now)
            staff = await retention.former_staff(cut.staff_before)
            try:
                async with write_transaction(self._engine):
                    raise _DryRun(await self._blank(cut, now))  # counted, then rolled back
            except _DryRun as stop:
                counts = stop.counts
            return PurgeRun(
                ran=False, removed=counts | {"inactive_residents": len(inactive), "former_staff": len(staff)}
            )
        day = now.astimezone(_HELSINKI).strftime(HELSINKI_DAY)
        run_id = await retention.claim_day("m" + uuid.uuid4().hex[:9] if manual else day, now)
        if run_id is None:
            return PurgeRun(ran=False, removed={})
        removed: dict[str, int] = {}
        async with write_transaction(self._engine):
            removed.update(await self._blank(cut, now))
        erased = 0
        for person_id in await retention.inactive_residents(cut.inactive_before, now):
            erased += await self._erase_quietly(person_id, "retention_inactive")
        removed["inactive_residents"] = erased
        former = 0
        for person_id in await retention.former_staff(cut.staff_before):
            former += await self._erase_quietly(person_id, "retention_staff")
        removed["former_staff"] = former
        await retention.finish(run_id, self._clock.now(), removed)
        log.info("retention: %s", ", ".join(f"{k} {v}" for k, v in removed.items()))
        return PurgeRun(ran=True, removed=removed)

    async def last_purge(self) -> tuple[datetime, datetime | None, dict[str, object]] | None:
        return await retention.last_run()

    async def _blank(self, cut: Cutoffs, now: datetime) -> dict[str, int]:
        return {
            "notes": await retention.blank_old_notes(cut.notes_before),
            "home_addresses": await retention.blank_old_addresses(cut.notes_before),
            "message_texts": await retention.blank_old_texts(cut.messages_before, now),
        }

    async def _erase_quietly(self, person_id: uuid.UUID, reason: str) -> int:
        async with write_transaction(self._engine):
            await serialise(self._engine, f"erase:{person_id}")
            if not await q.erase(person_id, self._clock.now()):
                return 0
            await self._audit.record(
                None, "person.erase", "person", str(person_id), subject_id=person_id, detail={"reason": reason}
            )
        return 1

    # ---- shared -------------------------------------------------------------------------------------------------

    async def _collect(self, person_id: uuid.UUID, language: str) -> PersonalData:
        data = await q.collect(person_id, language)
        if data is None:
            raise NotFound("No such person.", code="person_not_found")
        return PersonalData(person_id=person_id, generated_at=self._clock.now(), data=data)

    async def _preview(self, person_id: uuid.UUID, language: str) -> ErasurePreview:
        now = self._clock.now()
        topics = await q.topic_names(language)
        sessions = await q.live_sessions(person_id, now)
        requests = await q.open_requests(person_id)
        places = await q.place_names(
            {p for p in [s["help_point"] for s in sessions] + [r["help_point"] for r in requests] if p}
        )
        upcoming = [
            Upcoming(
                kind="session",
                id=s["id"],
                topic=topics.get(s["request.topic"], s["request.topic"]),
                starts_at=s["starts_at"],
                place=places.get(s["help_point"], "") if s["help_point"] else "",
            )
            for s in sessions
        ] + [
            Upcoming(
                kind="request",
                id=r["id"],
                topic=topics.get(r["topic"], r["topic"]),
                starts_at=None,
                place=places.get(r["help_point"], "") if r["help_point"] else "",
            )
            for r in requests
        ]
        blockers = ["staff_role"] if await q.holds_staff_role(person_id) else []
        return ErasurePreview(person_id=person_id, upcoming=upcoming, blockers=blockers)

    @staticmethod
    def _refuse_blocked(preview: ErasurePreview) -> None:
        if preview.blockers:
            raise Forbidden(
                "This person also volunteers or works in the network: their organisation ends that role first, "
                "then the data can be erased.",
                code="erasure_blocked",
                extra={"reasons": preview.blockers},
            )

    async def _erase(
        self, audited_as: Principal | None, acting: Principal, person_id: uuid.UUID, *, reason: str
    ) -> Erased:
        """Cancel what is upcoming (volunteers and partners told as on any cancellation), then erase, all in one
        transaction: a failure anywhere leaves everything as it was."""
        scope = "personal_data: the person's own data (own request, a caller they oversee, or the GDPR API)"
        async with write_transaction(self._engine):
            await serialise(self._engine, f"erase:{person_id}")
            now = self._clock.now()
            sessions = await q.live_sessions(person_id, now)
            for s in sessions:
                await self._sessions.cancel_for(ForResident(acting, person_id, scope_checked_by=scope), s["id"])
            signups = await self._events.leave_all(acting, person_id)
            requests = await q.open_requests(person_id)
            for r in requests:
                await self._offers.cancel_request_for(ForResident(acting, person_id, scope_checked_by=scope), r["id"])
            if not await q.erase(person_id, now):
                return Erased(person_id=person_id, cancelled_sessions=0, cancelled_requests=0, already=True)
            await self._audit.record(
                audited_as,
                "person.erase",
                "person",
                str(person_id),
                subject_id=person_id,
                detail={"reason": reason, "sessions": len(sessions), "requests": len(requests), "signups": signups},
            )
        log.info("erased person %s (%s)", person_id, reason)
        return Erased(person_id=person_id, cancelled_sessions=len(sessions), cancelled_requests=len(requests))

    async def _phone_of(self, person_id: uuid.UUID) -> str:
        person = await q.person_row(person_id)
        return str(person["phone"]) if person else ""

    async def _tell(self, number: str, language: str) -> bool:
        """The erasure notice goes straight out and is not kept (the outbox would keep the number)."""
        body = _ERASED_TEXT.get(language, _ERASED_TEXT["fi"]).format(helpline=display(self._settings.helpline_phone))
        try:
            await self._sms.send(to=number, body=body)
        except SmsError as exc:
            log.warning("erasure notice to %s not sent: %s", mask(number), exc)
            return False
        return True


class _DryRun(Exception):
    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__("dry run")
        self.counts = counts


def _as_resident(person_id: uuid.UUID, language: str) -> Principal:
    """The resident as the one who cancels (their erasure cancels their own sessions)."""
    return Principal(
        person_id=person_id,
        sign_in_id=uuid.UUID(int=0),
        first_name="",
        language=language,
        grants=frozenset({Grant(Role.RESIDENT, None)}),
    )
