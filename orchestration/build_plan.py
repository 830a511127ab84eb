"""Which dbt models a build needs: none when nothing changed, those downstream of the raw tables
that changed, or all of them when the project, its vars or the marts themselves changed.

The dbt asset records after each successful build (stage `build` in ops.stage_state):
- `raw.<table>`: the raw table's fingerprint, for each table whose downstream models were all built;
- `_project`: the dbt project's files, its vars and the engine it builds in (only a full build
  records it; dbt_vars.py build_settings);
- `_outputs`: the marts and seeds it left behind. A mart changed since (the gate drill, a killed
  build) no longer matches, and the next build is a full one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

import duckdb

from ingest.contracts import load_contracts
from orchestration import run_state
from orchestration.dbt_manifest import ensure_manifest
from orchestration.dbt_vars import build_settings
from orchestration.fingerprints import (
    DBT_OUTPUT_SCHEMAS,
    dbt_project_fingerprint,
    digest,
    schema_fingerprints,
    table_fingerprint,
    tables_in,
)
from orchestration.landing_scan import collected_feeds, gone_files_in, new_files_in, stray_files_in
from partnership.config import Settings
from partnership.warehouse import LOCK_TIMEOUT_SECONDS, write_connection, writer_lock

BUILD_STAGE = "build"
PROJECT_KEY, OUTPUTS_KEY = "_project", "_outputs"
# A planned build (`impact run`, the monthly schedule) carries this tag: once its files are loaded,
# its dbt step builds only what the raw tables that did change need (narrowed, below).
PLAN_TAG = "impact/build_plan"
CHANGED_TAG = "impact/changed_raw_tables"  # what a narrowed build found changed
# Incremental models (on DuckDB) and the raw table whose new loads they append; a change in any
# other raw table they read (the supplier register) means a --full-refresh build.
APPENDED_FROM = {"fct_payments": "raw.spend__payments"}


@cache
def _graph() -> tuple[dict[str, frozenset[str]], frozenset[str], dict[str, frozenset[str]]]:
    """Per raw table, the dbt models and seeds downstream of it; every model and seed; and per dbt
    test, what it tests (models, seeds, and raw tables as `raw.<name>`)."""
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))  # a fresh clone has none yet
    children = manifest["child_map"]
    buildable = {uid: node["name"] for uid, node in manifest["nodes"].items()
                 if node["resource_type"] in ("model", "seed", "snapshot")}

    def below(uid: str) -> set[str]:
        seen, todo = set(), [uid]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    downstream = {f"raw.{source['name']}": frozenset(buildable[u] for u in below(uid) if u in buildable)
                  for uid, source in manifest["sources"].items()}
    names = {**buildable, **{uid: f"raw.{source['name']}" for uid, source in manifest["sources"].items()}}
    tested = {node["name"]: frozenset(names[u] for u in node["depends_on"]["nodes"] if u in names)
              for node in manifest["nodes"].values() if node["resource_type"] == "test"}
    return downstream, frozenset(buildable.values()), tested


def all_models() -> frozenset[str]:
    return _graph()[1]


def downstream_of(tables: set[str]) -> set[str]:
    graph = _graph()[0]
    return {model for table in tables for model in graph.get(table, ())}


def raw_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    sources = set(_graph()[0])
    return {t: fp for t, fp in schema_fingerprints(con, ("raw",)).items() if t in sources}


def outputs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return digest(schema_fingerprints(con, DBT_OUTPUT_SCHEMAS))


@dataclass
class BuildPlan:
    models: set[str] = field(default_factory=set)  # empty: nothing to build
    reason: str = ""
    changed_tables: list[str] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)  # the raw tables' fingerprints it compared

    @property
    def full(self) -> bool:
        return self.models == set(all_models())

    @property
    def scope(self) -> str:
        return "every model" if self.full else f"models downstream of {', '.join(self.changed_tables)}"


def plan_build(con: duckdb.DuckDBPyConnection, build_settings: dict, new_feed_tables: set[str]) -> BuildPlan:
    """What to build, given the warehouse now and the raw tables new files are about to change."""
    state = run_state.recorded(con, BUILD_STAGE)
    if PROJECT_KEY not in state or state[PROJECT_KEY].fingerprint != dbt_project_fingerprint(build_settings):
        return BuildPlan(set(all_models()), "the dbt project, its settings, its engine or the year's state changed"
                         if PROJECT_KEY in state else "no complete build recorded yet")
    if state.get(OUTPUTS_KEY) is None or state[OUTPUTS_KEY].fingerprint != outputs_fingerprint(con):
        return BuildPlan(set(all_models()), "the marts were changed outside a build")
    now = raw_fingerprints(con)
    changed = sorted({t for t, fp in now.items() if t not in state or state[t].fingerprint != fp}
                     | (new_feed_tables & set(now)))
    if not changed:
        return BuildPlan(set(), "no raw table changed since the last build", raw=now)
    return BuildPlan(downstream_of(set(changed)), "new rows in " + ", ".join(changed), changed, now)


@dataclass
class BuildWork:
    """What a build needs now: the landing files not loaded yet and the dbt models to rebuild. One
    answer for `impact run` (pipeline.py) and the monthly schedule (schedules.py)."""
    waiting: list[run_state.LandingFile]
    plan: BuildPlan
    loaded: bool  # a raw table exists, so dbt has something to build from
    # Files not loaded in the folders of feeds the partnership does not collect: never loaded, said
    # at every run (landing_scan.not_collected).
    stray: list[run_state.LandingFile] = field(default_factory=list)
    # Files loaded from the landing folder that are no longer in it (landing_scan.GoneFile): said at every run.
    gone: list = field(default_factory=list)

    @property
    def new_feeds(self) -> list[str]:
        return sorted({f.feed for f in self.waiting})

    @property
    def needed(self) -> bool:
        return bool(self.waiting) or (self.loaded and bool(self.plan.models))

    @property
    def why_not(self) -> str:
        """Why no build is needed (when it is not)."""
        if not self.loaded:
            return "no file has been loaded yet"
        return f"no new file in the landing folder, and {self.plan.reason}"

    def tag(self) -> str:
        """The build's PLAN_TAG: what it was planned for (UI → Runs)."""
        return f"{len(self.waiting)} new files; {self.plan.scope}"[:1000]

    def selection(self) -> list:
        """The build's assets: the ingest of each feed with new files, and the models to rebuild."""
        from dagster import AssetKey

        ingest = [AssetKey(["raw", table]) for table in feed_tables(self.new_feeds)]
        return ingest + [AssetKey(name) for name in sorted(self.plan.models)]


