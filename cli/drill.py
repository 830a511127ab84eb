"""Gate drill: plant a defect in the working warehouse's annual tables, to see the gate stop
publication (and the message a steward gets). `impact run` rebuilds the tables and removes it.
dbt owns the tables' structure (a percentage of 140, a missing metric), so after planting, the
drill runs dbt's tests of the marts again and records them as a build would: the gate refuses
marts whose dbt tests failed. A disclosure breach (small-count) is the gate's own to find.

    .venv/bin/python -m cli.drill pct140 [--year 2024-25] [--data-dir DIR]
    .venv/bin/impact publish --year 2024-25     # the gate fails: nothing is published
    .venv/bin/impact run                         # dbt rebuilds the marts: the defect is gone, it publishes
"""

from __future__ import annotations

import argparse

from orchestration.assets.warehouse import retest_marts
from partnership.config import load_settings
from partnership.warehouse import write_connection
from publication.snapshot import latest_reporting_year

DEFECTS = {
    "pct140": ("a percentage of 140 on the first percentage metric, county level",
               "UPDATE marts.metrics SET value = 140 WHERE metric_id = (SELECT min(metric_id) FROM marts.metrics "
               "WHERE unit = 'pct' AND value IS NOT NULL) AND geography_level = 'county' AND reporting_year = ?"),
    "metric-removed": ("metric FE01 removed for the year",
                       "DELETE FROM marts.metrics WHERE metric_id = 'FE01' AND reporting_year = ?"),
    "small-count": ("an unsuppressed count of 3 people: FE03 for Oxford set to 3 and its catalogue entry "
                    "no longer marked as a person count, so the pack would not mask it",
                    "UPDATE marts.metrics SET value = 3, n = 3 WHERE metric_id = 'FE03' "
                    "AND geography_code = 'E07000178' AND reporting_year = ?; "
                    "UPDATE marts.metric_catalogue SET is_person_count = false WHERE metric_id = 'FE03'"),
}


def plant(defect: str, data_dir: str | None = None, year: str | None = None) -> str:
    settings = load_settings(data_dir=data_dir)
    description, sql = DEFECTS[defect]
    with write_connection(settings) as con:
        year = year or latest_reporting_year(con)
        for statement in sql.split("; "):
            con.execute(statement, [year] if "?" in statement else [])
    failed = retest_marts(settings, f"drill-{defect}")
    tests = f"dbt tests failing: {', '.join(failed)}" if failed else "dbt tests all pass"
    return f"planted in {settings.warehouse_path} for {year}: {description} ({tests})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("defect", choices=sorted(DEFECTS))
    parser.add_argument("--year")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    print(plant(args.defect, args.data_dir, args.year))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
