"""Messages as people manage them: a session's reminder ledger (coordinators), the wording of every message
(the network coordinator), push subscriptions and one's own code word (everyone)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from server.adapters.clock import Clock
from server.db import delivery_reports, message_context, message_templates, outbox, push_subscriptions
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import InvalidInput, NotFound
from server.domain.messages import DEFAULTS, LANGUAGES, check_code_word, check_template, placeholders, render, when_text
from server.domain.roles import Principal
from server.domain.sms_text import SmsSize, sms_size
from server.services.audit import AuditService
from server.services.notifications import NotificationService

MAX_SUBSCRIPTIONS = 10  # devices per person; the oldest goes when an eleventh subscribes
# Message texts and reply bodies are kept 90 days (enough to answer "what did you send me?"), then blanked; the
# rows stay as the record that something was sent, without the words or the number.

# Long but real values, so the cost shown for a template is what a real message costs.
SAMPLE = {
    "place": "Kuusamon kaupunginkirjasto, Kaiterantie 22, Kuusamo",
    "volunteer": "Marja-Liisa",
    "resident": "Marja-Liisa",
    "topic": "Verkkopankki ja tunnistautuminen",
}
SAMPLE_WHEN = datetime(2026, 12, 30, 14, 45, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TemplateView:
    name: str
    language: str
    body: str
    default_body: str
    customised: bool
    link_free: bool
    placeholders: frozenset[str]
    size: SmsSize


class MessagingService:
    def __init__(
        self, *, clock: Clock, engine: AnyEngine, audit: AuditService, notifications: NotificationService
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._notifications = notifications

    # ---- the ledger ---------------------------------------------------------------------------------------

    async def ledger(self, caller: Principal, session_id: uuid.UUID) -> list[tuple[dict[str, Any], str]]:
        """Every message of a session the caller oversees, with who it was for (never their number)."""
        people = await message_context.session_people(session_id, caller.oversees)
        if people is None:
            raise NotFound("No such session.", code="session_not_found")
        resident, volunteer = people
        rows = await outbox.ledger(session_id)
        await self._audit.record(caller, "session.messages.read", "session", str(session_id), subject_id=resident)
        return [
            (r, "resident" if r["person"] == resident else "volunteer" if r["person"] == volunteer else "other")
            for r in rows
        ]

    # ---- templates ----------------------------------------------------------------------------------------

    def _view(self, name: str, language: str, own: tuple[str, bool] | None) -> TemplateView:
        default = DEFAULTS[name][language]
        body, link_free = own if own else (default, True)
        values = {
            **SAMPLE,
            "when": when_text(SAMPLE_WHEN, language),
            "helpline": self._notifications.helpline,
            "link": self._notifications.link,
        }
        filled = render(body, values, link_free=link_free, language=language)
        return TemplateView(
            name, language, body, default, own is not None, link_free, frozenset(placeholders(body)), sms_size(filled)
        )

    async def templates(self) -> list[TemplateView]:
        own = await message_templates.templates()
        return [self._view(name, lang, own.get((name, lang))) for name in DEFAULTS for lang in LANGUAGES]

    async def save_template(
        self, caller: Principal, name: str, language: str, body: str, link_free: bool
    ) -> TemplateView:
        try:
            check_template(name, body)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="template_invalid") from None
        body = body.strip().replace("\r\n", "\n")
        async with write_transaction(self._engine):
            await message_templates.save_template(
                name=name, language=language, body=body, link_free=link_free, now=self._clock.now(), by=caller.person_id
            )
            await self._audit.record(
                caller, "template.save", "template", f"{name}/{language}", detail={"link_free": link_free}
            )
        self._notifications.forget_templates()
        return self._view(name, language, (body, link_free))

    def preview_template(self, name: str, language: str, body: str, link_free: bool) -> TemplateView:
        """What a wording would cost, checked as saving checks it, without saving (shown while typing)."""
        try:
            check_template(name, body)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="template_invalid") from None
        return self._view(name, language, (body.strip().replace("\r\n", "\n"), link_free))

    async def reset_template(self, caller: Principal, name: str, language: str) -> TemplateView:
        if name not in DEFAULTS:
            raise NotFound("There is no such message.", code="template_not_found")
        async with write_transaction(self._engine):
            await message_templates.reset_template(name=name, language=language)
            await self._audit.record(caller, "template.reset", "template", f"{name}/{language}")
        self._notifications.forget_templates()
        return self._view(name, language, None)

    # ---- push subscriptions -------------------------------------------------------------------------------

    async def subscribe(self, caller: Principal, endpoint: str, p256dh: str, auth: str) -> int:
        async with write_transaction(self._engine):
            await push_subscriptions.save_subscription(
                person_id=caller.person_id, endpoint=endpoint, p256dh=p256dh, auth=auth, now=self._clock.now()
            )
            await push_subscriptions.keep_newest_subscriptions(caller.person_id, MAX_SUBSCRIPTIONS)
            return await push_subscriptions.subscription_count(caller.person_id)

    async def unsubscribe(self, caller: Principal, endpoint: str) -> int:
        await push_subscriptions.delete_subscription(endpoint=endpoint, person_id=caller.person_id)
        return await push_subscriptions.subscription_count(caller.person_id)

    async def purge(self) -> int:
        """Delivery reports that never found their message (texts and numbers go with retention: the daily
        personal-data run)."""
        return await delivery_reports.purge_early_reports(self._clock.now() - timedelta(days=1))

    # ---- one's own settings -------------------------------------------------------------------------------

    async def my_settings(self, caller: Principal) -> tuple[str, bool]:
        return await message_context.message_settings(caller.person_id)

    async def update_settings(self, caller: Principal, *, code_word: str | None, sms: bool | None) -> tuple[str, bool]:
        if code_word is not None:
            code_word = " ".join(code_word.split())
            try:
                check_code_word(code_word)
                if code_word and sms_size(code_word).encoding != "GSM-7":
                    raise ValueError(
                        "Choose a code word of ordinary letters (å, ä and ö are fine), at most 20 characters."
                    )
            except ValueError as exc:
                raise InvalidInput(str(exc), code="code_word_invalid") from None
        await message_context.update_message_settings(caller.person_id, code_word=code_word, sms=sms)
        await self._audit.record(
            caller,
            "messages.settings",
            "person",
            str(caller.person_id),
            subject_id=caller.person_id,
            detail={"code_word": code_word is not None, "sms": sms},
        )
        return await message_context.message_settings(caller.person_id)
