"""How long the gate takes on a realistic size: 30 metrics x 6 geographies x 3 years, 100k payments."""

from __future__ import annotations

import random
import time
from pathlib import Path

import duckdb
from gate_marts import COUNTY, build_marts, metric_row

YEARS = ("2022-23", "2023-24", "2024-25")
DISTRICTS = [("district", f"E0700017{i}", f"District {i}") for i in range(7, 10)] + [
    ("district", f"E0700018{i}", f"District {i}") for i in range(0, 2)
]
UNITS = ("count", "pct", "mean", "gbp", "ratio", "wellby")


def realistic_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    rng = random.Random(5)
    catalogue = [(f"M{i:02d}", f"Metric {i}", "goal", "family", UNITS[i % len(UNITS)], "up",
                  UNITS[i % len(UNITS)] == "count") for i in range(30)]
    rows = []
    for metric_id, *_, unit, _, _ in catalogue:
        for year in YEARS:
            for geography in (COUNTY, *DISTRICTS):
                base = rng.randint(5, 400) if geography[0] == "district" else 1200
                if unit == "pct":
                    part = rng.randint(0, base)
                    rows.append(metric_row(metric_id, year, 100 * part / base, unit=unit,
                                           geography=geography, numerator=part,
                                           denominator=base, n=base))
                elif unit in ("mean", "wellby", "ratio"):
                    value = rng.uniform(5, 9)
                    rows.append(metric_row(metric_id, year, value, unit=unit, geography=geography,
                                           n=base, ci=(value - 0.2, value + 0.2)))
                else:
                    rows.append(metric_row(metric_id, year, float(base), unit=unit,
                                           geography=geography, n=base))
    build_marts(path, rows, catalogue=catalogue, toc=[])
    con = duckdb.connect(str(path))
    con.execute("delete from marts.fct_payments")
    con.execute(
        "insert into marts.fct_payments select md5(i::varchar), 'Anchor ' || (i % 6)::varchar,"
        " date '2024-04-01' + (i % 365)::integer, '2024-25', 100.0 from range(100000) t(i)"
    )
    return con


def test_gate_time_on_a_realistic_year(tmp_path: Path):
    from expectations import validate_year

    con = realistic_warehouse(tmp_path / "big.duckdb")
    assert con.sql("select count(*) from marts.fct_payments").fetchone() == (100_000,)
    assert con.sql("select count(*) from marts.metrics").fetchone() == (30 * 6 * 3,)
    started = time.perf_counter()
    result = validate_year(con, "2024-25", tmp_path / "gx")
    seconds = time.perf_counter() - started
    con.close()
    print(f"\ngate on 30 metrics x 6 geographies x 3 years + 100k payments: {seconds:.2f}s "
          f"({len(result.outcomes)} expectations, status {result.status})")
    assert result.message is None, result.message
    assert seconds < 60