def feed_tables(feeds: list[str]) -> list[str]:
    """The raw tables (without schema) the feeds' files load into."""
    return [e.table for feed in feeds for e in load_contracts()[feed].values()]


def plan_work(settings: Settings, *, rebuild: bool = False, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> BuildWork:
    """The landing files waiting (remembered by size and mtime: never read twice) and the build they
    and the warehouse's state need; `rebuild`: every model. Raises WarehouseBusy if another writer
    holds the warehouse for longer than `lock_timeout` seconds."""
    with writer_lock(settings, lock_timeout), write_connection(settings, lock_held=True) as con:
        waiting = new_files_in(con, settings, collected_feeds(settings))
        stray = stray_files_in(con, settings)
        gone = gone_files_in(con, settings)
        new_feeds = sorted({f.feed for f in waiting})
        new_tables = {f"raw.{table}" for table in feed_tables(new_feeds)}
        if new_feeds:  # every load writes the load audit, and may quarantine rows
            new_tables |= {"raw.load_audit", "raw.quarantine"}
        plan = plan_build(con, build_settings(settings), new_tables)
        loaded = bool(tables_in(con, ("raw",)))
    if rebuild:
        plan.models, plan.reason, plan.changed_tables = set(all_models()), "a rebuild was asked for", []
    return BuildWork(waiting, plan, loaded, stray, gone)


@dataclass
class Narrowing:
    """A planned build's selection cut down, after its ingest, to what the raw tables that changed
    need: the plan counts every raw table of a feed with new files (which tables a file feeds is known
    only once it is read), so a month of payments alone would rebuild the supplier chain too."""
    changed_tables: list[str]
    built: set[str]  # the selected models still to build
    skipped: set[str]  # the selected models whose inputs did not change
    raw: dict[str, str]  # the raw tables' fingerprints now (dbt does not change them)

    def dbt_excludes(self) -> list[str]:
        """dbt node names to leave out: the skipped models, and every test none of whose parents
        is built here or is a raw table that changed (a skipped model's tests, an unchanged source's)."""
        touched = self.built | set(self.changed_tables)
        return sorted(self.skipped) + sorted(test for test, tested in _graph()[2].items() if not tested & touched)


def narrowing(con: duckdb.DuckDBPyConnection, build_settings: dict, models: set[str]) -> Narrowing | None:
    """For a planned build of `models`, its files loaded: the models it can skip, or None when the
    whole selection stands (a full build; the project, its settings or the marts changed)."""
    if all_models() <= models:
        return None
    now = plan_build(con, build_settings, set())
    if now.full or not now.changed_tables or not models - now.models:
        return None
    return Narrowing(now.changed_tables, models & now.models, models - now.models, now.raw)


def full_refresh_reason(con: duckdb.DuckDBPyConnection, models: set[str],
                        raw: dict[str, str] | None = None) -> str | None:
    """Why the incremental models must be rebuilt whole in a build of `models`, or None: a full
    build, or a change since the last build in a raw table they read but do not append from.
    Called in the build, after the ingest, so the fingerprints are of what dbt will read; `raw`:
    the raw tables' fingerprints if already taken since the ingest (a narrowed build's)."""
    if all_models() <= models:
        return "a full build"
    graph = _graph()[0]
    state = run_state.recorded(con, BUILD_STAGE)
    present = set(tables_in(con, ("raw",))) if raw is None else set()

    def fingerprint(table: str) -> str | None:
        if raw is not None:
            return raw.get(table)
        return table_fingerprint(con, table) if table in present else None

    for model, appended in APPENDED_FROM.items():
        if model not in models:
            continue
        for table in sorted(t for t, below in graph.items() if model in below and t != appended):
            now = fingerprint(table)
            if (state[table].fingerprint if table in state else None) != now:
                return f"{table} changed"
    return None


def record_build(con: duckdb.DuckDBPyConnection, build_settings: dict, built: set[str], run_id: str,
                 raw: dict[str, str] | None = None) -> None:
    """After a successful build of `built` (model and seed names); `raw`: the raw tables'
    fingerprints if already taken since the ingest (a narrowed build's)."""
    graph, every, _ = _graph()
    raw = raw if raw is not None else raw_fingerprints(con)
    entries = {table: fp for table, fp in raw.items() if graph.get(table, set()) <= built}
    if every <= built:
        entries[PROJECT_KEY] = dbt_project_fingerprint(build_settings)
    entries[OUTPUTS_KEY] = outputs_fingerprint(con)
    run_state.record(con, BUILD_STAGE, entries, status="built", run_id=run_id)
