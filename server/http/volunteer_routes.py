"""A volunteer's own profile and weekly availability; coordinators read and change their volunteers'."""

from __future__ import annotations

import uuid

from litestar import Controller, get, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from server.http.security import COORDINATORS, VOLUNTEERS, Me, Svc, caller, roles
from server.http.topic_volunteer_schemas import AvailabilityIO, VolunteerProfileIO


class MyVolunteeringController(Controller):
    path = "/api/v1/me"
    tags = ["volunteers"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/volunteer-profile", opt=roles(*VOLUNTEERS), summary="What I offer as a volunteer")
    async def profile(self, me: Me, services: Svc) -> VolunteerProfileIO:
        return VolunteerProfileIO.of(await services.volunteers.profile(me))

    @put("/volunteer-profile", opt=roles(*VOLUNTEERS), summary="Change what I offer")
    async def save_profile(self, data: JSONBody[VolunteerProfileIO], me: Me, services: Svc) -> VolunteerProfileIO:
        return VolunteerProfileIO.of(await services.volunteers.save_profile(me, data.domain(me.person_id)))

    @get("/availability", opt=roles(*VOLUNTEERS), summary="My weekly availability and dates off or extra")
    async def availability(self, me: Me, services: Svc) -> AvailabilityIO:
        return AvailabilityIO.of(*await services.volunteers.availability(me))

    @put("/availability", opt=roles(*VOLUNTEERS), summary="Replace my availability (past dates are kept)")
    async def save_availability(self, data: JSONBody[AvailabilityIO], me: Me, services: Svc) -> AvailabilityIO:
        return AvailabilityIO.of(*await services.volunteers.save_availability(me, *data.domain()))


class VolunteerForCoordinatorsController(Controller):
    path = "/api/v1/people/{person_id:uuid}"
    tags = ["volunteers"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/volunteer-profile", opt=roles(*COORDINATORS), summary="A volunteer's profile")
    async def profile(self, person_id: FromPath[uuid.UUID], me: Me, services: Svc) -> VolunteerProfileIO:
        return VolunteerProfileIO.of(await services.volunteers.profile(me, person_id))

    @get("/availability", opt=roles(*COORDINATORS), summary="A volunteer's availability")
    async def availability(self, person_id: FromPath[uuid.UUID], me: Me, services: Svc) -> AvailabilityIO:
        return AvailabilityIO.of(*await services.volunteers.availability(me, person_id))

    @put("/volunteer-profile", opt=roles(*COORDINATORS), summary="Change a volunteer's profile on their word")
    async def save_profile(
        self, person_id: FromPath[uuid.UUID], data: JSONBody[VolunteerProfileIO], me: Me, services: Svc
    ) -> VolunteerProfileIO:
        """Audited with the volunteer as the subject. A partner coordinator adds only their organisation's help
        points."""
        return VolunteerProfileIO.of(await services.volunteers.save_profile_for(me, data.domain(person_id)))

    @put("/availability", opt=roles(*COORDINATORS), summary="Replace a volunteer's availability on their word")
    async def save_availability(
        self, person_id: FromPath[uuid.UUID], data: JSONBody[AvailabilityIO], me: Me, services: Svc
    ) -> AvailabilityIO:
        return AvailabilityIO.of(*await services.volunteers.save_availability_for(me, person_id, *data.domain()))
