"""`impact run`: do what the new inputs need, and nothing else.

1. recover: runs whose process died are marked failed and their pool slot freed (recovery.py);
2. landing: new files only (known files are recognised by size and mtime, never read again);
3. build (one `build_job` run, only if needed): those files' ingest, and the dbt models
   downstream of the raw tables that changed (build_plan.py);
4. gate: each reporting year whose gate inputs changed (year_gate.py), one partition run each;
   an open year is checked to date and stays provisional;
5. snapshot: rebuilt only if what it copies changed, in the run of the last year gated;
6. pack: only for the year asked for (`--year`, or the demo's latest closed year), only if that
   year is closed, and a new revision only if its content changed.
Every stage prints one line (console.py); a stage with nothing to do says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from exports.revisions import latest_revision
from ingest.pseudonym_key import confirm_key
from orchestration import console, run_state
from orchestration.build_plan import BUILD_STAGE, CHANGED_TAG, PLAN_TAG, BuildWork, all_models, plan_work
from orchestration.dbt_vars import dbt_vars
from orchestration.fingerprints import snapshot_fingerprint
from orchestration.landing_scan import needs_key
from orchestration.pack_currency import packs_behind
from orchestration.run_state import PUBLISH_STAGE
from orchestration.runner import RunOutcome, YearUnknown, execute, instance_for, load_definitions
from orchestration.year_gate import standing_results, year_closes_on, year_is_open, years_with_rows
from partnership.config import Settings
from partnership.warehouse import write_connection

LATEST_CLOSED = "latest-closed"  # pack year for the demo: the latest closed year with data
GATE_FAILED = ("failed", "error")  # a gate's status that holds the snapshot and the year's pack back


@dataclass
class Summary:
    success: bool = True
    runs: list[RunOutcome] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    gates: dict[str, str] = field(default_factory=dict)  # year -> status
    gate_runs: dict[str, str] = field(default_factory=dict)  # year -> run id of its latest gate
    snapshot: str = "unchanged"  # unchanged | refreshed | not refreshed
    pack_year: str | None = None
    pack_folder: Path | None = None
    pack_new_revision: bool | None = None
    open_years: list[str] = field(default_factory=list)
    did_work: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds its steps ran

    def failed_years(self) -> list[str]:
        """The years whose latest gate failed or errored (this run's, or a result that stands)."""
        return sorted(y for y, status in self.gates.items() if status in GATE_FAILED)

    def fail(self, message: str) -> Summary:
        self.success = False
        self.messages.append(message)
        return self


def run(settings: Settings, pack_year: str | None = None, *, rebuild: bool = False) -> Summary:
    """`rebuild`: build every model, gate every year and refresh the snapshot even if nothing changed
    (after an upgrade, or to prove a full run); files already loaded are still not loaded again."""
    summary = Summary()
    _recover(settings)
    work = plan_work(settings, rebuild=rebuild)
    _say_landing(settings, work)
    if any(needs_key(f.feed) for f in work.waiting):  # one clear line now, rather than a failure per feed later
        with write_connection(settings) as con:
            confirm_key(con, settings.pseudonymisation_key())  # set, and the warehouse's own (KeyMismatch)
    defs = None
    if not work.loaded and not work.waiting:  # dbt would fail on raw tables no file has created
        console.done("dbt", f"skipped: no file has been loaded yet (the landing folder is {settings.landing_dir})")
    elif work.needed:
        defs = load_definitions(settings)
        if not _build(settings, defs, work, summary):
            return summary
    else:
        console.done("dbt", f"skipped: {work.plan.reason}{_since(settings, BUILD_STAGE)}")
    return _publish(settings, defs, pack_year, summary, rebuild)


def _recover(settings: Settings) -> None:
    """Dead runs marked failed and their slots freed (recovery.py); the Dagster instance is opened
    only when its files show a run in progress or a slot held."""
    from orchestration.recovery import clear_partial_packs, may_need_recovery, recover

    if not may_need_recovery(settings):
        clear_partial_packs(settings)  # no run is in progress: no pack is being written
        return
    with instance_for(settings) as instance:
        for dead in recover(instance, settings):
            console.done("recovery", f"run {dead.run_id[:8]} ({dead.job_name}) marked failed: {dead.reason}; "
                                     "its writer slot is free again")


def _say_landing(settings: Settings, work: BuildWork) -> None:
    from orchestration.landing_scan import collected_feeds, landing_files, withdraw_hint

    for feed in sorted({f.feed for f in work.stray}):
        n = sum(f.feed == feed for f in work.stray)
        console.done("landing", f"{n} file{'s' * (n != 1)} in {feed}/ not loaded: the partnership does not "
                                f"collect {feed} (add \"{feed}\" to [feeds] collected to load)")
    if work.gone:
        n, shown = len(work.gone), ", ".join(g.describe() for g in work.gone[:3])
        more = f" and {n - 3:,} more" if n > 3 else ""
        console.done("landing", f"{n} loaded file{'s are' if n != 1 else ' is'} no longer in the landing folder: "
                                f"{shown}{more}; {withdraw_hint(n)}")
    waiting = work.waiting
    known = sum(len(landing_files(settings, feed)) for feed in collected_feeds(settings)) - len(waiting)
    if not waiting:
        console.done("landing", f"nothing new ({known} files already loaded, not read again)")
        return
    per_feed: dict[str, int] = {}
    for f in waiting:
        per_feed[f.feed] = per_feed.get(f.feed, 0) + 1
    feeds_text = ", ".join(f"{feed} {n}" for feed, n in sorted(per_feed.items()))
    console.done("landing", f"{len(waiting)} new file{'s' * (len(waiting) != 1)} ({feeds_text}); "
                            f"{known} already loaded, not read again")


def _since(settings: Settings, stage: str) -> str:
    with write_connection(settings) as con:
        records = run_state.recorded(con, stage)
    if not records:
        return ""
    latest = max(records.values(), key=lambda r: r.recorded_at)
    return f" (last built by run {latest.run_id[:8]}, {latest.recorded_at:%Y-%m-%d %H:%M} UTC)"


def _build(settings: Settings, defs, work: BuildWork, summary: Summary) -> bool:
    plan, new_feeds = work.plan, work.new_feeds
    outcome = execute(settings, defs.resolve_job_def("build_job"), None, selection=work.selection(),
                      tags={PLAN_TAG: work.tag()})
    summary.runs.append(outcome)
    summary.did_work = True
    if new_feeds:
        console.done("ingest", _ingest_line(outcome, new_feeds), outcome.seconds("ingest_"))
    if not outcome.success:
        summary.fail(f"the build failed (run {outcome.run_id[:8]}): " + "; ".join(filter(None, outcome.messages)))
        return False
    if plan.models:
        built = sum(1 for key in outcome.materialized if key in all_models())
        tests = sum(1 for key in outcome.checks if not key.endswith(":feed_freshness"))
        failed = sum(1 for key, ok in outcome.checks.items() if not ok and not key.endswith(":feed_freshness"))
        scope = (f"models downstream of {outcome.tags[CHANGED_TAG]} (the raw tables that changed)"
                 if CHANGED_TAG in outcome.tags else plan.scope)
        console.done("dbt", f"{built} models and {tests} tests ({failed} failing) rebuilt: {scope}"
                            + ("" if plan.changed_tables or not plan.reason else f" ({plan.reason})"),
                     outcome.seconds("impact_dbt_models"))
    else:
        console.done("dbt", "skipped: the new files changed no raw table")
    return True


def _ingest_line(outcome: RunOutcome, feeds: list[str]) -> str:
    parts = []
    for feed in feeds:
        tables = {k: v for k, v in outcome.metadata.items() if k.startswith(f"raw/{feed}__")}
        if not tables:
            parts.append(f"{feed}: not run")
            continue
        any_meta = next(iter(tables.values()))
        files = {f for meta in tables.values() for f in meta.get("files_loaded", [])}
        refused = any_meta.get("files_refused", {}) or {}
        rows = sum(meta.get("rows_loaded", 0) for meta in tables.values())
        quarantined = sum(meta.get("rows_quarantined", 0) for meta in tables.values())
        text = f"{feed}: {len(files)} file{'s' * (len(files) != 1)} loaded, {rows:,} rows ({quarantined:,} quarantined)"
        if refused:
            text += f", {len(refused)} REFUSED: " + "; ".join(refused.values())[:300]
        parts.append(text)
    return "; ".join(parts)


def _publish(settings: Settings, defs, pack_year: str | None, summary: Summary, rebuild: bool) -> Summary:
    with write_connection(settings) as con:
        with_rows = years_with_rows(con)
    partitions = _partition_keys(settings)
    years = [y for y in with_rows if y in partitions]
    summary.open_years = [y for y in years if year_is_open(settings, y)]
    if pack_year == LATEST_CLOSED:
        closed = [y for y in years if y not in summary.open_years]
        pack_year = closed[-1] if closed else None
    if pack_year and pack_year not in partitions:
        raise YearUnknown(f"{pack_year} is not a reporting year Dagster knows ({partitions[0]} to {partitions[-1]}; "
                          "the first is [reporting] first_year in the configuration)")
    if not years:
        console.done("gate", "nothing to gate: no reporting year from [reporting] first_year has metric values")
        if pack_year:
            summary.fail(f"no pack for {pack_year}: the warehouse holds no metric values for it "
                         f"(years with values: {', '.join(with_rows) or 'none'})")
        return summary
    with write_connection(settings) as con:
        due = _years_to_gate(con, years, summary.open_years, pack_year)
        standing = {} if rebuild else standing_results(con, settings, due)
    to_gate = [y for y in due if y not in standing]
    if pack_year and pack_year not in years:
        to_gate.append(pack_year)  # annual_tables says which years the warehouse holds
    for year, record in standing.items():
        summary.gates[year], summary.gate_runs[year] = record.status, record.run_id
    if standing:
        console.done("gate", "unchanged, results stand: " + ", ".join(
            f"{y} {r.status}{' (open)' if y in summary.open_years else ''}" for y, r in standing.items()))
    final = pack_year or (to_gate[-1] if to_gate else due[-1])
    gate_keys = ["annual_tables"]  # asset names: Dagster is imported only when a run is made

    def publish_job():
        nonlocal defs
        defs = defs or load_definitions(settings)  # only when there is a run to make
        return defs.resolve_job_def("publish_job")

    for year in [y for y in to_gate if y != final]:
        outcome = execute(settings, publish_job(), year, selection=gate_keys)
        _note_gate(settings, summary, year, outcome)
    # Years whose gate failed, in this run or as a result that stands (the final year's too: gated in
    # an earlier run, it is not gated again here, and its failure still holds the snapshot back).
    blocked = summary.failed_years()
    selection = list(gate_keys) if final in to_gate else []
    if blocked:
        summary.snapshot = "not refreshed"  # the snapshot carries every year, the failing ones too
    elif final in to_gate or _snapshot_stale(settings):
        selection.append("published_snapshot")
    pack = bool(pack_year and not year_is_open(settings, pack_year) and not blocked)
    if pack:
        selection.append("annual_pack")
    if selection:
        outcome = execute(settings, publish_job(), final, selection=selection)
        if final in to_gate:
            _note_gate(settings, summary, final, outcome)
        _note_publication(summary, outcome, pack_year if pack else None)
    _say_snapshot(settings, summary)
    behind = _packs_behind(settings, summary, [y for y in years if not (pack and y == pack_year)])
    _say_pack(settings, summary, pack_year, years, behind)
    if failed := summary.failed_years():
        summary.fail(f"the gate failed for {', '.join(failed)}: fix what these expectations say, then run "
                     "again (the snapshot and packs are unchanged)")
    return summary


def _years_to_gate(con, years: list[str], open_years: list[str], pack_year: str | None) -> list[str]:
    """The years whose gate must stand before the snapshot is refreshed: the open years (provisional,
    checked to date), the year whose pack is asked for (else the latest closed year), and every year
    gated before (so a late return re-gates its year). Other years — trend years, gaps — are
    carried as they are, as before any gate."""
    try:
        gated = {y for (y,) in con.execute("SELECT DISTINCT reporting_year FROM gate.results").fetchall()}
    except duckdb.CatalogException:
        gated = set()
    closed = [y for y in years if y not in open_years]
    chosen = set(open_years) | (gated & set(years)) | ({pack_year} if pack_year else set(closed[-1:]))
    return [y for y in years if y in chosen]


def _partition_keys(settings: Settings) -> list[str]:
    from partnership.config import today
    from partnership.reporting_years import reporting_years

    return reporting_years(settings.reporting.first_year, today(), settings.reporting.year_start_month)


def _snapshot_stale(settings: Settings) -> bool:
    if not settings.published_path.exists():
        return True
    from publication.reference_data import reference_datasets

    with write_connection(settings) as con:
        record = run_state.recorded(con, PUBLISH_STAGE).get("snapshot")
        return record is None or record.fingerprint != snapshot_fingerprint(
            con, reference_datasets(settings), dbt_vars(settings))


def _note_gate(settings: Settings, summary: Summary, year: str, outcome: RunOutcome) -> None:
    summary.runs.append(outcome)
    summary.did_work = True
    status = outcome.gate_status or "error"
    summary.gates[year], summary.gate_runs[year] = status, outcome.run_id
    state = (f" (open until {year_closes_on(settings, year)}: provisional, checked to date)"
             if year_is_open(settings, year) else "")
    words = {"passed": "passed", "warned": "passed with warnings", "failed": "FAILED", "error": "ERROR"}
    line = f"{year}{state}: {words.get(status, status)}"
    if not outcome.gate_status:
        line += " — " + "; ".join(filter(None, outcome.messages))
    console.done("gate", line, outcome.seconds("annual_tables"))


def _note_publication(summary: Summary, outcome: RunOutcome, pack_year: str | None) -> None:
    summary.runs.append(outcome)
    summary.did_work = summary.did_work or bool(outcome.materialized)
    summary.seconds = {"snapshot": outcome.seconds("published_snapshot"), "pack": outcome.seconds("annual_pack")}
    if "published_snapshot" in outcome.materialized:
        summary.snapshot = "refreshed"
    elif any("published_snapshot" in step for step in outcome.failed_steps) or not outcome.success:
        summary.snapshot = "not refreshed"
    if pack_year:
        summary.pack_year = pack_year
        summary.pack_folder, summary.pack_new_revision = outcome.pack_folder, outcome.pack_new_revision
    if not outcome.success and outcome.gate_status not in GATE_FAILED:  # a failed gate is said below
        summary.fail("; ".join(filter(None, outcome.messages)) or f"run {outcome.run_id[:8]} failed")


def _say_snapshot(settings: Settings, summary: Summary) -> None:
    provisional = f" ({', '.join(summary.open_years)} provisional)" if summary.open_years else ""
    if summary.snapshot == "refreshed":
        console.done("snapshot", f"refreshed with every year{provisional}: {settings.published_path}",
                     summary.seconds.get("snapshot"))
    elif summary.snapshot == "not refreshed":
        failing = summary.failed_years()
        why = f"the gate of {', '.join(failing)} failed" if failing else "its run failed"
        console.done("snapshot", f"NOT refreshed ({why}): evaluators keep the previous publication")
    else:
        console.done("snapshot", f"up to date, nothing changed{provisional}")


def _packs_behind(settings: Settings, summary: Summary, years: list[str]) -> list[tuple[str, str]]:
    """Packs of closed years that no longer match the snapshot (pack_currency.py): compared only
    where a closed year was gated since; a month of an open year compares nothing."""
    if summary.snapshot == "not refreshed":  # the snapshot is not what its gates passed
        return []
    closed = [y for y in years if not year_is_open(settings, y)]
    return packs_behind(settings, closed, summary.runs[-1].run_id if summary.runs else "")


def _say_pack(settings: Settings, summary: Summary, pack_year: str | None, years: list[str],
              behind: list[tuple[str, str]]) -> None:
    for year in summary.open_years:
        if published := latest_revision(settings.exports_dir / year):
            console.done("pack", f"{year} {published[0].name} was published, and the year is OPEN again under "
                                 f"the current [reporting] settings (until {year_closes_on(settings, year)}): the "
                                 "pack stands; the snapshot shows the year as provisional")
    for year, revision in behind:
        console.done("pack", f"{year} {revision} OUT OF DATE: a pack written now would differ (late or "
                             "corrected files, settings, an upgrade): "
                             f"`impact publish --year {year}` writes the next revision")
    if behind and not pack_year:
        return
    if pack_year and year_is_open(settings, pack_year):
        console.done("pack", f"none: {pack_year} is open until {year_closes_on(settings, pack_year)} "
                             "(provisional in the snapshot; packs are for closed years)")
    elif pack_year and summary.pack_folder:
        state = "written" if summary.pack_new_revision else "unchanged (same content), no new revision"
        console.done("pack", f"{pack_year} {summary.pack_folder.name} {state}: {summary.pack_folder}",
                     summary.seconds.get("pack"))
    elif pack_year and pack_year in summary.failed_years():
        console.done("pack", f"{pack_year}: none written: its gate did not pass (below)")
    elif pack_year:
        console.done("pack", f"{pack_year}: none written")
    else:
        closed = [y for y in years if y not in summary.open_years]
        hint = f"; latest closed year {closed[-1]}: `impact publish --year {closed[-1]}`" if closed else ""
        if closed and closed[-1] in summary.failed_years():  # no pack until its gate passes
            hint = f"; latest closed year {closed[-1]}: its gate did not pass (below), so no pack can be published yet"
        console.done("pack", f"not asked for (packs are written by --year or `impact publish`){hint}")
