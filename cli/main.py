"""`impact`: everything a data steward does without the UI (demo, run, ingest, sql, docs, status, ui)."""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import json
import os
import sys
import threading
import time
from pathlib import Path

from cli.report import report as report_outcome
from cli.report import run_and_report, session, unexpected
from ingest.pseudonym_key import KeyMismatch
from partnership.config import DEMO_MARKER, ConfigError, Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(data_dir=args.data_dir, config_file=args.config)


def cmd_demo(args: argparse.Namespace) -> int:
    from demo import DemoAreaError, demo_area
    from orchestration.pipeline import LATEST_CLOSED
    from publication.reference_data import toc_framework_warning

    started = time.monotonic()
    settings = _settings(args)
    try:  # the configured area and its declared anchors: the demo's files must pass the ingest
        area = demo_area(settings.area.name, settings.area.local_authorities,
                         [a.name for a in settings.anchors if a.in_area])
    except DemoAreaError as exc:
        raise ConfigError(str(exc)) from exc
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / DEMO_MARKER).write_text("made by `impact demo`: synthetic data, demo key allowed\n")
    with session(settings, "demo", args) as out:
        from demo import generate_demo_data

        if warning := toc_framework_warning(settings):  # another area's demo on Oxfordshire's framework
            out.line(f"  {warning}")
        out.progress("demo data", f"generating for {area.name}")
        summary = generate_demo_data(settings.landing_dir, seed=args.seed, scale=args.scale, area=area)
        out.done("demo data", f"{len(summary.files)} synthetic files for {area.name} in {settings.landing_dir}")
        return run_and_report(settings, args.year or LATEST_CLOSED, started, out)


def cmd_run(args: argparse.Namespace) -> int:
    from publication.reference_data import synthetic_lookup_warning, toc_framework_warning

    started = time.monotonic()
    settings = _settings(args)
    with session(settings, "run", args) as out:
        for warning in filter(None, (synthetic_lookup_warning(settings), toc_framework_warning(settings))):
            out.line(f"  {warning}")
        return run_and_report(settings, args.year, started, out, rebuild=args.rebuild)


def cmd_publish(args: argparse.Namespace) -> int:
    """Gate a reporting year and publish it (snapshot + pack) without rebuilding the warehouse."""
    from orchestration.runner import YearUnknown, run_pipeline
    from orchestration.year_gate import year_closes_on, year_is_open
    from partnership.reporting_years import is_label

    started = time.monotonic()
    settings = _settings(args)
    if args.year and is_label(args.year, settings.reporting.year_start_month) and year_is_open(settings, args.year):
        raise YearUnknown(f"{args.year} is open until {year_closes_on(settings, args.year)} ([reporting] grace_days "
                          "after its end): `impact run` keeps it in the snapshot as provisional; publish its pack "
                          "once it closes. Nothing written")
    with session(settings, "publish", args) as out:
        outcome = run_pipeline(settings, args.year, job_name="publish_job")
        out.done("gate", f"{outcome.reporting_year}: {outcome.gate_status or 'not evaluated'}")
        if outcome.success and outcome.pack_folder:
            state = "written" if outcome.pack_new_revision else "unchanged (same content), no new revision"
            out.done("pack", f"{outcome.reporting_year} {outcome.pack_folder.name} {state}: {outcome.pack_folder}")
        elif outcome.success:
            out.done("pack", f"{outcome.reporting_year}: none written")
        return report_outcome(settings, outcome.success, [outcome.run_id] if not outcome.success else [],
                       list(filter(None, outcome.messages)), started, out,
                       outcome.reporting_year, outcome.pack_folder)


