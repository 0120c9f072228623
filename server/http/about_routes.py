"""Public facts the PWA shows before anyone signs in: the helpline number for those who would rather call."""

from __future__ import annotations

import msgspec
from litestar import get

from server.domain.phone import display
from server.http.security import PUBLIC, Svc


class AboutOut(msgspec.Struct, kw_only=True):
    helpline_phone: str
    helpline_display: str
    languages: list[str]


@get("/api/v1/about", opt=PUBLIC, tags=["about"], summary="Helpline number and languages")
async def about(services: Svc) -> AboutOut:
    phone = services.settings.helpline_phone
    return AboutOut(helpline_phone=phone, helpline_display=display(phone), languages=["fi", "sv", "en"])
