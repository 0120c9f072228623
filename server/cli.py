"""The `apuri` command: serve, worker, migrate, demo, create-coordinator, check, vapid-keys."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from server.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        print(f"apuri: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import configure_logging, create_app, tune_gc

    settings = _settings()
    tune_gc()
    if args.no_scheduler:
        settings = replace(settings, scheduler=False)
    configure_logging(settings)
    raw = args.workers if args.workers is not None else os.environ.get("APURI_WEB_WORKERS", "1")
    workers = int(raw) if str(raw).isdigit() else 0
    if not 1 <= workers <= 64:
        print("apuri: configuration error: --workers (APURI_WEB_WORKERS) must be between 1 and 64", file=sys.stderr)
        return 2
    if workers > 1 and settings.rate_limit_store == "memory":
        if settings.is_production:
            print(
                "apuri: configuration error: --workers needs APURI_RATE_LIMIT_STORE=redis://… in production "
                "(each process would keep its own sign-in limits)",
                file=sys.stderr,
            )
            return 2
        logging.getLogger("apuri.serve").warning("each of the %d processes keeps its own sign-in limits", workers)
    if args.migrate:
        asyncio.run(_migrate(settings))

    def run(target: Any, **more: Any) -> None:
        uvicorn.run(
            target,
            host=args.host or settings.host,
            port=args.port or settings.port,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_level=settings.log_level.lower(),
            server_header=False,
            **more,
        )

    if workers == 1:
        run(create_app(settings))
        return 0
    return _serve_processes(settings, workers, run)


def _serve_processes(settings: Settings, workers: int, run: Callable[..., None]) -> int:
    """`apuri serve --workers N`: N web processes behind one port (uvicorn's supervisor, which restarts one that
    dies), none of them running scheduled jobs; when this serve runs the jobs (no --no-scheduler), one `apuri worker`
    process beside them does, so every job runs in one process only."""
    import subprocess

    os.environ["APURI_SCHEDULER"] = "0"  # the web processes read their settings again from the environment
    jobs = None
    if settings.scheduler:
        jobs = subprocess.Popen([sys.executable, "-m", "server.cli", "worker"])
    try:
        run("server.app:app_from_environment", factory=True, workers=workers)
    finally:
        if jobs is not None:
            jobs.send_signal(signal.SIGTERM)
            try:
                jobs.wait(timeout=30)
            except subprocess.TimeoutExpired:
                jobs.kill()
    return 0


async def _migrate(settings: Settings) -> None:
    from server.db.engine import make_engine, start, stop
    from server.db.migrate import migrate

    engine = make_engine(settings.database_url)
    await start(engine)
    try:
        await migrate(engine)
    finally:
        await stop(engine)


def cmd_migrate(_: argparse.Namespace) -> int:
    settings = _settings()
    asyncio.run(_migrate(settings))
    print("apuri: database is up to date")
    return 0


def cmd_worker(_: argparse.Namespace) -> int:
    """Run the scheduled jobs without the web server (production: one worker, web with --no-scheduler)."""
    from server.adapters.clock import SystemClock
    from server.adapters.push import build_push
    from server.adapters.sms import build_sms
    from server.adapters.voice import build_voice
    from server.app import configure_logging, tune_gc
    from server.db.engine import bind, make_engine, start, stop
    from server.jobs.scheduler import start_scheduler
    from server.services.registry import build_services

    settings = _settings()
    tune_gc()
    configure_logging(settings)
    log = logging.getLogger("apuri.worker")

    async def run() -> None:
        clock = SystemClock()
        engine = make_engine(settings.database_url)
        bind(engine)
        await start(engine)
        sms = build_sms(settings, clock)
        push = build_push(settings, clock)
        voice = build_voice(settings, clock)
        services = build_services(settings=settings, clock=clock, engine=engine, sms=sms, push=push, voice=voice)
        scheduler = start_scheduler(services)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        print("apuri worker: running scheduled jobs; Ctrl+C stops", flush=True)
        await stopping.wait()
        # SIGTERM (every deploy): stop claiming, give back what was not started, finish and record what is in
        # flight (each send gives up after 10 s), then close the connections under it.
        log.info("stopping: finishing the messages in flight")
        await services.dispatcher.stop()
        scheduler.shutdown(wait=False)
        log.info("stopped")
        await sms.aclose()
        await push.aclose()
        await voice.aclose()
        await stop(engine)

    asyncio.run(run())
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Run the retention job now (`--dry-run`: print what would go, change nothing)."""
    from server.adapters.clock import SystemClock
    from server.adapters.sms import build_sms
    from server.app import configure_logging
    from server.db.engine import bind, make_engine, start, stop
    from server.services.personal_data import PurgeRun
    from server.services.registry import build_services

    settings = _settings()
    configure_logging(settings)

    async def run() -> PurgeRun:
        from server.adapters.push import build_push
        from server.adapters.voice import build_voice

        clock = SystemClock()
        engine = make_engine(settings.database_url)
        bind(engine)
        await start(engine)
        sms, push, voice = build_sms(settings, clock), build_push(settings, clock), build_voice(settings, clock)
        try:
            services = build_services(settings=settings, clock=clock, engine=engine, sms=sms, push=push, voice=voice)
            return await services.personal_data.purge(dry_run=args.dry_run, manual=True)
        finally:
            await sms.aclose()
            await push.aclose()
            await voice.aclose()
            await stop(engine)

    done = asyncio.run(run())
    print("apuri purge: " + ("would remove (dry run, nothing changed)" if args.dry_run else "removed"))
    for kind, count in done.removed.items():
        print(f"    {kind.replace('_', ' '):<22} {count}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo import run_demo

    settings = _settings()
    if settings.is_production or settings.sms_backend == "twilio":
        print(
            "apuri: the demo network has made-up phone numbers; it is refused with real SMS or in production",
            file=sys.stderr,
        )
        return 2
    message = asyncio.run(run_demo(settings, reset=args.reset, only_if_empty=args.if_empty))
    print(message)
    return 0


def cmd_create_coordinator(args: argparse.Namespace) -> int:
    from server.adapters.clock import SystemClock
    from server.db.engine import bind, make_engine, start, stop
    from server.domain.errors import DomainError
    from server.domain.roles import Role
    from server.services.audit import AuditService
    from server.services.people import provision_staff

    settings = _settings()
    password = os.environ.get("APURI_NEW_COORDINATOR_PASSWORD") or getpass.getpass(
        "Password for the coordinator (at least 12 characters): "
    )
    role = Role.PARTNER_COORDINATOR if args.organisation else Role.NETWORK_COORDINATOR

    async def run() -> uuid.UUID:
        clock = SystemClock()
        engine = make_engine(settings.database_url)
        bind(engine)
        await start(engine)
        try:
            return await provision_staff(
                AuditService(clock),
                engine=engine,
                clock=clock,
                phone=args.phone,
                first_name=args.first_name,
                last_name=args.last_name,
                language=args.language,
                role=role,
                organisation_id=uuid.UUID(args.organisation) if args.organisation else None,
                password=password,
            )
        finally:
            await stop(engine)

    try:
        person_id = asyncio.run(run())
    except DomainError as exc:
        print(f"apuri: {exc.detail}", file=sys.stderr)
        return 2
    print(f"apuri: {role.value.replace('_', ' ')} ready (person {person_id}); sign in with the phone number")
    return 0


def cmd_check(_: argparse.Namespace) -> int:
    """Print what is configured and what is missing, without printing secrets."""
    settings = _settings()
    rows = [
        ("environment", settings.environment, True),
        (
            "database",
            settings.database_url.split("@")[-1] if "@" in settings.database_url else settings.database_url,
            True,
        ),
        ("public URL", settings.public_base_url, not settings.is_production or settings.secure_cookies),
        (
            "secret key",
            "set" if settings.secret_key != _default_secret() else "DEVELOPMENT DEFAULT",
            settings.secret_key != _default_secret(),
        ),
        ("SMS backend", settings.sms_backend, settings.sms_backend == "twilio" or not settings.is_production),
        (
            "Twilio",
            "configured" if settings.twilio_configured else "missing (SMS go to the dev outbox)",
            settings.twilio_configured,
        ),
        ("push backend", settings.push_backend, True),
        (
            "VAPID keys",
            "configured" if settings.vapid_configured else "missing (web push off)",
            settings.vapid_configured,
        ),
        ("dev tools", "on" if settings.dev_tools else "off", not (settings.dev_tools and settings.is_production)),
        ("scheduler in web process", "on" if settings.scheduler else "off", True),
        ("rate-limit store", settings.rate_limit_store.split("@")[-1], True),
        ("quiet hours", f"{settings.quiet_hours_start:%H:%M}–{settings.quiet_hours_end:%H:%M}", True),
        (
            "retention periods",
            f"inactive residents {settings.retention_days} d, notes and addresses {settings.note_retention_days} d, "
            f"texts {settings.message_retention_days} d, former staff {settings.staff_retention_days} d",
            True,
        ),
        _last_retention_run(settings),
        (
            "privacy notice",
            f"{settings.controller_name}; contact "
            + (settings.privacy_contact or "not set (the helpline is shown: set APURI_PRIVACY_CONTACT)"),
            bool(settings.privacy_contact) or not settings.is_production,
        ),
        ("GDPR API", "on (token hash set)" if settings.gdpr_api_token_hash else "off", True),
        (
            "dispatcher",
            f"every {settings.dispatch_interval_seconds} s, {settings.dispatch_batch} at a time, "
            f"{settings.dispatch_concurrency} at once, lease {settings.dispatch_lease_seconds} s",
            True,
        ),
    ]
    builds = _app_builds(settings)
    rows.append(builds)
    for name, value, ok in rows:
        print(f"{'ok ' if ok else '!! '} {name:<26} {value}")
    base = settings.public_base_url.rstrip("/")
    print("\nTwilio webhooks (set them on the number or Messaging Service; requests are checked by signature):")
    print(f"    incoming SMS           POST {base}/api/v1/twilio/sms")
    print(f"    delivery reports       POST {base}/api/v1/twilio/status   (sent with every message)")
    print(f"    incoming calls         POST {base}/api/v1/twilio/voice    (the helpline's voice menu)")
    print(f"    call status changes    POST {base}/api/v1/twilio/voice/status")
    # Non-zero when `apuri serve` could not start with these settings, so a deploy script can stop on it.
    return 0 if builds[2] else 1


def _last_retention_run(settings: Settings) -> tuple[str, str, bool]:
    """When the retention job last ran and what it removed, read from the database."""
    from server.db.engine import bind, make_engine, start, stop
    from server.db.retention import last_run

    async def read() -> tuple[str, str, bool]:
        engine = make_engine(settings.database_url)
        bind(engine)
        await start(engine)
        try:
            found = await last_run()
        finally:
            await stop(engine)
        if found is None:
            return ("retention last run", "never (the worker runs it daily at 03:30; apuri purge runs it now)", False)
        started, finished, removed = found
        if finished is None:
            return ("retention last run", f"{started:%Y-%m-%d %H:%M} UTC, did not finish", False)
        total = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in removed.items()) or "nothing"
        return ("retention last run", f"{finished:%Y-%m-%d %H:%M} UTC: removed {total}", True)

    try:
        return asyncio.run(read())
    except Exception as exc:
        return ("retention last run", f"unknown (database not readable: {type(exc).__name__})", False)


