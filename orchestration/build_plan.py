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

from orchestration import run_state
from orchestration.dbt_manifest import ensure_manifest
from orchestration.fingerprints import (
    DBT_OUTPUT_SCHEMAS,
    dbt_project_fingerprint,
    digest,
    schema_fingerprints,
    table_fingerprint,
    tables_in,
)

BUILD_STAGE = "build"
PROJECT_KEY, OUTPUTS_KEY = "_project", "_outputs"
# Incremental models (on DuckDB) and the raw table whose new loads they append; a change in any
# other raw table they read (the supplier register) means a --full-refresh build.
APPENDED_FROM = {"fct_payments": "raw.spend__payments"}


@cache
def _graph() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Per raw table, the dbt models and seeds downstream of it; and every model and seed."""
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
    return downstream, frozenset(buildable.values())


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

    @property
    def full(self) -> bool:
        return self.models == set(all_models())


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
        return BuildPlan(set(), "no raw table changed since the last build")
    return BuildPlan(downstream_of(set(changed)), "new rows in " + ", ".join(changed), changed)


def full_refresh_reason(con: duckdb.DuckDBPyConnection, models: set[str]) -> str | None:
    """Why the incremental models must be rebuilt whole in a build of `models`, or None: a full
    build, or a change since the last build in a raw table they read but do not append from.
    Called in the build, after the ingest, so the fingerprints are of what dbt will read."""
    if all_models() <= models:
        return "a full build"
    graph = _graph()[0]
    state = run_state.recorded(con, BUILD_STAGE)
    present = set(tables_in(con, ("raw",)))
    for model, appended in APPENDED_FROM.items():
        if model not in models:
            continue
        for table in sorted(t for t, below in graph.items() if model in below and t != appended):
            now = table_fingerprint(con, table) if table in present else None
            if (state[table].fingerprint if table in state else None) != now:
                return f"{table} changed"
    return None


def record_build(con: duckdb.DuckDBPyConnection, build_settings: dict, built: set[str], run_id: str) -> None:
    """After a successful build of `built` (model and seed names)."""
    graph, every = _graph()
    entries = {table: fp for table, fp in raw_fingerprints(con).items() if graph.get(table, set()) <= built}
    if every <= built:
        entries[PROJECT_KEY] = dbt_project_fingerprint(build_settings)
    entries[OUTPUTS_KEY] = outputs_fingerprint(con)
    run_state.record(con, BUILD_STAGE, entries, status="built", run_id=run_id)
