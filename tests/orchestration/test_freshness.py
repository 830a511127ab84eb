"""Feed freshness as Dagster asset checks, run by the daily freshness job on a steward's data."""

from __future__ import annotations

from dagster import AssetCheckSeverity, instance_for_test
from steward_data_dir import build

from orchestration.freshness import FRESHNESS_JOB


def test_the_freshness_job_passes_a_fresh_feed_and_warns_of_late_ones(settings):
    from orchestration.definitions import build_definitions

    build(settings)
    defs = build_definitions(settings)
    with instance_for_test() as instance:
        result = defs.resolve_job_def(FRESHNESS_JOB).execute_in_process(instance=instance)
    assert result.success  # a late feed warns; it never fails the run
    checks = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert set(checks) == {"spend__payments", "charter__signatories", "programme__participants",
                           "wellbeing__responses"}
    assert {e.check_name for e in checks.values()} == {"feed_freshness"}
    assert checks["spend__payments"].passed
    assert checks["spend__payments"].metadata["newest_file"].value == "good_payments.csv"
    for late in ("charter__signatories", "programme__participants", "wellbeing__responses"):
        assert not checks[late].passed and checks[late].severity == AssetCheckSeverity.WARN
    assert checks["charter__signatories"].metadata["age_days"].value == 200.0
    assert checks["charter__signatories"].metadata["allowed_days"].value == 99
    alerts = settings.alerts_path.read_text(encoding="utf-8")
    assert alerts.count("==== ") == 3 and "feed late: charter" in alerts
    assert "LATE: newest file 200 days old (allowed 99)" in alerts
    assert "drop it into landing/charter/" in alerts


def test_a_cadence_from_the_configuration_moves_the_line(settings):
    from orchestration.freshness import feed_freshness, utc_now
    from partnership.ledger import read_ledger

    build(settings)
    settings.freshness.cadence_days["charter"] = 365
    [charter] = [f for f in feed_freshness(settings, read_ledger(settings).load_audit) if f.feed == "charter"]
    assert charter.allowed_days == 372 and not charter.late(utc_now())


def test_a_feed_not_collected_in_the_year_in_progress_is_never_late(settings, monkeypatch):
    """[feeds] last_year / first_year: a feed the partnership stopped, or starts next year, is not
    expected now, whatever the age of its newest file."""
    from orchestration.freshness import feed_freshness, utc_now
    from partnership.ledger import read_ledger

    build(settings)
    monkeypatch.setenv("IMPACT_TODAY", "2025-08-15")  # 2025-26 in progress
    settings.feeds.last_year["charter"] = "2024-25"
    settings.feeds.first_year["wellbeing"] = "2026-27"
    state = {f.feed: f for f in feed_freshness(settings, read_ledger(settings).load_audit)}
    assert not state["charter"].late(utc_now()) and not state["wellbeing"].late(utc_now())
    assert state["charter"].describe(utc_now()).startswith(
        "not expected now: collected until 2024-25 ([feeds] last_year); newest file 200 days old")
    assert state["wellbeing"].describe(utc_now()) == "not expected now: collected from 2026-27 ([feeds] first_year)"
    assert state["programme"].late(utc_now())  # still collected, still late
    settings.feeds.last_year["charter"] = "2025-26"
    assert next(f for f in feed_freshness(settings, read_ledger(settings).load_audit)
                if f.feed == "charter").late(utc_now())
