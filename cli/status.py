"""`impact status`: per feed the partnership collects ([feeds]) the latest file and load, rows,
freshness; files waiting in the landing folder; per reporting year whether it is open (provisional)
or closed, the last gate result and the published pack; recent runs (a run whose process died is
shown as such).

Safe while a pipeline runs: the working warehouse is read only when no one is writing it, else the
published snapshot answers ("as of publication ..."); packs come from exports/, runs from Dagster.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from exports.revisions import latest_revision
from ingest.arrivals import unsupported
from ingest.contracts import load_contracts
from ingest.loader import sha256_of
from ingest.pseudonym_key import key_check
from orchestration.freshness import feed_freshness, utc_now
from orchestration.landing import FEED_TAG, FILE_TAG
from orchestration.landing_scan import gone_from, landing_files, needs_key, not_collected, withdraw_hint
from orchestration.pack_currency import OUT_OF_DATE
from partnership.config import ConfigError, Settings
from partnership.ledger import Ledger, read_ledger

_LOADED = ["loaded", "replaced"]


def _table(rows: list[dict]) -> str:
    if not rows:
        return "  (none)"
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in rows[0]}
    lines = ["  " + "  ".join(f"{k:<{w}}" for k, w in widths.items())]
    lines += ["  " + "  ".join(f"{str(r[k]):<{w}}" for k, w in widths.items()) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def feed_rows(settings: Settings, ledger: Ledger) -> list[dict]:
    audit, now = ledger.load_audit, utc_now()
    loaded = audit.filter(pl.col("status").is_in(_LOADED)) if not audit.is_empty() else audit
    rows = []
    for state in feed_freshness(settings, audit):
        mine = loaded.filter(pl.col("feed") == state.feed) if not loaded.is_empty() else loaded
        newest = mine.sort("loaded_at").tail(1) if mine.height else mine
        # A workbook loads one audit row per sheet ("book.xlsx#Costs"): the file is all its sheets.
        latest = mine.filter(pl.col("file_sha256") == newest["file_sha256"][0]) if newest.height else mine
        rows.append({
            "feed": state.feed,
            "latest file": _file_of(newest.row(0, named=True)) if newest.height else "-",
            "loaded (UTC)": f"{state.loaded_at:%Y-%m-%d %H:%M}" if state.loaded_at else "-",
            "its rows loaded/quarantined": f"{_sum(latest, 'rows_loaded'):,}/{_sum(latest, 'rows_quarantined'):,}",
            "files": mine["file_sha256"].n_unique() if mine.height else 0,
            "all rows loaded/quarantined": f"{_sum(mine, 'rows_loaded'):,}/{_sum(mine, 'rows_quarantined'):,}",
            "freshness": state.describe(now),
        })
    return rows


def _file_of(row: dict) -> str:
    """The file as dropped: a sheet ('#Payments') or ZIP member ('!june.csv') is part of it."""
    return row.get("file_name") or re.split(r"[!#]", row["source_file"], maxsplit=1)[0]


def overlap_rows(ledger: Ledger | None) -> list[dict]:
    """Loaded files that overlap another loaded file without replacing it (docs/ingest-policy.md)."""
    audit = ledger.load_audit if ledger else pl.DataFrame()
    if audit.is_empty() or "overlaps_with" not in audit.columns:
        return []
    current = audit.filter(pl.col("status").is_in(_LOADED) & pl.col("overlaps_with").is_not_null())
    return [{"feed": r["feed"], "file": r["source_file"], "overlaps": r["overlaps_with"],
             "loaded (UTC)": f"{r['loaded_at']:%Y-%m-%d %H:%M}"}
            for r in current.sort("loaded_at").iter_rows(named=True)]


def _sum(frame: pl.DataFrame, column: str) -> int:
    return int(frame[column].sum() or 0) if frame.height else 0


def landing_rows(settings: Settings, ledger: Ledger | None) -> list[dict]:
    """Files in the landing folder the ledger has not loaded (by name), or whose last load was refused."""
    audit = ledger.load_audit if ledger else pl.DataFrame()
    last = {}
    if not audit.is_empty():
        for row in audit.sort("loaded_at").iter_rows(named=True):
            last[(row["feed"], _file_of(row))] = row
            last.setdefault((None, _file_of(row)), row)  # refused before its feed was known
    loaded = {}
    if not audit.is_empty():
        for row in audit.filter(pl.col("status").is_in(_LOADED)).iter_rows(named=True):
            loaded[row["file_sha256"]] = _file_of(row)
    rows = []
    for feed in load_contracts():
        for path in unsupported(settings.landing_dir / feed):
            rows.append({"file": f"{feed}/{path.name}", "state": "ignored: not a supported type (CSV, XLSX, ZIP)"})
        for path in landing_files(settings, feed):
            latest = last.get((feed, path.name)) or last.get((None, path.name))
            if not settings.collects(feed) and (latest is None or latest["status"] == "refused"):
                rows.append({"file": f"{feed}/{path.name}", "state": not_collected(feed)})
            elif latest is None:
                # Only files unknown by name are hashed: a copy of a loaded file is not waiting.
                twin = loaded.get(_sha256(path))
                state = f"same content as {twin}: not loaded again" if twin else "not loaded yet"
                rows.append({"file": f"{feed}/{path.name}", "state": state})
            elif latest["status"] == "refused":
                rows.append({"file": f"{feed}/{path.name}", "state": f"REFUSED: {latest['message']}"})
    return rows


def gone_rows(settings: Settings, ledger: Ledger | None) -> list[dict]:
    """Files loaded from the landing folder that are no longer in it (orchestration/landing_scan.py)."""
    audit = ledger.load_audit if ledger else pl.DataFrame()
    if audit.is_empty():
        return []
    current = audit.filter(pl.col("status").is_in(_LOADED))
    loads: dict[tuple[str, str, str], int] = {}
    for row in current.iter_rows(named=True):
        key = (row["feed"], _file_of(row), row["file_sha256"])
        loads[key] = loads.get(key, 0) + int(row["rows_loaded"] or 0)
    present = {}
    for feed in {feed for feed, _, _ in loads if settings.collects(feed)}:
        paths = landing_files(settings, feed)
        # Only files whose name no load has are hashed: a loaded file moved to another name is not gone.
        loaded_names = {name for f, name, _ in loads if f == feed}
        present[feed] = ({p.name for p in paths}, {h for p in paths if p.name not in loaded_names if (h := _sha256(p))})
    gone = gone_from([(f, n, sha, rows) for (f, n, sha), rows in loads.items() if f in present], settings, present)
    return [{"file": f"{g.feed}/{g.name}", "rows in the warehouse": f"{g.rows:,}"} for g in gone]


def _sha256(path: Path) -> str | None:
    if path.is_symlink() or not path.is_file():
        return None  # never followed nor read: the ingest refuses it
    try:
        return sha256_of(path)
    except OSError:
        return None


def _open_until(settings: Settings, year: str) -> dt.date | None:
    """The day an open year closes; None for a closed year. ValueError for a label of another
    convention (e.g. after a change of start month)."""
    from orchestration.year_gate import year_closes_on, year_is_open

    closes = year_closes_on(settings, year)
    return closes if year_is_open(settings, year) else None


def _year_state(settings: Settings, year: str) -> str:
    try:
        closes = _open_until(settings, year)
    except ValueError:  # a label of another convention
        return "-"
    return f"open, provisional until {closes}" if closes else "closed"


def year_rows(settings: Settings, ledger: Ledger | None) -> list[dict]:
    gate = ledger.gate_results if ledger else pl.DataFrame()
    verdicts = {}
    if not gate.is_empty():
        for (year,), results in gate.group_by("reporting_year"):
            latest = results.filter(pl.col("validated_at") == results["validated_at"].max())
            run = results.filter(pl.col("run_id") == latest["run_id"][0])
            errors = run.filter(~pl.col("passed") & (pl.col("severity") == "error")).height
            warnings = run.filter(~pl.col("passed") & (pl.col("severity") == "warning")).height
            verdict = "FAILED" if errors else ("passed with warnings" if warnings else "passed")
            verdicts[year] = (f"{verdict} ({errors} errors, {warnings} warnings) "
                              f"{run['validated_at'].dt.max():%Y-%m-%d %H:%M}")
    packs = _latest_packs(settings, ledger.pack_checks if ledger else {})
    # A year with figures that no run gated (a trend year, one never published): carried as loaded.
    for year in ledger.data_years if ledger else []:
        verdicts.setdefault(year, _never_gated(settings, year))
    return [{"year": year, "state": _year_state(settings, year), "last gate": verdicts.get(year, "-"),
             "published pack": packs.get(year, "-")}
            for year in sorted(set(verdicts) | set(packs), reverse=True)]


def _never_gated(settings: Settings, year: str) -> str:
    from partnership.reporting_years import start_year

    start_month, first = settings.reporting.year_start_month, settings.reporting.first_year
    try:
        if start_year(year, start_month) < start_year(first, start_month):
            return f"not gated: a trend year before [reporting] first_year {first}, carried as loaded"
        if _open_until(settings, year):
            return "not gated yet"
    except ValueError:  # a label of another convention
        return "not gated"
    return (f"never gated: its figures are carried as loaded (`impact publish --year {year}` would gate it and "
            "write its pack)")


def _latest_packs(settings: Settings, checks: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The latest revision per year; OUT OF DATE where the last run that re-gated the year found
    that the snapshot no longer says what that revision says (orchestration/pack_currency.py). A
    year with a pack that is open again (its grace period lengthened, or its start month changed)
    says so: its pack stands, and a new one waits until the year closes."""
    exports, packs = settings.exports_dir, {}
    for year_dir in sorted(p for p in exports.glob("*") if p.is_dir()) if exports.exists() else []:
        if latest := latest_revision(year_dir):
            folder, manifest = latest
            year = year_dir.name
            packs[year] = (f"{folder.name} ({manifest.get('produced_at', '?')[:16]}, "
                           f"gate {manifest.get('gate', {}).get('status', '?')})")
            try:
                reopened = _open_until(settings, year)
            except ValueError:  # a label of another convention
                reopened = None
            if reopened:
                packs[year] += (f"; the year is OPEN again under the current [reporting] settings (until "
                                f"{reopened}): this pack stands as published, and a new one can be written once "
                                "the year closes")
            elif checks.get(year) == (folder.name, OUT_OF_DATE):
                packs[year] += f"; OUT OF DATE: a pack written now would differ: `impact publish --year {year}`"
    return packs


