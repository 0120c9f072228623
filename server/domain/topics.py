"""Topics: a small editable taxonomy in three languages, each with a "bring with you" checklist and the
outcomes a volunteer records ("what the resident can now do alone")."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from server.domain.errors import InvalidInput

LANGS = ("fi", "sv", "en")
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True, slots=True)
class Outcome:
    code: str
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    names: dict[str, str]
    bring: dict[str, list[str]]
    outcomes: list[Outcome]
    partner_only_organisation_id: uuid.UUID | None
    sort_order: int
    active: bool


def _names(names: dict[str, str], what: str) -> dict[str, str]:
    missing = [lang for lang in LANGS if not names.get(lang, "").strip()]
    if missing:
        raise InvalidInput(f"{what} needs a name in {', '.join(missing)}.", code="names_missing")
    return {lang: names[lang].strip() for lang in LANGS}


def validate_topic(topic: Topic) -> Topic:
    if not CODE.match(topic.code):
        raise InvalidInput(
            "A topic code is 2–40 lower-case letters, digits or _ and starts with a letter.", code="topic_code"
        )
    bring = {lang: [item.strip() for item in topic.bring.get(lang, []) if item.strip()] for lang in LANGS}
    lengths = {len(items) for items in bring.values()}
    if len(lengths) > 1:
        raise InvalidInput("The bring-with-you list needs the same items in every language.", code="bring_mismatch")
    codes = [o.code for o in topic.outcomes]
    if len(set(codes)) != len(codes) or not all(CODE.match(c) for c in codes):
        raise InvalidInput("Outcome codes must be unique lower-case codes.", code="outcome_code")
    return Topic(
        code=topic.code,
        names=_names(topic.names, f"Topic {topic.code}"),
        bring=bring,
        outcomes=[Outcome(o.code, _names(o.names, f"Outcome {o.code}")) for o in topic.outcomes],
        partner_only_organisation_id=topic.partner_only_organisation_id,
        sort_order=topic.sort_order,
        active=topic.active,
    )
