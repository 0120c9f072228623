"""Referral rules: a request passed to a partner organisation with a note for them, and the outcomes a partner's
own staff record when they handled a routed request themselves. Pure."""

from __future__ import annotations

import enum

from server.domain.errors import InvalidInput
from server.domain.notes import secret_in

MAX_REFERRAL_NOTE = 500


class HandledOutcome(enum.StrEnum):
    HELPED = "helped"  # the partner's staff helped the resident
    NOT_REACHED = "not_reached"  # the resident could not be reached
    NOT_NEEDED = "not_needed"  # the resident no longer needed help


def checked_note(note: str) -> str:
    """The note for the partner, trimmed; refused when too long or when it looks like a password, PIN, bank code,
    card number or identity code (the partner gets the resident's need, never their credentials)."""
    note = note.strip()
    if len(note) > MAX_REFERRAL_NOTE:
        raise InvalidInput(f"Keep the note under {MAX_REFERRAL_NOTE} characters.", code="note_too_long")
    finding = secret_in(note)
    if finding is not None:
        raise InvalidInput(
            f"This note seems to contain {finding.text}. Never pass on a resident's passwords, PINs, bank codes, "
            "card numbers or identity codes. Please rewrite the note without it.",
            code="note_looks_secret",
            extra={"kind": finding.kind},
        )
    return note