def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest import load_files
    from ingest.arrivals import write_sidecar
    from ingest.loader import sha256_of
    from orchestration.faults import pause_point
    from orchestration.landing_scan import ingest_rules, needs_key
    from partnership.command_lock import one_command_at_a_time
    from partnership.warehouse import write_connection
    from publication.reference_data import postcode_lookup, synthetic_lookup_warning

    settings = _settings(args)
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not (p.exists() or p.is_symlink())]
    if missing:
        print(f"not a file: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.replaces and len(paths) != 1:
        print("--replaces declares what ONE file replaces: give one file", file=sys.stderr)
        return 2
    replaces = {paths[0].name: args.replaces} if args.replaces else None
    in_landing = {p: p.resolve().parent.parent == settings.landing_dir.resolve() for p in paths}
    if replaces and in_landing[paths[0]]:
        # In the landing folder the declaration is kept beside the file, so a rebuild repeats it.
        print(f"declared in {write_sidecar(paths[0], args.replaces)}")
    if warning := synthetic_lookup_warning(settings):
        print(warning, file=sys.stderr)
    lookup = postcode_lookup(settings)
    # The key only where people's references may be read: a named feed that has them, or (the feed
    # known once a file is read) a partnership that collects one that has.
    personal = any(needs_key(feed) for feed in ([args.feed] if args.feed else settings.feeds.collected))
    key = settings.pseudonymisation_key() if personal else ""  # a missing key is said before any wait
    with one_command_at_a_time(settings, "ingest", lambda line: print(line.strip(), file=sys.stderr)):
        with write_connection(settings) as con:
            reports = load_files(con, paths, feed=args.feed, key=key,
                                 lookup=lookup, rules=ingest_rules(settings), replaces=replaces, retry=args.retry,
                                 anchors=settings.declared_anchors())
            never_kept = _loaded_but_never_kept(con, settings, paths, reports, in_landing)
        pause_point("ingest-copy", settings.data_dir)  # loaded and committed, not yet copied (fault tests)
        for path, report in zip(paths, reports, strict=True):
            kept = None
            if report.status in ("loaded", "replaced") and not in_landing[path]:
                kept = _kept_in_landing(settings, path, sha256_of(path), report,
                                        [*(args.replaces or []), *report.replaced_files])
            elif path in never_kept:
                sha256, replaced = never_kept[path]
                kept = (_kept_in_landing(settings, path, sha256, report, replaced)
                        + " (an earlier `impact ingest` loaded it and stopped before copying it)")
            report.message = "; ".join(filter(None, [report.message, kept]))
    for report in reports:
        if args.json:
            print(json.dumps(dataclasses.asdict(report), default=str))
        else:
            line = (f"{report.file}: {report.status} ({report.feed or '?'}) "
                    f"loaded {report.rows_loaded}, quarantined {report.rows_quarantined}, "
                    f"footer rows skipped {report.rows_skipped_footer}")
            if report.payees_redacted:
                line += f", payees withheld {report.payees_redacted}"
            if report.net_amount_gbp is not None:
                line += f", net £{report.net_amount_gbp:,.2f}"
            if report.publisher_total_gbp is not None:
                agrees = abs(report.publisher_total_gbp - (report.net_amount_gbp or 0)) < 0.005
                line += f" (publisher's total £{report.publisher_total_gbp:,.2f}: {'agrees' if agrees else 'DIFFERS'})"
            print(line + (f" — {report.message}" if report.message else ""))
    return 1 if any(r.status == "refused" for r in reports) else 0


def _kept_in_landing(settings, path: Path, sha256: str, report, replaced: list[str]) -> str:
    """A file loaded from outside the landing folder is copied into it: the folder stays the record
    of every load, and a warehouse rebuilt from it has the file's rows. What its load replaced,
    declared or under its own name, is declared beside the copy: a rebuild replaces the same files
    even when the copy had to take another name."""
    from ingest.arrivals import keep_copy

    try:
        copy = keep_copy(settings.landing_dir / report.feed, path, sha256, list(dict.fromkeys(replaced)))
    except OSError as exc:
        return (f"NOT copied into the landing folder ({exc.strerror or exc}): a warehouse rebuilt from the "
                f"folder would not have its rows; copy it into {settings.landing_dir / report.feed}")
    return f"kept in the landing folder as {copy}"


def _loaded_but_never_kept(con, settings, paths: list[Path], reports, in_landing: dict[Path, bool]) -> dict:
    """Files from outside the landing folder offered again (duplicates) whose copy was never made: an
    earlier `impact ingest` was stopped between the load's commit and the copy, and the folder's
    arrival record has never seen their content. Offering the file again makes the copy, with what
    its load replaced. A copy the steward removed from the folder since is not made again.
    Returns, for each, its sha256 and what its load replaced."""
    from ingest.arrivals import arrived
    from ingest.loader import sha256_of
    from ingest.versions import replaced_by_load

    seen: dict[str, set[str]] = {}  # feed -> the contents its folder's arrival record holds
    out: dict[Path, tuple[str, list[str]]] = {}
    for path, report in zip(paths, reports, strict=True):
        if report.status == "duplicate" and report.feed and not in_landing[path]:
            sha256 = sha256_of(path)
            if report.feed not in seen:
                seen[report.feed] = arrived(settings.landing_dir / report.feed)
            if sha256 not in seen[report.feed]:
                out[path] = (sha256, replaced_by_load(con, sha256))
    return out


def cmd_sql(args: argparse.Namespace) -> int:
    from cli.sql_session import run_sql

    if (args.query is None) == (args.file is None):
        print("impact sql: give a query, or -f FILE (- reads standard input), not both", file=sys.stderr)
        return 2
    if args.file is not None:
        try:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"impact sql: cannot read {args.file}: {exc}", file=sys.stderr)
            return 2
    else:
        text = args.query
    if args.max_rows < 1:
        print("impact sql: --max-rows must be at least 1", file=sys.stderr)
        return 2
    mode = "csv" if args.csv else "json" if args.json else "table"
    return run_sql(_settings(args), text, mode=mode, max_rows=args.max_rows)


