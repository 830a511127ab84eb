"""An anchor renamed in the configuration, its former name kept as an alias: the payments and
contracts stored under the former name (ingest stores a declared name) follow the anchor, whatever
the case or surrounding spaces of the alias, instead of splitting it into an undeclared former name
and a declared name with no payments."""

from __future__ import annotations

import shutil

import duckdb
from conftest import run_dbt

STORED = "Oxfordshire County Council"  # every fixture payment and contract is stored under it


def _anchors(built_warehouse, tmp_path, anchors):
    warehouse = tmp_path / "impact.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    result = run_dbt(tmp_path, warehouse, "run", "--select", "stg_spend__payments", "stg_spend__contracts",
                     "dim_anchors", variables={"anchors": anchors})
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = {r[0] for r in con.sql("select anchor from staging.stg_spend__payments union "
                                        "select anchor from staging.stg_spend__contracts").fetchall()}
        dim = con.sql("select anchor, is_declared, payment_lines > 0 from marts.dim_anchors order by 1").fetchall()
    return stored, dim


def test_a_renamed_anchor_keeps_its_payments(built_warehouse, tmp_path):
    renamed = "Oxfordshire County Council (OCC)"
    stored, dim = _anchors(built_warehouse, tmp_path, [
        {"name": renamed, "in_area": True, "aliases": ["  OXFORDSHIRE county council ", "O'Brien's Trust"]},
        {"name": "Oxford City Council", "in_area": True, "aliases": []}])
    assert stored == {renamed}
    assert dim == [("Oxford City Council", True, False), (renamed, True, True)]


def test_without_the_alias_the_former_name_shows_as_undeclared(built_warehouse, tmp_path):
    stored, dim = _anchors(built_warehouse, tmp_path, [{"name": "Oxfordshire CC", "in_area": True, "aliases": []}])
    assert stored == {STORED}
    assert dim == [("Oxfordshire CC", True, False), (STORED, False, True)]
