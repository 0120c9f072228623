"""Web push subscriptions: one row per browser endpoint, the person it belongs to and its keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from server.db.tables import PushSubscription


@dataclass(frozen=True, slots=True)
class Subscription:
    id: uuid.UUID
    person_id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str


async def subscriptions_of(person_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Subscription]]:
    found: dict[uuid.UUID, list[Subscription]] = {}
    if not person_ids:
        return found
    for r in await PushSubscription.select().where(PushSubscription.person.is_in(list(person_ids))):
        found.setdefault(r["person"], []).append(
            Subscription(r["id"], r["person"], r["endpoint"], r["p256dh"], r["auth"])
        )
    return found


async def save_subscription(*, person_id: uuid.UUID, endpoint: str, p256dh: str, auth: str, now: datetime) -> None:
    """One row per endpoint: a browser that subscribes again (new keys, or another person on a shared device)
    replaces what was there."""
    await PushSubscription.delete().where(PushSubscription.endpoint == endpoint)
    await PushSubscription.insert(
        PushSubscription(id=uuid.uuid4(), person=person_id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=now)
    )


async def delete_subscription(*, endpoint: str, person_id: uuid.UUID | None = None) -> int:
    query = PushSubscription.delete().where(PushSubscription.endpoint == endpoint)
    if person_id is not None:
        query = query.where(PushSubscription.person == person_id)
    return len(await query.returning(PushSubscription.id))


async def subscription_count(person_id: uuid.UUID) -> int:
    return int(await PushSubscription.count().where(PushSubscription.person == person_id))


async def push_worked(subscription_id: uuid.UUID, now: datetime) -> None:
    await PushSubscription.update({PushSubscription.last_success_at: now}).where(PushSubscription.id == subscription_id)


async def keep_newest_subscriptions(person_id: uuid.UUID, keep: int) -> None:
    rows = (
        await PushSubscription.select(PushSubscription.id)
        .where(PushSubscription.person == person_id)
        .order_by(PushSubscription.created_at, ascending=False)
    )
    old = [r["id"] for r in rows[keep:]]
    if old:
        await PushSubscription.delete().where(PushSubscription.id.is_in(old))
