"""Typed settings read from ``APURI_*`` environment variables, validated once at start.

Every variable is documented in README.md and ``.env.example``. A bad value stops the process with a message
that names the variable and says what it expects.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Literal, get_args
from urllib.parse import urlsplit

Environment = Literal["development", "test", "production"]
SmsBackend = Literal["outbox", "memory", "twilio"]
PushBackend = Literal["outbox", "memory", "webpush"]
Argon2Profile = Literal["strong", "fast"]

DEFAULT_SECRET = "dev-insecure-secret-change-me-0000000000"  # noqa: S105 - a marker, refused in production
DEFAULT_DATABASE_URL = "sqlite:///var/apuri.sqlite3"


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message is meant for the operator."""


@dataclass(frozen=True, slots=True)
class SessionLifetime:
    idle_minutes: int
    absolute_hours: int


@dataclass(frozen=True, slots=True)
class Settings:
    environment: Environment = "development"
    database_url: str = DEFAULT_DATABASE_URL
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEFAULT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    # Comma-separated addresses of reverse proxies whose X-Forwarded-For is trusted (passed to uvicorn).
    forwarded_allow_ips: str = "127.0.0.1"
    dev_tools: bool = False
    scheduler: bool = True
    log_level: str = "INFO"

    sms_backend: SmsBackend = "outbox"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    # Overrides the Twilio REST base URL (loopback test servers speak the same protocol).
    twilio_api_base: str = ""

    push_backend: PushBackend = "outbox"
    vapid_public_key: str = ""
    vapid_private_key: str = ""
    vapid_subject: str = ""

    # The dispatcher: how often it looks for due messages, how many it takes at a time, how many it sends at
    # once, and how long a claim lasts before another worker may take the rows over (a worker that died).
    dispatch_interval_seconds: int = 5
    dispatch_batch: int = 100
    dispatch_concurrency: int = 20
    dispatch_lease_seconds: int = 120

    helpline_phone: str = "+358401234000"
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    # Personal data (README "Personal data"): a resident with no activity for `retention_days` is anonymised;
    # notes and home addresses of finished sessions go after `note_retention_days`, message and call texts after
    # `message_retention_days`, volunteers and staff after `staff_retention_days` from their deactivation.
    retention_days: int = 365
    note_retention_days: int = 90
    message_retention_days: int = 90
    staff_retention_days: int = 365
    # The privacy notice: who is the controller and how to reach their data-protection contact.
    controller_name: str = "Apuri digital support network"
    privacy_contact: str = ""
    # The municipality's data-request tooling (the profile GDPR API): sha256 hex of its bearer token; empty = off.
    gdpr_api_token_hash: str = ""

    otp_ttl_seconds: int = 600
    otp_max_attempts: int = 5
    otp_per_number_15min: int = 3
    otp_per_number_day: int = 10
    otp_per_client_hour: int = 10
    sms_daily_budget: int = 500
    # Litestar's per-client request limit on the sign-in endpoints ("memory" or a redis:// URL for many instances).
    rate_limit_store: str = "memory"
    auth_requests_per_minute: int = 30
    # Coordinators' passwords: argon2id "strong" (the library's defaults); "fast" only for the test suite.
    argon2_profile: Argon2Profile = "strong"

    resident_session: SessionLifetime = field(default_factory=lambda: SessionLifetime(60 * 24 * 7, 24 * 30))
    volunteer_session: SessionLifetime = field(default_factory=lambda: SessionLifetime(60 * 24 * 14, 24 * 60))
    coordinator_session: SessionLifetime = field(default_factory=lambda: SessionLifetime(30, 12))

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        return urlsplit(self.public_base_url).scheme == "https"

    @property
    def twilio_configured(self) -> bool:
        return bool(
            self.twilio_account_sid
            and self.twilio_auth_token
            and (self.twilio_from_number or self.twilio_messaging_service_sid)
        )

    @property
    def vapid_configured(self) -> bool:
        return bool(self.vapid_public_key and self.vapid_private_key and self.vapid_subject)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every ``APURI_*`` variable; raise SettingsError naming the first bad one."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            if f.type == "SessionLifetime":
                continue
            raw = env.get(f"APURI_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, str(f.type), raw.strip())
        for role in ("resident", "volunteer", "coordinator"):
            idle = env.get(f"APURI_{role.upper()}_SESSION_IDLE_MINUTES")
            absolute = env.get(f"APURI_{role.upper()}_SESSION_ABSOLUTE_HOURS")
            if idle or absolute:
                default: SessionLifetime = getattr(cls(), f"{role}_session")
                values[f"{role}_session"] = SessionLifetime(
                    _int(f"{role}_session_idle_minutes", idle) if idle else default.idle_minutes,
                    _int(f"{role}_session_absolute_hours", absolute) if absolute else default.absolute_hours,
                )
        # Twilio is chosen automatically when its credentials are present and no backend was named.
        if "sms_backend" not in values and env.get("APURI_TWILIO_ACCOUNT_SID") and env.get("APURI_TWILIO_AUTH_TOKEN"):
            values["sms_backend"] = "twilio"
        # So is web push when its keys are.
        if "push_backend" not in values and env.get("APURI_VAPID_PUBLIC_KEY") and env.get("APURI_VAPID_PRIVATE_KEY"):
            values["push_backend"] = "webpush"
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        if not (self.database_url.startswith(("sqlite:///", "postgres://", "postgresql://"))):
            raise SettingsError(
                "APURI_DATABASE_URL must start with sqlite:/// or postgresql:// "
                f"(got {self.database_url.split(':', 1)[0]!r})"
            )
        base = urlsplit(self.public_base_url)
        if base.scheme not in ("http", "https") or not base.netloc:
            raise SettingsError("APURI_PUBLIC_BASE_URL must be an absolute http(s) URL, e.g. https://apuri.example.fi")
        if len(self.secret_key) < 32:
            raise SettingsError("APURI_SECRET_KEY must be at least 32 characters (generate one: openssl rand -hex 32)")
        if not 60 <= self.otp_ttl_seconds <= 600:
            raise SettingsError("APURI_OTP_TTL_SECONDS must be between 60 and 600 (a code lives at most 10 minutes)")
        if not 1 <= self.otp_max_attempts <= 5:
            raise SettingsError("APURI_OTP_MAX_ATTEMPTS must be between 1 and 5")
        self._validate_personal_data()
        self._validate_dispatch()
        if not 1 <= self.port <= 65535:
            raise SettingsError("APURI_PORT must be between 1 and 65535")
        if self.rate_limit_store != "memory" and not self.rate_limit_store.startswith(("redis://", "rediss://")):
            raise SettingsError("APURI_RATE_LIMIT_STORE must be 'memory' or a redis:// URL")
        if self.sms_backend == "twilio" and not self.twilio_configured:
            raise SettingsError(
                "APURI_SMS_BACKEND=twilio needs APURI_TWILIO_ACCOUNT_SID, APURI_TWILIO_AUTH_TOKEN and "
                "APURI_TWILIO_FROM_NUMBER or APURI_TWILIO_MESSAGING_SERVICE_SID"
            )
        if self.push_backend == "webpush" and not self.vapid_configured:
            raise SettingsError(
                "APURI_PUSH_BACKEND=webpush needs APURI_VAPID_PUBLIC_KEY, APURI_VAPID_PRIVATE_KEY and "
                "APURI_VAPID_SUBJECT (run `apuri vapid-keys`)"
            )
        if self.argon2_profile == "fast" and self.environment != "test":
            raise SettingsError("APURI_ARGON2_PROFILE=fast is only for the test suite (APURI_ENVIRONMENT=test)")
        if self.is_production:
            self._validate_production()

    def _validate_personal_data(self) -> None:
        if self.retention_days < 30:
            raise SettingsError("APURI_RETENTION_DAYS must be at least 30")
        for name in ("note_retention_days", "message_retention_days", "staff_retention_days"):
            if not 7 <= getattr(self, name) <= 3650:
                raise SettingsError(f"APURI_{name.upper()} must be between 7 and 3650")
        if self.gdpr_api_token_hash and not re.fullmatch(r"[0-9a-f]{64}", self.gdpr_api_token_hash):
            raise SettingsError(
                'APURI_GDPR_API_TOKEN_HASH must be the sha256 of the token in hex (printf %s "$TOKEN" | sha256sum)'
            )

    def _validate_dispatch(self) -> None:
        if not 1 <= self.dispatch_interval_seconds <= 300:
            raise SettingsError("APURI_DISPATCH_INTERVAL_SECONDS must be between 1 and 300")
        if not 1 <= self.dispatch_batch <= 1000:
            raise SettingsError("APURI_DISPATCH_BATCH must be between 1 and 1000")
        if not 1 <= self.dispatch_concurrency <= 200:
            raise SettingsError("APURI_DISPATCH_CONCURRENCY must be between 1 and 200")
        if not 60 <= self.dispatch_lease_seconds <= 3600:
            # Twice the longest send (a Twilio list request and a send, 10 s each, and recording it).
            raise SettingsError("APURI_DISPATCH_LEASE_SECONDS must be between 60 and 3600")

    def _validate_production(self) -> None:
        if self.secret_key == DEFAULT_SECRET:
            raise SettingsError("APURI_SECRET_KEY is the development default; production refuses to start with it")
        if self.dev_tools:
            raise SettingsError("APURI_DEV_TOOLS must be off in production (it exposes the dev phone)")
        if self.sms_backend != "twilio":
            raise SettingsError("production needs APURI_SMS_BACKEND=twilio (messages would not reach anyone)")
        if urlsplit(self.public_base_url).scheme != "https":
            raise SettingsError("APURI_PUBLIC_BASE_URL must be https in production")
        # Without keys no browser can subscribe, so every push goes by SMS instead; with keys, a push written to the
        # dev outbox would count as sent and reach nobody.
        if self.push_backend == "memory" or (self.push_backend == "outbox" and self.vapid_configured):
            raise SettingsError("production needs APURI_PUSH_BACKEND=webpush when the VAPID keys are set")


_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off"}


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"APURI_{name.upper()} must be a whole number (got {raw!r})") from None


def _convert(name: str, type_name: str, raw: str) -> object:
    var = f"APURI_{name.upper()}"
    if type_name == "bool":
        lowered = raw.lower()
        if lowered in _BOOL_TRUE:
            return True
        if lowered in _BOOL_FALSE:
            return False
        raise SettingsError(f"{var} must be 1/0, true/false, yes/no or on/off (got {raw!r})")
    if type_name == "int":
        return _int(name, raw)
    if type_name == "time":
        try:
            return time.fromisoformat(raw if ":" in raw else f"{int(raw):02d}:00")
        except ValueError:
            raise SettingsError(f"{var} must be a time of day such as 21:00 (got {raw!r})") from None
    literal = {
        "Environment": Environment,
        "SmsBackend": SmsBackend,
        "PushBackend": PushBackend,
        "Argon2Profile": Argon2Profile,
    }.get(type_name)
    if literal is not None:
        allowed = get_args(literal)
        if raw not in allowed:
            raise SettingsError(f"{var} must be one of {', '.join(allowed)} (got {raw!r})")
    return raw
