"""What `impact demo`, `impact run` and `impact publish` print: the session (console + log file),
the closing summary, the failed expectations with area names, and one line for an unexpected error."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from partnership.config import ConfigError, Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(data_dir=args.data_dir, config_file=args.config)


@contextmanager
def session(settings: Settings, command: str, args: argparse.Namespace) -> Iterator:
    """The console and log file of a command that changes the warehouse, holding the data directory's
    command lock throughout (a second command waits, then looks at what is new: command_lock.py)."""
    from orchestration import console
    from partnership.command_lock import one_command_at_a_time

    log_path = None
    if not getattr(args, "verbose", False):
        try:
            log_path = console.new_log_path(settings.logs_dir, command)
        except OSError:
            log_path = None  # no room for a log: everything stays on the terminal
    args.log_path = log_path
    with console.session(log_path, verbose=getattr(args, "verbose", False)) as out:
        out.line(f"impact {command}: data directory {settings.data_dir}")
        with one_command_at_a_time(settings, command, out.line):
            yield out


def run_and_report(settings: Settings, year: str | None, started: float, out, rebuild: bool = False) -> int:
    from orchestration.pipeline import run

    summary = run(settings, year, rebuild=rebuild)
    failed_runs = list(dict.fromkeys([*(o.run_id for o in summary.runs if not o.success),
                                      *(summary.gate_runs[y] for y in summary.failed_years())]))
    return report(settings, summary.success, failed_runs, summary.messages, started, out,
                   summary.pack_year, summary.pack_folder, did_work=summary.did_work)


def report(settings: Settings, success: bool, failed_runs: list[str], messages: list[str], started: float,
            out, year: str | None, pack: Path | None, did_work: bool = True) -> int:
    from cli.failures import explain_text

    took = f"{time.monotonic() - started:.1f} s"
    log = f"; details in {out.log_path}" if out.log_path else ""
    if not success:
        out.line(f"FAILED in {took}{log}")
        for message in dict.fromkeys(messages):
            out.line(f"  {explain_text(message, settings) or message}")
        for run_id in failed_runs:
            _print_gate_failures(settings, run_id, out)
        out.line("  the snapshot and exports that were published before are unchanged")
        return 1
    out.line(f"succeeded in {took}{'' if did_work else ': nothing new to do'}{log}")
    if settings.published_path.exists():
        out.line(f"  snapshot: {settings.published_path}")
    if pack:
        out.line(f"  pack:     {pack}")
    if year:
        out.line(f"  try:      impact sql \"select metric_id, geography_name, value from marts.metrics "
                 f"where reporting_year = '{year}' and geography_level = 'county'\"")
    return 0


_NOTHING = re.compile(r"\b(\d+) of \1 rows unexpected: \[0(?:, 0)*\]")  # every row the check counted had none


def _print_gate_failures(settings: Settings, run_id: str, out) -> None:
    import duckdb

    from orchestration.year_gate import area_names, name_areas

    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
        rows = con.execute(
            """SELECT reporting_year, severity, suite, expectation, concerns, observed, expected FROM gate.results
               WHERE run_id = ? AND NOT passed ORDER BY severity, suite""", [run_id]).fetchall()
        names = area_names(con)
        con.close()
    except duckdb.Error:
        return
    absent: dict[str, str] = {}  # feed -> a year it has nothing in at all
    for year, severity, suite, expectation, concerns, observed, expected in rows:
        out.line(name_areas(f"  {year} [{severity.upper()}] {suite}: {expectation} — {concerns}: "
                            f"observed {str(observed)[:200]}, expected {expected}", names))
        feed = str(concerns).split("/", 1)[0]
        if suite == "coverage" and severity == "error" and _NOTHING.search(str(observed)) and settings.collects(feed):
            absent.setdefault(feed, year)
    for feed, year in absent.items():
        if feed not in settings.feeds.first_year and feed not in settings.feeds.last_year:
            out.line(f"  {feed} has nothing in {year}: if the partnership began collecting {feed} in a later year, "
                     f"or stopped before, say so in the configuration ([feeds] first_year = {{ {feed} = \"…\" }} "
                     "or last_year): years outside are then gated and published without it")


def unexpected(args: argparse.Namespace, exc: Exception) -> int:
    import traceback

    from cli.failures import explain
    from partnership.warehouse import WarehouseBusy

    log_path = getattr(args, "log_path", None)
    if getattr(args, "verbose", False):
        traceback.print_exc()
    elif log_path is not None:
        try:
            with open(log_path, "a", encoding="utf-8") as log:
                traceback.print_exc(file=log)
        except OSError:
            log_path = None
    try:
        settings = _settings(args)
        plain = explain(exc, settings)
    except ConfigError:
        plain = None
    if plain is None and isinstance(exc, WarehouseBusy):
        plain = str(exc)
    text = plain or f"{type(exc).__name__}: {' '.join(str(exc).split())[:400]}"
    where = "" if getattr(args, "verbose", False) else (
        f" (traceback in {log_path})" if log_path else " (run again with --verbose for the traceback)")
    print(f"impact {args.command}: {text}{where}", file=sys.stderr)
    return 1