def run_rows(settings: Settings, limit: int = 10) -> list[dict] | None:
    if not (settings.dagster_home / "dagster.yaml").exists():
        return None
    try:
        from dagster import DagsterInstance

        from orchestration.recovery import daemon_alive

        with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            runs = instance.get_runs(limit=limit)
            alive = daemon_alive(instance)
            return [{"started (UTC)": _started(instance, run), "job": run.job_name,
                     "status": _run_status(run, alive),
                     "file": f"{run.tags[FEED_TAG]}/{run.tags[FILE_TAG]}" if FILE_TAG in run.tags else "",
                     "run": run.run_id[:8]} for run in runs]
    except Exception:  # the run history is a convenience here; status must still print
        return None


def _run_status(run, daemon_alive: bool) -> str:
    from orchestration.recovery import why_dead

    if run.status.value in ("STARTED", "STARTING", "CANCELING") and why_dead(run, daemon_alive):
        return "DIED (process gone; the next run marks it failed)"
    return run.status.value


def _started(instance, run) -> str:
    record = instance.get_run_record_by_id(run.run_id)
    stamp = record.start_time if record and record.start_time else None
    return f"{dt.datetime.fromtimestamp(stamp, dt.UTC):%Y-%m-%d %H:%M}" if stamp else "-"


