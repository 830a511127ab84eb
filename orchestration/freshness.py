"""Freshness of each feed: how long since its newest file loaded, against the feed's cadence.

A feed is late when its newest successfully loaded file is older than its cadence plus the grace
days (impact.toml [freshness]). Shown by `impact status`, and as a WARN asset check on each feed's
principal raw table, evaluated after every ingest and every morning by the freshness schedule,
which also writes an alert for each late feed.
"""


import datetime as dt
from dataclasses import dataclass

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    asset_check,
    define_asset_job,
)

from ingest.contracts import load_contracts
from orchestration.alerts import Alert, send
from partnership.config import Settings, today
from partnership.ledger import read_ledger
from partnership.reporting_years import year_containing
from partnership.warehouse import LOCK_TIMEOUT_SECONDS, WRITER_POOL

FRESHNESS_JOB = "feed_freshness_job"


@dataclass
class FeedFreshness:
    feed: str
    newest_file: str | None
    loaded_at: dt.datetime | None
    allowed_days: int
    # Empty while the feed is collected in the year in progress; else why no file is expected now
    # ([feeds] first_year / last_year): such a feed is never late.
    not_expected: str = ""

    def age_days(self, now: dt.datetime) -> float | None:
        return None if self.loaded_at is None else (now - self.loaded_at).total_seconds() / 86400

    def late(self, now: dt.datetime) -> bool:
        age = self.age_days(now)
        return not self.not_expected and (age is None or age > self.allowed_days)

    def describe(self, now: dt.datetime) -> str:
        age = self.age_days(now)
        if self.not_expected:
            newest = f"; newest file {age:.0f} days old" if age is not None else ""
            return f"not expected now: {self.not_expected}{newest}"
        if age is None:
            return f"LATE: no file loaded yet (expected one every {self.allowed_days} days at most)"
        state = "LATE" if self.late(now) else "fresh"
        return f"{state}: newest file {age:.0f} days old (allowed {self.allowed_days})"


def feed_freshness(settings: Settings, load_audit: pl.DataFrame) -> list[FeedFreshness]:
    """One line per feed: its newest successfully loaded file (UTC load time)."""
    grace, cadence = settings.freshness.grace_days, settings.freshness.cadence_days
    newest: dict[str, tuple[str | None, dt.datetime | None]] = {}
    if not load_audit.is_empty():
        loaded = (load_audit.filter(pl.col("status").is_in(["loaded", "replaced", "superseded"]))
                  .sort("loaded_at").group_by("feed").last())
        newest = {row["feed"]: (row["source_file"], row["loaded_at"]) for row in loaded.iter_rows(named=True)}
    return [FeedFreshness(feed, *newest.get(feed, (None, None)), cadence.get(feed, 365) + grace,
                          "" if settings.collects_now(feed) else _collected_when(settings, feed))
            for feed in load_contracts() if settings.collects(feed)]


def _collected_when(settings: Settings, feed: str) -> str:
    """Why a collected feed is not expected in the year in progress: not yet, or no longer."""
    last = settings.feeds.last_year.get(feed)
    if last and year_containing(today(), settings.reporting.year_start_month) > last:
        return f"collected until {last} ([feeds] last_year)"
    return f"collected from {settings.feeds.first_year.get(feed)} ([feeds] first_year)"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # the load audit stores naive UTC


def _freshness_check(settings: Settings, feed: str, table: str):
    @asset_check(asset=AssetKey(["raw", table]), name="feed_freshness", blocking=False, pool=WRITER_POOL,
                 description=f"Warns when no new {feed} file has loaded for longer than the feed's cadence "
                             f"plus grace ({settings.freshness.cadence_days.get(feed, 365)} + "
                             f"{settings.freshness.grace_days} days).")
    def feed_freshness_check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        ledger = read_ledger(settings, wait=LOCK_TIMEOUT_SECONDS)
        audit = ledger.load_audit if ledger else pl.DataFrame()
        state = next(f for f in feed_freshness(settings, audit) if f.feed == feed)
        now = utc_now()
        if state.late(now) and context.run.job_name == FRESHNESS_JOB:
            send(settings, Alert(subject=f"feed late: {feed}", job=FRESHNESS_JOB, run_id=context.run.run_id,
                                 error=state.describe(now),
                                 what_to_do=f"ask the {feed} publisher for their latest file and drop it into "
                                            f"landing/{feed}/ (or change [freshness] in impact.toml)."))
        age = state.age_days(now)
        return AssetCheckResult(
            passed=not state.late(now), severity=AssetCheckSeverity.WARN,
            description=state.describe(now),
            metadata={"newest_file": state.newest_file or "none",
                      "age_days": round(age, 1) if age is not None else -1.0, "allowed_days": state.allowed_days,
                      "loaded_at": state.loaded_at.isoformat() if state.loaded_at else "never",
                      "read_from": ledger.source if ledger else "nothing loaded yet"})

    return feed_freshness_check


def build_freshness_checks(settings: Settings) -> list:
    """One check per feed the partnership collects ([feeds]), on its principal table (the first
    entity of its contract): a feed it never sends is never late."""
    return [_freshness_check(settings, feed, next(iter(entities.values())).table)
            for feed, entities in load_contracts().items() if settings.collects(feed)]


def build_freshness_schedule(checks: list) -> tuple:
    job = define_asset_job(FRESHNESS_JOB, AssetSelection.checks(*checks),
                           description="Evaluate every feed's freshness check; a late feed raises an alert.")
    schedule = ScheduleDefinition(name="feed_freshness_daily", job=job, cron_schedule="0 7 * * *",
                                  execution_timezone="Europe/London",
                                  default_status=DefaultScheduleStatus.RUNNING,
                                  description="Every morning at 07:00: which feeds are late.")
    return job, schedule
