"""The one composition root: `create_app(settings)` builds the adapters, services and the Litestar app.
Nothing is built at import time."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from server.adapters.clock import Clock, SystemClock
from server.adapters.push import PushSender, build_push
from server.adapters.sms import SmsSender, build_sms
from server.adapters.voice import VoiceCaller, build_voice
from server.db import engine as db
from server.db.engine import AnyEngine
from server.domain.errors import DomainError
from server.http import errors, input_errors
from server.http import openapi as openapi_document
from server.http.about_routes import about
from server.http.application_routes import ApplicationController
from server.http.audit_routes import AuditController
from server.http.auth_routes import AuthController
from server.http.booking_routes import BookingController
from server.http.calendar_routes import CalendarFeedController, MyCalendarController
from server.http.callback_routes import CallbackController
from server.http.catalogue_routes import CatalogueController
from server.http.coordination_routes import CoordinationController
from server.http.day_routes import ClosuresController, HelpPointDaysController
from server.http.desk_routes import DeskController
from server.http.dev import DevPhoneController
from server.http.drop_in_routes import DropInController
from server.http.event_routes import EventController
from server.http.feedback_routes import FeedbackController
from server.http.headers import security_headers
from server.http.network_routes import HelpPointsController, OrganisationsController
from server.http.notification_routes import MessagingController
from server.http.offer_routes import OfferController
from server.http.people_routes import MeController, PeopleController
from server.http.personal_data_routes import GdprApiController, MyDataController, ResidentDataController, privacy
from server.http.referral_routes import ReferralController, SessionReferralController
from server.http.security import PUBLIC, SignInMiddleware, access_guard, session_cookie_name
from server.http.session_routes import SessionController
from server.http.statistics_routes import StatisticsController
from server.http.topic_routes import OrganisationTopicsController, TopicsController, TopicWordsController
from server.http.twilio_routes import TwilioController
from server.http.voice_routes import VoiceController
from server.http.volunteer_routes import MyVolunteeringController, VolunteerForCoordinatorsController
from server.services.registry import Services, build_services
from server.settings import Settings

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
CSRF_COOKIE = "apuri_csrf"
CSRF_HEADER = "x-csrftoken"
MAX_BODY_BYTES = 64 * 1024
VERSION = "0.1.0"


@get("/healthz", opt=PUBLIC, include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _rate_limit_store(settings: Settings) -> Store:
    if settings.rate_limit_store == "memory":
        return MemoryStore()
    from litestar.stores.redis import RedisStore

    return RedisStore.with_client(url=settings.rate_limit_store, namespace="apuri-auth-rate")


def _docs_assets_dir() -> Path:
    import swagger_ui

    return Path(swagger_ui.__file__).resolve().parent / "static"


def app_from_environment() -> Litestar:
    """One web process of `apuri serve --workers N`: uvicorn imports this in each process it starts, and each reads
    the same APURI_* settings (without the scheduled jobs, which run in one process beside them)."""
    settings = Settings.from_env()
    tune_gc()
    configure_logging(settings)
    return create_app(settings)


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    sms: SmsSender | None = None,
    push: PushSender | None = None,
    voice: VoiceCaller | None = None,
    engine: AnyEngine | None = None,
) -> Litestar:
    """Build Apuri. Tests pass fakes for the clock, SMS, push and calls; production passes only settings."""
    _silence_personal_data_in_library_logs()
    clock = clock or SystemClock()
    engine = engine or db.make_engine(settings.database_url)
    db.bind(engine)
    sms = sms or build_sms(settings, clock)
    push = push or build_push(settings, clock)
    voice = voice or build_voice(settings, clock)
    services = build_services(settings=settings, clock=clock, engine=engine, sms=sms, push=push, voice=voice)

    auth_rate_limit = RateLimitConfig(rate_limit=("minute", settings.auth_requests_per_minute), store="auth_rate_limit")
    auth_controller_router = _with_middleware(AuthController, auth_rate_limit.middleware)

    route_handlers: list[Any] = [
        healthz,
        about,
        privacy,
        MyDataController,
        ResidentDataController,
        GdprApiController,
        HelpPointDaysController,
        ClosuresController,
        DeskController,
        DropInController,
        EventController,
        CatalogueController,
        ReferralController,
        SessionReferralController,
        auth_controller_router,
        MeController,
        PeopleController,
        OrganisationsController,
        HelpPointsController,
        AuditController,
        TopicsController,
        TopicWordsController,
        OrganisationTopicsController,
        MyVolunteeringController,
        VolunteerForCoordinatorsController,
        BookingController,
        OfferController,
        SessionController,
        StatisticsController,
        CoordinationController,
        MessagingController,
        TwilioController,
        VoiceController,
        CallbackController,
        ApplicationController,
        MyCalendarController,
        CalendarFeedController,
        FeedbackController,
        create_static_files_router(
            path="/docs-assets", directories=[_docs_assets_dir()], opt=PUBLIC, include_in_schema=False
        ),
    ]
    if settings.dev_tools:
        route_handlers.append(DevPhoneController)
    # The PWA is served last, at /, so every more specific route wins over its files.
    route_handlers.append(
        create_static_files_router(
            path="/",
            directories=[PWA_DIR],
            html_mode=True,
            opt=PUBLIC,
            include_in_schema=False,
            name="pwa",
            # Asked again every time (a 304 when unchanged): the service worker keeps the shell for offline use,
            # and a screen fetched later (the dashboard's) is never older than the shell it joins.
            cache_control=CacheControlHeader(no_cache=True),
        )
    )

    openapi = OpenAPIConfig(
        title="Apuri API",
        version=VERSION,
        description=(
            "Coordinator for a municipal digital-support network. Sign in with an SMS code "
            "(POST /api/v1/auth/code, then /api/v1/auth/verify); state-changing requests need the "
            f"`{CSRF_HEADER}` header set to the value of the `{CSRF_COOKIE}` cookie."
        ),
        path="/schema",
        openapi_router=Router(path="/schema", route_handlers=[], opt=PUBLIC, include_in_schema=False),
        render_plugins=[
            SwaggerRenderPlugin(
                js_url="/docs-assets/swagger-ui-bundle.js",
                css_url="/docs-assets/swagger-ui.css",
                standalone_preset_js_url="/docs-assets/swagger-ui-standalone-preset.js",
                favicon="<link rel='icon' type='image/png' href='/docs-assets/favicon-32x32.png'>",
                path="/",
            )
        ],
        components=Components(
            security_schemes={
                "session": SecurityScheme(
                    type="apiKey", name=session_cookie_name(settings), security_scheme_in="cookie"
                )
            }
        ),
        security=[{"session": []}],
    )

    app = Litestar(
        route_handlers=route_handlers,
        lifespan=[_lifespan],
        dependencies={"services": Provide(_services, sync_to_thread=False)},
        guards=[access_guard],
        # Every answer, the framework's own errors included, leaves with the security headers.
        before_send=[security_headers(hsts=settings.secure_cookies)],
        middleware=[
            DefineMiddleware(
                SignInMiddleware,
                cookie_name=session_cookie_name(settings),
                exclude=["^/docs-assets", "^/schema", "^/healthz"],
            ),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="strict",
        ),
        stores={"auth_rate_limit": _rate_limit_store(settings)},
        exception_handlers={
            DomainError: errors.domain_error,
            HTTPException: errors.http_error,
            RecursionError: input_errors.recursion_error,
            OverflowError: input_errors.overflow_error,
            ValueError: input_errors.value_error,
            Exception: errors.internal_error,
        },
        openapi_config=openapi,
        request_max_body_size=MAX_BODY_BYTES,
        # The app's modules, styles and JSON go out compressed when the browser asks (most phones on 4G).
        compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
        state=State({"services": services}),
        debug=False,
        logging_config=None,
    )
    openapi_document.refine(app)
    return app


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncGenerator[None, None]:
    services = services_of(app)
    await db.start(services.engine)
    scheduler = None
    if services.settings.scheduler:
        from server.jobs.scheduler import start_scheduler

        scheduler = start_scheduler(services)
    try:
        yield
    finally:
        # Sends in flight finish and are recorded before the connections under them close.
        await services.dispatcher.stop()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await services.sms.aclose()
        await services.push.aclose()
        await services.voice.aclose()
        await db.stop(services.engine)


def _services(state: State) -> Services:
    """Dependency: the app's services (kept in its state, where the sign-in middleware and the lifespan find them
    too)."""
    services: Services = state["services"]
    return services


async def use_services(app: Litestar, services: Services) -> None:
    """Give a built app, not running, other services (and its tables their engine), and forget what its own stores
    counted. The tests build the app once per worker, which costs a fifth of a second, and give each test its own
    database, clock and fakes; what else the app was built with (the settings' cookies, limits and routes) stays."""
    db.bind(services.engine)
    app.state["services"] = services
    await app.stores.get("auth_rate_limit").delete_all()


def _with_middleware(controller: type, middleware: Any) -> Any:
    """A router around one controller, so its middleware (a per-client rate limit) applies to it alone."""
    return Router(path="/", route_handlers=[controller], middleware=[middleware])


def _silence_personal_data_in_library_logs() -> None:
    """The Twilio SDK logs requests at INFO and aiosqlite logs SQL parameters at DEBUG: phone numbers, message
    bodies, codes. Whatever APURI_LOG_LEVEL says, they only get to report problems."""
    for name in ("twilio", "aiosqlite"):
        logging.getLogger(name).setLevel(logging.WARNING)


def services_of(app: Litestar) -> Services:
    services: Services = app.state["services"]
    return services


class _HideLinkTokens(logging.Filter):
    """Calendar links carry their key in the path: the web server's access log gets the path without it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_CALENDAR_LINK.sub("/calendar/…", a) if isinstance(a, str) else a for a in record.args)
        return True


_CALENDAR_LINK = re.compile(r"/calendar/[^/?\s]+")


# The garbage collector's first generation runs after this many new objects instead of 700. A request that reads a
# few thousand calendar rows makes tens of thousands of short-lived objects; at the default threshold the
# collector's occasional full passes (over every object the process keeps, the matching cache among them) added
# 60-70 ms to one request in twenty. See docs/benchmarks.md (matching with drop-in shifts).
GC_THRESHOLD = (20_000, 20, 20)


def tune_gc() -> None:
    """Set the collector for a long-running server process (`apuri serve`, `apuri worker`, the benchmarks)."""
    gc.set_threshold(*GC_THRESHOLD)


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("uvicorn.access").addFilter(_HideLinkTokens())
    # `apuri worker` builds no app, and it is the process that talks to Twilio most.
    _silence_personal_data_in_library_logs()
    # APScheduler reports every run of every job at INFO (the dispatcher's every 5 s); our jobs log what they did.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLogger().level))