def _app_builds(settings: Settings) -> tuple[str, str, bool]:
    """Build the app as `apuri serve` does (outside any event loop, before uvicorn starts one), so a set-up that
    cannot start is reported here rather than by a crash-looping container."""
    from server.app import create_app

    try:
        create_app(settings)
    except Exception as exc:
        return ("app builds", f"NO: {type(exc).__name__}: {exc}", False)
    return ("app builds", "yes", True)


def cmd_vapid_keys(_: argparse.Namespace) -> int:
    """Print a new VAPID key pair for Web Push, ready to paste into the environment."""
    from server.adapters.push import generate_vapid_keys

    public, private = generate_vapid_keys()
    print("# Web Push (VAPID) keys from `apuri vapid-keys`. Keep the private key secret.")
    print("# Rotating these keys invalidates every existing push subscription: each browser must subscribe again.")
    print(f"APURI_VAPID_PUBLIC_KEY={public}")
    print(f"APURI_VAPID_PRIVATE_KEY={private}")
    print("# Put a real mailbox (mailto:) or https:// origin of yours here: Apple refuses made-up ones.")
    print("APURI_VAPID_SUBJECT=mailto:digituki@example.fi")
    return 0


def _default_secret() -> str:
    from server.settings import DEFAULT_SECRET

    return DEFAULT_SECRET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="apuri", description="Apuri digital-support network coordinator")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API and the PWA")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--no-scheduler", action="store_true", help="leave scheduled jobs to `apuri worker`")
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.add_argument(
        "--workers",
        help="web processes behind the port (default 1, or APURI_WEB_WORKERS); scheduled jobs run in one process",
    )
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("worker", help="run scheduled jobs only").set_defaults(func=cmd_worker)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load the demo network")
    demo.add_argument("--reset", action="store_true", help="remove all data (except the audit log) and reload")
    demo.add_argument("--if-empty", action="store_true", help="load only if there are no organisations yet")
    demo.set_defaults(func=cmd_demo)

    coord = sub.add_parser("create-coordinator", help="create a network or partner coordinator")
    coord.add_argument("--phone", required=True)
    coord.add_argument("--first-name", required=True)
    coord.add_argument("--last-name", default="")
    coord.add_argument("--language", choices=["fi", "sv", "en"], default="fi")
    coord.add_argument("--organisation", help="organisation id: makes a partner coordinator of it")
    coord.set_defaults(func=cmd_create_coordinator)

    sub.add_parser("check", help="show what is configured and what is missing").set_defaults(func=cmd_check)
    purge = sub.add_parser("purge", help="remove personal data past its retention period now")
    purge.add_argument("--dry-run", action="store_true", help="print what would go, change nothing")
    purge.set_defaults(func=cmd_purge)
    sub.add_parser("vapid-keys", help="print a new Web Push (VAPID) key pair").set_defaults(func=cmd_vapid_keys)

    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
