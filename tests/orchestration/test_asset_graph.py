"""The asset graph compared with a checked-in listing, so any change to it is deliberate.

After a deliberate change (a new model, test or asset), regenerate the listing and review its diff:
    IMPACT_UPDATE_GRAPH=1 .venv/bin/python -m pytest tests/orchestration/test_asset_graph.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import AssetsDefinition

from orchestration.dbt import ensure_manifest
from partnership.warehouse import WRITER_POOL

LISTING = Path(__file__).with_name("asset_graph.txt")
HEADER = ("# asset <key> group=<group> partitions=<reporting_year|-> pool=<pool|->, then check <asset>:<name>\n"
          "# regenerate: IMPACT_UPDATE_GRAPH=1 .venv/bin/python -m pytest tests/orchestration/test_asset_graph.py\n")
READS_PUBLISHED_ONLY = {"annual_pack"}  # the only step that never opens the working DuckDB file


@pytest.fixture(scope="module")
def defs():
    ensure_manifest()
    from orchestration.definitions import build_definitions
    from partnership.config import load_settings

    return build_definitions(load_settings())


def _pools(defs) -> dict[str, str]:
    pools = {}
    for assets_def in defs.assets:
        if isinstance(assets_def, AssetsDefinition) and assets_def.is_executable:
            for key in assets_def.keys:
                pools[key.to_user_string()] = assets_def.node_def.pool or "-"
            for check in assets_def.check_keys:
                pools[f"{check.asset_key.to_user_string()}:{check.name}"] = assets_def.node_def.pool or "-"
    for checks_def in defs.asset_checks:
        for check in checks_def.check_keys:
            pools[f"{check.asset_key.to_user_string()}:{check.name}"] = checks_def.node_def.pool or "-"
    return pools


def listing(defs) -> str:
    graph = defs.resolve_asset_graph()
    pools = _pools(defs)
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        name = key.to_user_string()
        partitions = "reporting_year" if node.partitions_def else "-"
        lines.append(f"asset {name} group={node.group_name} partitions={partitions} pool={pools.get(name, '-')}")
    lines += sorted(f"check {k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys)
    return HEADER + "\n".join(lines) + "\n"


def test_the_asset_graph_matches_the_checked_in_listing(defs):
    current = listing(defs)
    if os.environ.get("IMPACT_UPDATE_GRAPH"):
        LISTING.write_text(current, encoding="utf-8")
        pytest.skip(f"rewrote {LISTING}; review its diff")
    assert current == LISTING.read_text(encoding="utf-8"), \
        "the asset graph changed; if deliberate, regenerate the listing (see this file's docstring)"


def test_every_step_that_opens_the_working_database_is_in_the_writer_pool(defs):
    for name, pool in _pools(defs).items():
        if name not in READS_PUBLISHED_ONLY:
            assert pool == WRITER_POOL, f"{name} runs outside the {WRITER_POOL} pool"


def test_the_flow_is_grouped_for_a_steward(defs):
    graph = defs.resolve_asset_graph()
    members: dict[str, int] = {}
    for key in graph.get_all_asset_keys():
        members[graph.get(key).group_name] = members.get(graph.get(key).group_name, 0) + 1
    assert set(members) == {"ingest", "reference", "staging", "intermediate", "facts", "metrics", "gate", "publication"}
    assert max(members.values()) <= 25, members  # each group reads at normal size in the UI
    partitioned = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def}
    assert partitioned == {"annual_tables", "published_snapshot", "annual_pack"}
