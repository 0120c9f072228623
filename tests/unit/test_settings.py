"""Settings come from APURI_* variables, are validated at start, and production refuses unsafe defaults."""

from __future__ import annotations

from datetime import time

import pytest

from server.settings import Settings, SettingsError

PRODUCTION = {
    "APURI_ENVIRONMENT": "production",
    "APURI_SECRET_KEY": "x" * 40,
    "APURI_PUBLIC_BASE_URL": "https://apuri.example.fi",
    "APURI_TWILIO_ACCOUNT_SID": "AC123",
    "APURI_TWILIO_AUTH_TOKEN": "token",
    "APURI_TWILIO_FROM_NUMBER": "+358401234000",
    "APURI_DATABASE_URL": "postgresql://apuri@db/apuri",
}


def test_defaults_are_a_working_development_setup() -> None:
    settings = Settings.from_env({})
    assert settings.sms_backend == "outbox" and settings.is_sqlite and not settings.secure_cookies


def test_values_are_typed() -> None:
    settings = Settings.from_env(
        {
            "APURI_PORT": "9000",
            "APURI_DEV_TOOLS": "yes",
            "APURI_QUIET_HOURS_START": "20:30",
            "APURI_COORDINATOR_SESSION_IDLE_MINUTES": "15",
        }
    )
    assert settings.port == 9000 and settings.dev_tools is True
    assert settings.quiet_hours_start == time(20, 30)
    assert settings.coordinator_session.idle_minutes == 15 and settings.coordinator_session.absolute_hours == 12


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"APURI_PORT": "eighty"}, "APURI_PORT"),
        ({"APURI_DEV_TOOLS": "maybe"}, "APURI_DEV_TOOLS"),
        ({"APURI_SMS_BACKEND": "carrier-pigeon"}, "APURI_SMS_BACKEND"),
        ({"APURI_DATABASE_URL": "mysql://x"}, "APURI_DATABASE_URL"),
        ({"APURI_SECRET_KEY": "short"}, "APURI_SECRET_KEY"),
        ({"APURI_OTP_TTL_SECONDS": "3600"}, "APURI_OTP_TTL_SECONDS"),
        ({"APURI_SMS_BACKEND": "twilio"}, "APURI_TWILIO_ACCOUNT_SID"),
        ({"APURI_QUIET_HOURS_END": "25:99"}, "APURI_QUIET_HOURS_END"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_naming_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_production_starts_with_real_settings_and_picks_twilio() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.sms_backend == "twilio" and settings.secure_cookies


def test_web_push_is_picked_when_its_keys_are_set() -> None:
    keys = {"APURI_VAPID_PUBLIC_KEY": "p", "APURI_VAPID_PRIVATE_KEY": "k", "APURI_VAPID_SUBJECT": "mailto:a@b.fi"}
    assert Settings.from_env({**PRODUCTION, **keys}).push_backend == "webpush"
    assert Settings.from_env(PRODUCTION).push_backend == "outbox", "no keys: nobody can subscribe, pushes go by SMS"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"APURI_SECRET_KEY": ""}, "development default"),
        ({"APURI_DEV_TOOLS": "1"}, "DEV_TOOLS"),
        ({"APURI_PUBLIC_BASE_URL": "http://apuri.example.fi"}, "https"),
        ({"APURI_SMS_BACKEND": "outbox"}, "twilio"),
        ({"APURI_PUSH_BACKEND": "memory"}, "webpush"),
        (
            {
                "APURI_PUSH_BACKEND": "outbox",
                "APURI_VAPID_PUBLIC_KEY": "p",
                "APURI_VAPID_PRIVATE_KEY": "k",
                "APURI_VAPID_SUBJECT": "mailto:a@b.fi",
            },
            "webpush",
        ),
    ],
)
def test_production_refuses_unsafe_settings(change: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({**PRODUCTION, **change})


def test_production_and_development_hash_passwords_with_strong_parameters() -> None:
    from argon2 import PasswordHasher

    from server.services.auth import password_hasher

    strong = PasswordHasher()
    for settings in (Settings.from_env(PRODUCTION), Settings.from_env({})):
        hasher = password_hasher(settings)
        assert (hasher.time_cost, hasher.memory_cost) == (strong.time_cost, strong.memory_cost) == (3, 65536)
    with pytest.raises(SettingsError, match="ARGON2_PROFILE"):
        Settings.from_env({**PRODUCTION, "APURI_ARGON2_PROFILE": "fast"})
    with pytest.raises(SettingsError, match="ARGON2_PROFILE"):
        Settings.from_env({"APURI_ARGON2_PROFILE": "fast"})
