"""The public catalogue of the network's partners: who they are, what each helps with (topics), how (at their help
points, by phone or video, at home), where (their help points with opening hours, accessibility notes and drop-in
hours) and their phone number, so a resident can also go to them directly. Public information, no sign-in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.db import catalogue as q
from server.db import drop_in as drop_in_q
from server.domain import network
from server.domain.drop_in import DropInHour
from server.domain.municipalities import finnish_name
from server.domain.paging import Page, PageRequest, page_of

WAYS = ("help_point", "phone", "video", "home_visit")


@dataclass(frozen=True, slots=True)
class Place:
    help_point: network.HelpPoint
    drop_in: tuple[DropInHour, ...]


@dataclass(frozen=True, slots=True)
class Partner:
    organisation: network.Organisation
    topics: tuple[str, ...]
    ways: tuple[str, ...]
    places: tuple[Place, ...]

    @property
    def key(self) -> tuple[str, uuid.UUID]:
        return self.organisation.name, self.organisation.id


class CatalogueService:
    async def partners(
        self, page: PageRequest, *, municipality: str | None = None, topic: str | None = None
    ) -> Page[Partner]:
        """The active partners by name: those with a help point in the municipality (named in Finnish or Swedish)
        or based there, or serving a topic."""
        organisations = await q.active_organisations()
        ids = [o.id for o in organisations]
        topics = await q.topics_served(ids)
        ways = await q.ways_of_volunteers(ids)
        points = await q.open_help_points(ids)
        hours: dict[uuid.UUID, list[DropInHour]] = {}
        for hour, place in await drop_in_q.in_force(organisations=ids):
            hours.setdefault(place.id, []).append(hour)
        town = finnish_name(municipality).casefold() if municipality else None
        found = []
        for organisation in organisations:
            its_points = points.get(organisation.id, [])
            if town is not None and town not in {
                organisation.municipality.casefold(),
                *(p.municipality.casefold() for p in its_points),
            }:
                continue
            if topic is not None and topic not in topics.get(organisation.id, set()):
                continue
            how = set(ways.get(organisation.id, set())) | ({"help_point"} if its_points else set())
            places = tuple(
                Place(p, tuple(sorted(hours.get(p.id, []), key=lambda h: (h.weekday, h.starts)))) for p in its_points
            )
            found.append(
                Partner(organisation, tuple(sorted(topics.get(organisation.id, set()))), _in_order(how), places)
            )
        found.sort(key=lambda p: (p.key[0].casefold(), p.key[1]))
        after = page.after((str, uuid.UUID))
        if after is not None:
            mark = (str(after[0]).casefold(), after[1])
            found = [p for p in found if (p.key[0].casefold(), p.key[1]) > mark]
        return page_of(found, page, lambda p: p.key)


def _in_order(ways: set[str]) -> tuple[str, ...]:
    return tuple(w for w in WAYS if w in ways)