def key_line(settings: Settings, ledger: Ledger | None) -> str | None:
    """Whether the pseudonymisation key set now is the warehouse's own, before a load finds out."""
    feeds = [f for f in settings.feeds.collected if needs_key(f)]
    if not feeds:
        return None
    recorded = ledger.pseudonym_key if ledger else None
    try:
        key = settings.pseudonymisation_key()
    except ConfigError as exc:
        return f"pseudonymisation key: NOT USABLE: {exc}"
    if recorded is None:
        return "pseudonymisation key: set; recorded by the first load of " + " or ".join(feeds)
    when = f"first used {recorded.first_used_at:%Y-%m-%d %H:%M} UTC"
    if recorded.check == key_check(key):
        return f"pseudonymisation key: the warehouse's own ({when})"
    return (f"pseudonymisation key: DIFFERS from the one the warehouse was built with ({when}): loads of "
            f"{' and '.join(feeds)} files are refused until it is set back (docs/operations.md)")


def undeclared_anchors_line(settings: Settings, ledger: Ledger) -> str | None:
    """Payments stored under a name that is no longer a declared anchor's name or alias (an anchor
    renamed without keeping its former name as an alias): they no longer follow any anchor. Matched
    as staging matches them (macro declared_anchor_name: case and surrounding spaces aside)."""
    spellings = {s.lower().strip() for a in settings.anchors for s in (a.name, *a.aliases)}
    stray = {name: n for name, n in ledger.stored_anchors.items()
             if name is not None and name.lower().strip() not in spellings}
    if not stray or not settings.anchors:
        return None
    shown = ", ".join(f'"{name}" ({n:,} payment lines)' for name, n in sorted(stray.items()))
    return (f"WARNING: payments are stored under {shown}, now neither a declared anchor's name nor an alias, "
            "and still counted: if the anchor was renamed, add the former name to its aliases "
            '(docs/partnerships.md, "Renaming an anchor"); if it left, declare it again with last_year; '
            'if its files should not count, withdraw them (docs/operations.md, "Withdrawing a file")')


