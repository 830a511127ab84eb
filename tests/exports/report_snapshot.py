"""The pack snapshot with an earlier year added and values that are easy to search for, so a test
can look for a suppressed value anywhere in the report's text."""

from __future__ import annotations

from pathlib import Path

import duckdb
from pack_snapshot import YEAR, build_snapshot

EARLIER = "2023-24"
# Suppressed cells with distinctive values: none of these strings may appear in the report.
HIDDEN = {
    # the earlier year's county mean rests on 6 responses: primary suppression at county level
    ("WB01", EARLIER, "E10000025"): 6.83,
    # Oxford's 7 is primary; South Oxfordshire's 4321 is then suppressed so 7 cannot be worked out
    ("FE01", EARLIER, "E07000179"): 4321.0,
    # this year's Cherwell mean rests on 8 responses
    ("WB01", YEAR, "E07000177"): 5.87,
}


def build_report_snapshot(path: Path) -> Path:
    build_snapshot(path)
    con = duckdb.connect(str(path))
    con.execute("update marts.metrics set value = 5.87 where metric_id = 'WB01' and "
                "geography_code = 'E07000177' and reporting_year = ?", [YEAR])
    rows = [
        ("FE01", "county", "E10000025", "Oxfordshire", 10006.0, None, None, None, "count"),
        ("FE01", "district", "E07000177", "Cherwell", 0.0, None, None, None, "count"),
        ("FE01", "district", "E07000178", "Oxford", 7.0, None, None, None, "count"),
        ("FE01", "district", "E07000179", "South Oxfordshire", 4321.0, None, None, None, "count"),
        ("FE01", "district", "E07000180", "Vale of White Horse", 5678.0, None, None, None, "count"),
        ("WB01", "county", "E10000025", "Oxfordshire", 6.83, None, None, 6, "mean"),
        ("PP01", "county", "E10000025", "Oxfordshire", 987_654.0, None, None, None, "gbp"),
        ("PP02", "county", "E10000025", "Oxfordshire", 41.5, 409_876.0, 987_654.0, None, "pct"),
    ]
    con.executemany(
        "insert into marts.metrics values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, ?, 'up', null, "
        "null)", [(m, EARLIER, level, code, name, value, num, den, n, unit)
                  for m, level, code, name, value, num, den, n, unit in rows])
    con.close()
    return path
