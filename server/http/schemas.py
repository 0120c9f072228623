"""Request and response shapes at the HTTP edge. Requests reject unknown fields (no mass assignment)."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Literal

import msgspec

from server.domain.municipalities import municipality_name
from server.domain.network import PLACE_FIELDS, HelpPoint, OpeningPeriod, Organisation, in_language
from server.domain.people import PersonView
from server.domain.records import AuditEntry
from server.domain.roles import Principal

# Text never carries control characters (PostgreSQL cannot even store NUL); multi-line text keeps \t \n \r.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
MAX_INT4 = 2**31 - 1
# A moment that enters must say its offset ("2026-11-30T09:00:00+02:00" or "…Z"): a bare 09:00 is ambiguous.
AwareDateTime = Annotated[
    datetime, msgspec.Meta(tz=True, description="ISO 8601 with an offset, e.g. 2026-11-30T09:00:00+02:00")
]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=SINGLE_LINE)]
OptionalName = Annotated[str, msgspec.Meta(max_length=100, pattern=SINGLE_LINE)]
Line = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=SINGLE_LINE)]
Text = Annotated[str, msgspec.Meta(max_length=2000, pattern=MULTI_LINE)]
PhoneInput = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=SINGLE_LINE, examples=["040 123 4567"])]
Language = Literal["fi", "sv", "en"]
OrganisationKind = Literal["municipality", "library", "association", "education", "ngo", "company"]
InvitableRole = Literal["volunteer", "partner_coordinator"]
RoleName = Literal["resident", "volunteer", "partner_coordinator", "network_coordinator"]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Weekday = Annotated[int, msgspec.Meta(ge=0, le=6, description="0 = Monday … 6 = Sunday")]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


# ---- sign-in ------------------------------------------------------------------------------------------------


class CodeRequest(Input):
    phone: PhoneInput
    language: Language = "fi"


class ChallengeOut(msgspec.Struct, kw_only=True):
    challenge_id: uuid.UUID
    expires_in: int


class VerifyRequest(Input):
    challenge_id: uuid.UUID
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=12, pattern=SINGLE_LINE)]
    language: Language = "fi"


class PasswordRequest(Input):
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256, pattern=SINGLE_LINE)]


class GrantOut(msgspec.Struct, kw_only=True):
    role: RoleName
    organisation_id: uuid.UUID | None


class SignedInOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    first_name: str
    language: str
    roles: list[GrantOut]
    second_factor: bool
    second_factor_required: bool
    password_set: bool | None = None
    # After this many minutes without a request the sign-in ends (the app tells the person when it has).
    idle_minutes: int | None = None

    @classmethod
    def of(
        cls, principal: Principal, *, password_set: bool | None = None, idle_minutes: int | None = None
    ) -> SignedInOut:
        return cls(
            person_id=principal.person_id,
            first_name=principal.first_name,
            language=principal.language,
            roles=_grants(principal.grants),
            second_factor=principal.second_factor,
            second_factor_required=principal.is_coordinator and not principal.second_factor,
            password_set=password_set,
            idle_minutes=idle_minutes,
        )


def _grants(grants: frozenset) -> list[GrantOut]:  # type: ignore[type-arg]
    return sorted(
        (GrantOut(role=g.role.value, organisation_id=g.organisation_id) for g in grants),
        key=lambda g: (g.role, str(g.organisation_id)),
    )


# ---- people -------------------------------------------------------------------------------------------------


class PersonOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    first_name: str
    last_name: str
    phone: str
    language: str
    active: bool
    created_at: datetime
    roles: list[GrantOut]

    @classmethod
    def of(cls, p: PersonView) -> PersonOut:
        return cls(
            id=p.id,
            first_name=p.first_name,
            last_name=p.last_name,
            phone=p.phone,
            language=p.language,
            active=p.active,
            created_at=p.created_at,
            roles=_grants(p.grants),
        )


class MeUpdate(Input):
    first_name: OptionalName | None = None
    last_name: OptionalName | None = None
    language: Language | None = None


class InviteRequest(Input):
    role: InvitableRole
    phone: PhoneInput
    first_name: Name
    last_name: OptionalName = ""
    language: Language = "fi"


# Why a coordinator opened a resident's data: a fixed list, so the audit trail never holds a typed name or number.
LookupPurpose = Literal[
    "helpline call",
    "helpline call: booking",
    "helpline call: change or cancel",
    "callback",
    "data_request",
    "erasure_request",
]


class ResidentLookup(Input):
    phone: PhoneInput
    purpose: LookupPurpose = "helpline call"


# ---- organisations and help points --------------------------------------------------------------------------


# ---- a place's and a partner's own words in Swedish and English --------------------------------------------


class PartnerText(Input):
    name: OptionalName = ""
    description: Text = ""


class PartnerTranslations(Input):
    """The partner's name and description in Swedish and English (Finnish is the fallback)."""

    sv: PartnerText | None = None
    en: PartnerText | None = None