def cmd_docs(args: argparse.Namespace) -> int:
    from cli.docs_site import DocsError, generate_site, serve

    settings = _settings(args)
    try:
        site = generate_site(settings)
    except DocsError as exc:
        print(f"impact docs: {exc}", file=sys.stderr)
        return 1
    page = site / "static_index.html"
    if args.print_path:
        print(page)
    elif args.open:
        import webbrowser

        print(f"opening {page}")
        webbrowser.open(page.as_uri())
    else:
        serve(site, settings.docs.host, args.port or settings.docs.port)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from cli.status import status_report

    print(status_report(_settings(args)))
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from cli.ui import serve_ui
    from orchestration.runner import prepare_environment

    settings = _settings(args)
    prepare_environment(settings)
    return serve_ui(settings, args.port or settings.dagster.port)


def cmd_manifest(args: argparse.Namespace) -> int:
    from orchestration.dbt import ensure_manifest

    print(ensure_manifest())
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="data directory (default ./data or $IMPACT_DATA_DIR)")
    common.add_argument("--config", help="configuration file (default impact.toml or $IMPACT_CONFIG)")
    top = argparse.ArgumentParser(prog="impact", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", parents=[common], help="generate demo data and run everything")
    demo.add_argument("--scale", type=float, default=1.0, help="demo volume multiplier")
    demo.add_argument("--seed", type=int, default=20240401)
    demo.add_argument("--year", help="reporting year to publish (default: the latest closed year with data)")
    demo.add_argument("--verbose", action="store_true", help="print Dagster's and dbt's output too")
    demo.set_defaults(func=cmd_demo)
    run = sub.add_parser("run", parents=[common], help="run the pipeline on the landing folder")
    run.add_argument("--year", help="also write the pack of this closed reporting year (a Dagster partition)")
    run.add_argument("--verbose", action="store_true", help="print Dagster's and dbt's output too")
    run.add_argument("--rebuild", action="store_true",
                     help="rebuild every model, re-gate every year and refresh the snapshot, even if nothing changed")
    run.set_defaults(func=cmd_run)
    publish = sub.add_parser("publish", parents=[common], help="gate a reporting year and publish it")
    publish.add_argument("--year", help="a closed reporting year, e.g. 2024-25 "
                                        "(default: the latest closed year with metric values)")
    publish.add_argument("--verbose", action="store_true", help="print Dagster's and dbt's output too")
    publish.set_defaults(func=cmd_publish)
    ing = sub.add_parser("ingest", parents=[common], help="load files into the warehouse")
    ing.add_argument("paths", nargs="+")
    ing.add_argument("--feed", choices=["charter", "programme", "spend", "wellbeing"])
    ing.add_argument("--json", action="store_true", help="one JSON object per file")
    ing.add_argument("--replaces", nargs="+", metavar="OLD",
                     help="the file replaces these loaded files (a correction; also confirms a new version "
                          "that removes most of what it replaces)")
    ing.add_argument("--retry", action="store_true", help="read a file again although the same bytes were refused")
    ing.set_defaults(func=cmd_ingest)
    sql = sub.add_parser("sql", parents=[common], help="query the published snapshot (read-only)")
    sql.add_argument("query", nargs="?", help="SQL text (or -f FILE)")
    sql.add_argument("-f", "--file", help="run the SQL in FILE (- for standard input)")
    machine = sql.add_mutually_exclusive_group()
    machine.add_argument("--csv", action="store_true", help="all rows as CSV, exact values")
    machine.add_argument("--json", action="store_true", help="all rows as JSON lines, exact values")
    sql.add_argument("--max-rows", type=int, default=50, help="rows shown in the table (default 50)")
    sql.set_defaults(func=cmd_sql)
    status = sub.add_parser("status", parents=[common],
                            help="feeds, freshness, landing folder, gate and packs per year, recent runs")
    docs = sub.add_parser("docs", parents=[common], help="dbt documentation site of the marts (localhost)")
    docs.add_argument("--port", type=int, help="port to serve on (default [docs] port in impact.toml)")
    docs.add_argument("--open", action="store_true", help="open the static page in a browser instead")
    docs.add_argument("--print-path", action="store_true", help="generate, print the static page's path, exit")
    docs.set_defaults(func=cmd_docs)
    status.set_defaults(func=cmd_status)
    ui = sub.add_parser("ui", parents=[common], help="Dagster UI on localhost")
    ui.add_argument("--port", type=int)
    ui.set_defaults(func=cmd_ui)
    manifest = sub.add_parser("manifest", parents=[common], help="parse the dbt project")
    manifest.set_defaults(func=cmd_manifest)
    return top


def main(argv: list[str] | None = None) -> int:
    from orchestration.runner import RunInterrupted, YearUnknown

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except RunInterrupted as exc:
        print(f"impact {args.command}: {exc}", file=sys.stderr)
        return 130  # as a shell reports a command stopped by Ctrl-C
    except KeyboardInterrupt:  # outside a Dagster run (planning, between runs): nothing half-done either
        print(f"impact {args.command}: interrupted (Ctrl-C); nothing half-done is kept: run it again to carry on",
              file=sys.stderr)
        return 130
    except ConfigError as exc:
        print(f"impact: configuration: {exc}", file=sys.stderr)
        return 2
    except YearUnknown as exc:
        print(f"impact: reporting year: {exc}", file=sys.stderr)
        return 2
    except KeyMismatch as exc:
        print(f"impact: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # one line for people; the traceback with --verbose, and in the log
        return unexpected(args, exc)


def entry() -> None:
    """The `impact` command: `main`, then an exit without the interpreter's teardown.

    A run has loaded Dagster, dbt, Great Expectations and the project's manifest; freeing their
    objects one by one when the interpreter ends took about 2 s after every `impact run`, with
    nothing left to do. So the exit handlers run (logging's flush, the libraries' own), the
    output is flushed and the process ends at once. Every file a command writes is closed and
    committed before `main` returns; `main` called from Python (tests), or under coverage or a
    profiler, ends normally.
    """
    code = main()
    if sys.gettrace() or sys.getprofile():  # coverage or a profiler: let it write its report
        raise SystemExit(code)
    for thread in threading.enumerate():  # as the interpreter would: wait for non-daemon threads
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if code is None else code if isinstance(code, int) else 1)


if __name__ == "__main__":
    entry()
