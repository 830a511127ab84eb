"""The partnership's own framework (dbt var toc_framework, from [toc] framework) replaces the shipped
rows of seed toc_framework when it is built: the seed table, its tests and the Theory of Change mart
hold its indicators, text as written (quotes and all), an empty target read as grey, and the RAG
computed on the same county values."""

from __future__ import annotations

import shutil

import duckdb
from conftest import run_dbt

FRAMEWORK = [
    {"indicator_id": "OWN1", "working_group": "place_based", "toc_level": "impact",
     "indicator_name": "Residents' mean life satisfaction", "metric_id": "WB01", "baseline_year": "2022-23",
     "baseline_value": 0.0, "target_year": "2026-27", "target_value": 100.0, "direction": "up",
     "source": "The partnership's 'Good Lives' plan (2023), p. 4", "values_note": None},
    {"indicator_id": "OWN2", "working_group": "social_value_procurement", "toc_level": "outcome",
     "indicator_name": "Analysed spend in the area", "metric_id": "PP02", "baseline_year": "2023-24",
     "baseline_value": 50.0, "target_year": "2026-27", "target_value": None, "direction": "up",
     "source": "Board paper", "values_note": "target to be agreed"},
]


def test_the_mart_follows_the_configured_framework(built_warehouse, tmp_path):
    warehouse = tmp_path / "impact.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    result = run_dbt(tmp_path, warehouse, "build", "--select", "toc_framework", "toc_indicators",
                     variables={"toc_framework": FRAMEWORK})
    assert result.returncode == 0, result.stdout[-4000:]
    assert "relationships_toc_framework_metric_id" in result.stdout  # the seed's tests ran on these rows
    with duckdb.connect(str(warehouse), read_only=True) as con:
        seeded = con.sql("select indicator_id, source, target_value from reference.toc_framework order by 1")
        assert seeded.fetchall() == [("OWN1", FRAMEWORK[0]["source"], 100.0), ("OWN2", "Board paper", None)]
        rows = con.sql("select indicator_id, indicator_name, source, values_note, target_value, rag_status, actual "
                       "from marts.toc_indicators where reporting_year = '2024-25' order by indicator_id").fetchall()
        wb01 = con.sql("select value from marts.metrics where metric_id = 'WB01' and reporting_year = '2024-25' "
                       "and geography_level = 'county'").fetchone()[0]
        assert {r[0] for r in con.sql("select distinct indicator_id from marts.toc_indicators").fetchall()} == {
            "OWN1", "OWN2"}
    own1, own2 = rows
    assert own1[:4] == ("OWN1", "Residents' mean life satisfaction", FRAMEWORK[0]["source"], None)
    assert own1[6] == wb01 and own1[5] == "amber"  # up from 0, far behind the line to 100 by 2026-27
    assert own2[3:6] == ("target to be agreed", None, "grey")  # no target: no call