class PlaceText(Input):
    name: OptionalName = ""
    street_address: Annotated[str, msgspec.Meta(max_length=200, pattern=SINGLE_LINE)] = ""
    accessibility_notes: Text = ""


class PlaceTranslations(Input):
    """The help point's name, street address (place name) and accessibility notes in Swedish and English."""

    sv: PlaceText | None = None
    en: PlaceText | None = None


def translations_of(given: msgspec.Struct | None) -> dict[str, dict[str, str | None]]:
    """Translations as plain data for the service (which keeps only what is filled in)."""
    found: dict[str, dict[str, str | None]] = msgspec.to_builtins(given) if given is not None else {}
    return {language: texts for language, texts in found.items() if texts}


class OrganisationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    kind: OrganisationKind
    municipality: str
    phone: str | None
    active: bool
    description: str  # what the partner helps with, in Finnish
    translations: dict[str, dict[str, str]]  # {"sv": {"name", "description"}, "en": {…}}

    @classmethod
    def of(cls, o: Organisation) -> OrganisationOut:
        return cls(
            id=o.id,
            name=o.name,
            kind=o.kind.value,
            municipality=o.municipality,
            phone=o.phone,
            active=o.active,
            description=o.description,
            translations={k: dict(v) for k, v in o.translations.items()},
        )


class OrganisationCreate(Input):
    name: Name
    kind: OrganisationKind
    municipality: Name
    phone: Annotated[str, msgspec.Meta(max_length=32, pattern=SINGLE_LINE)] | None = None
    description: Text = ""
    translations: PartnerTranslations | None = None


class OrganisationUpdate(Input):
    name: Name | None = None
    kind: OrganisationKind | None = None
    municipality: Name | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32, pattern=SINGLE_LINE)] | None = None
    active: bool | None = None
    description: Text | None = None
    translations: Annotated[
        PartnerTranslations | None, msgspec.Meta(description="Replaces the Swedish and English words as a whole")
    ] = None


class OpeningPeriodIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    weekday: Weekday
    opens: time
    closes: time

    def domain(self) -> OpeningPeriod:
        return OpeningPeriod(self.weekday, self.opens.replace(tzinfo=None), self.closes.replace(tzinfo=None))


class HelpPointOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    street_address: str
    postal_code: str
    municipality: str
    latitude: float | None
    longitude: float | None
    accessibility_notes: str
    active: bool
    opening_hours: list[OpeningPeriodIO]
    translations: dict[str, dict[str, str]]  # {"sv": {"name", "street_address", "accessibility_notes"}, "en": {…}}
    # Asked in Swedish or English: the fields above that are shown in Finnish (no translation).
    in_finnish: list[str] = []

    @classmethod
    def of(cls, h: HelpPoint, language: str = "fi") -> HelpPointOut:
        shown = {name: in_language(getattr(h, name), h.translations, name, language) for name in PLACE_FIELDS}
        return cls(
            id=h.id,
            organisation_id=h.organisation_id,
            name=shown["name"][0],
            street_address=shown["street_address"][0],
            postal_code=h.postal_code,
            municipality=municipality_name(h.municipality, language),
            latitude=h.latitude,
            longitude=h.longitude,
            accessibility_notes=shown["accessibility_notes"][0],
            active=h.active,
            opening_hours=[OpeningPeriodIO(weekday=p.weekday, opens=p.opens, closes=p.closes) for p in h.opening_hours],
            translations={k: dict(v) for k, v in h.translations.items()},
            in_finnish=[name for name in PLACE_FIELDS if shown[name][1]],
        )


PostalCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{5}$")]


class HelpPointCreate(Input):
    name: Name
    street_address: Line
    postal_code: PostalCode
    municipality: Name
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accessibility_notes: Text = ""
    opening_hours: Annotated[list[OpeningPeriodIO], msgspec.Meta(max_length=50)] = []
    translations: PlaceTranslations | None = None


class HelpPointUpdate(Input):
    name: Name | None = None
    street_address: Line | None = None
    postal_code: PostalCode | None = None
    municipality: Name | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accessibility_notes: Text | None = None
    active: bool | None = None
    opening_hours: Annotated[list[OpeningPeriodIO], msgspec.Meta(max_length=50)] | None = None
    translations: Annotated[
        PlaceTranslations | None, msgspec.Meta(description="Replaces the Swedish and English words as a whole")
    ] = None


# ---- audit --------------------------------------------------------------------------------------------------


class AuditEntryOut(msgspec.Struct, kw_only=True):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str
    action: str
    object_type: str
    object_id: str
    organisation_id: uuid.UUID | None
    subject_id: uuid.UUID | None
    detail: dict[str, object]

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryOut:
        return cls(**{f: getattr(e, f) for f in cls.__struct_fields__})


def changes_of(update: msgspec.Struct, *, skip: tuple[str, ...] = ()) -> dict[str, object]:
    """The fields a PATCH body actually set (None means 'leave as is')."""
    return {
        name: getattr(update, name)
        for name in update.__struct_fields__
        if name not in skip and getattr(update, name) is not None
    }
