"""One in-memory APScheduler 3 scheduler. Jobs are idempotent and claim their work in the database, so an
accidental second scheduler is harmless; production runs it in `apuri worker` only."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from server.services.registry import Services

log = logging.getLogger("apuri.jobs")


async def housekeeping(services: Services) -> None:
    challenges, sessions = await services.auth.purge()
    reports = await services.messaging.purge()
    log.info(
        "housekeeping: removed %d old sign-in challenges, %d ended sessions and %d unmatched delivery reports",
        challenges,
        sessions,
        reports,
    )


async def retention_run(services: Services) -> None:
    """Personal data past its period goes (README "Personal data"); once a day across workers."""
    done = await services.personal_data.purge()
    if not done.ran:
        log.info("retention: today's run was taken by another worker")


async def holidays_tick(services: Services) -> None:
    """Public holidays as closed days a year ahead at every help point (new ones included); idempotent."""
    await services.days.fill_holidays()


async def offer_tick(services: Services) -> None:
    touched, offered = await services.offers.expire()
    if touched:
        log.info("offers: %d requests had offers expire, %d new offers made", touched, offered)


async def waitlist_tick(services: Services) -> None:
    passed = await services.events.expire_offers()
    if passed:
        log.info("group sessions: %d places offered and not answered passed to the next in line", passed)


async def statistics_tick(services: Services) -> None:
    """The kept statistics facts of the requests changed since the last tick brought up to date (all of them after
    an upgrade, a thousand per transaction), so that a report finds little to do."""
    await services.statistics.bring_facts_up_to_date()


async def dispatch_tick(services: Services) -> None:
    result = await services.dispatcher.run_due()
    if result.claimed:
        log.info(
            "dispatch: %d claimed, %d sent, %d to retry, %d failed, %d cancelled or too late, %d pushes sent as SMS, "
            "%d given back (claim running out), %d held for the morning",
            result.claimed,
            result.sent,
            result.retried,
            result.failed,
            result.skipped,
            result.replaced,
            result.released,
            result.held,
        )


def start_scheduler(services: Services) -> AsyncIOScheduler:
    """Start the scheduler on the running event loop (APScheduler 3.11 needs the loop to be running)."""
    scheduler = AsyncIOScheduler(
        timezone="Europe/Helsinki",
        # The 1 s default would silently skip a run delayed by a busy loop or a restart.
        job_defaults={"misfire_grace_time": 300, "coalesce": True, "max_instances": 1},
    )
    scheduler.add_job(housekeeping, "interval", hours=1, args=[services], id="housekeeping", replace_existing=True)
    scheduler.add_job(retention_run, "cron", hour=3, minute=30, args=[services], id="retention", replace_existing=True)
    scheduler.add_job(
        holidays_tick,
        "interval",
        hours=1,
        args=[services],
        id="holidays",
        replace_existing=True,
        next_run_time=datetime.now(UTC),  # at start too: a new installation has its holidays at once
    )
    scheduler.add_job(offer_tick, "interval", seconds=30, args=[services], id="offers", replace_existing=True)
    scheduler.add_job(waitlist_tick, "interval", seconds=60, args=[services], id="waitlists", replace_existing=True)
    scheduler.add_job(statistics_tick, "interval", seconds=15, args=[services], id="statistics", replace_existing=True)
    scheduler.add_job(
        dispatch_tick,
        "interval",
        seconds=services.settings.dispatch_interval_seconds,
        args=[services],
        id="dispatch",
        replace_existing=True,
        # A tick that runs late is simply replaced by the next one: the outbox, not the scheduler, holds the work.
        misfire_grace_time=services.settings.dispatch_interval_seconds * 4,
    )
    scheduler.start()
    # One process of a deployment runs these (`apuri worker`, or `apuri serve` without --no-scheduler): the line
    # lets an operator see which.
    log.info("scheduled jobs: running in process %d", os.getpid())
    return scheduler