def status_report(settings: Settings) -> str:
    from partnership.command_lock import command_running
    from publication.reference_data import synthetic_lookup_warning, toc_framework_line, toc_framework_warning

    ledger = read_ledger(settings, for_status=True)
    register = "" if not settings.collects("spend") else (
        ", with a supplier register" if settings.feeds.supplier_register else ", without a supplier register")
    out = [f"data directory: {settings.data_dir}",
           f"partnership: {settings.partnership.name}; area {settings.area.name} ({settings.area.code}, "
           f"{len(settings.area.local_authorities)} local authorities); {len(settings.anchors)} anchors declared",
           f"feeds collected: {', '.join(map(settings.feeds.describe, settings.feeds.collected))}{register} "
           "([feeds] in the configuration)"]
    out.append(toc_framework_line(settings))
    if running := command_running(settings):
        out.append(f"running now: {running}; what follows may change when it ends")
    for warning in filter(None, (synthetic_lookup_warning(settings), toc_framework_warning(settings))):
        out.append(warning)
    if line := key_line(settings, ledger):
        out.append(line)
    if ledger is not None and (line := undeclared_anchors_line(settings, ledger)):
        out.append(line)
    if ledger is None:
        out.append("nothing loaded or published yet: drop files into landing/<feed>/, or run `impact demo`")
    else:
        note = "" if ledger.source == "working warehouse" else " (a run is writing the warehouse now)"
        out += [f"loads and gate results as of: {ledger.source}{note}", "",
                "Feeds", _table(feed_rows(settings, ledger))]
    out += ["", "Landing folder: files not (successfully) loaded", _table(landing_rows(settings, ledger))]
    if gone := gone_rows(settings, ledger):
        out += ["", f"Loaded files no longer in the landing folder: {withdraw_hint(len(gone))}", _table(gone)]
    out += ["", "Overlaps: loaded files that overlap another loaded file (both kept; declare a correction with "
            "`impact ingest NEW --replaces OLD`)", _table(overlap_rows(ledger))]
    out += ["", "Reporting years", _table(year_rows(settings, ledger))]
    runs = run_rows(settings)
    if runs is not None:
        out += ["", "Recent runs (Dagster)", _table(runs)]
    if ledger is not None and ledger.quarantine_reasons is not None:
        reasons = ledger.quarantine_reasons.to_dicts()
        shown = [{**r, "reason": r["reason"][:100]} for r in reasons if settings.collects(r["feed"])][:20]
        hidden = sum(r["rows"] for r in reasons if not settings.collects(r["feed"]))
        more = f"; {hidden:,} rows of feeds no longer collected not shown" if hidden else ""
        out += ["", f"Quarantine: rows set aside, by reason (top 20{more})", _table(shown)]
    if settings.alerts_path.exists():
        count = settings.alerts_path.read_text(encoding="utf-8").count("==== ")
        out += ["", f"alerts: {count} in {settings.alerts_path}"]
    return "\n".join(out)
