"""What `impact sql` prints: every type rendered, every number exact (integers as integers, money
with separators and two decimals, no scientific notation), nothing cut; `--csv` and `--json` give
the exact values back; `-f FILE` runs a file; the configured timeout and memory limit hold.
The oracle is DuckDB itself, read directly from the snapshot."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import duckdb
import pytest
from impact_cli import impact

from cli.sql_session import run_sql
from partnership.config import ConfigError, load_settings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def query_settings(demo_dir):
    return load_settings(data_dir=demo_dir)


class Oracle:
    """DuckDB on the snapshot, opened per question: the query runs in a forked child, which must
    not find this process's connection to the same file in DuckDB's instance cache."""

    def __init__(self, path):
        self.path = str(path)

    def execute(self, query: str):
        con = duckdb.connect(self.path, read_only=True)
        try:
            rows = con.execute(query).fetchall()
        finally:
            con.close()
        return Rows(rows)


class Rows(list):
    def fetchone(self):
        return self[0]

    def fetchall(self):
        return list(self)


@pytest.fixture(scope="module")
def oracle(snapshot_path):
    return Oracle(snapshot_path)


def table(settings, capfd, query: str, **kwargs) -> list[list[str]]:
    """The printed table's header row and body rows, cells stripped."""
    assert run_sql(settings, query, **kwargs) == 0, capfd.readouterr().err
    out = capfd.readouterr().out
    rows = [[c.strip() for c in line.strip("│").split("│")] for line in out.splitlines() if line.startswith("│")]
    return rows[:1] + rows[2:]  # drop the type line


def test_an_interval_prints_as_duckdb_writes_it(query_settings, oracle, capfd):
    query = "SELECT max(loaded_at) - min(loaded_at) AS span FROM lineage.load_audit"
    expected = oracle.execute(f"SELECT span::VARCHAR FROM ({query})").fetchone()[0]
    assert table(query_settings, capfd, query) == [["span"], [expected]]


def test_a_count_is_an_integer_and_money_has_separators_and_pence(query_settings, oracle, capfd):
    query = ("SELECT count(*) AS payments, sum(amount_gbp) AS spend_gbp, avg(amount_gbp) AS mean_gbp "
             "FROM marts.fct_payments WHERE reporting_year = '2024-25'")
    count, total, mean = oracle.execute(query).fetchone()
    assert isinstance(total, Decimal) and total > 1_000_000
    [header, row] = table(query_settings, capfd, query)
    assert header == ["payments", "spend_gbp", "mean_gbp"]
    assert row == [str(count), f"{total:,.2f}", f"{Decimal(repr(mean)).quantize(Decimal('0.01')):,}"]


def test_a_count_stored_as_double_prints_without_a_decimal_point(query_settings, oracle, capfd):
    query = ("SELECT value FROM marts.metrics WHERE metric_id = 'FE01' AND geography_level = 'county' "
             "AND reporting_year = '2024-25'")
    value = oracle.execute(query).fetchone()[0]
    assert isinstance(value, float) and value == int(value)
    assert table(query_settings, capfd, query) == [["value"], [str(int(value))]]


def test_no_scientific_notation_and_nothing_cut(query_settings, capfd):
    rows = table(query_settings, capfd, "SELECT 1.2674e8::DOUBLE AS a, 1.5e-7::DOUBLE AS b, "
                 "'inf'::DOUBLE AS c, 'nan'::DOUBLE AS d, 'inf'::TIMESTAMP AS e, repeat('x', 300) AS f")
    assert rows[1] == ["126740000", "0.00000015", "Infinity", "NaN", "infinity", "x" * 300]


NUMBERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
           "UBIGINT", "UHUGEINT", "DOUBLE", "FLOAT", "BOOLEAN", "BIGNUM"}


def test_every_duckdb_type_prints_as_duckdb_casts_it(query_settings, oracle, capfd):
    described = oracle.execute("SELECT column_name, column_type FROM (DESCRIBE FROM test_all_types())").fetchall()
    text_columns = [name for name, kind in described if kind not in NUMBERS and not kind.startswith("DECIMAL(")]
    assert {"interval", "union", "map", "struct", "int_array", "timestamp_tz", "blob", "uuid"} <= set(text_columns)
    quoted = [f'"{n}"' for n in text_columns]
    expected = oracle.execute(f"SELECT {', '.join(q + '::VARCHAR' for q in quoted)} FROM test_all_types()").fetchall()
    assert run_sql(query_settings, f"SELECT {', '.join(quoted)} FROM test_all_types()", mode="csv") == 0
    got = list(csv.reader(io.StringIO(capfd.readouterr().out)))
    assert got[0] == text_columns
    assert got[1:] == [[v if v is not None else "" for v in row] for row in expected]
    assert run_sql(query_settings, "SELECT * FROM test_all_types()") == 0  # and as a table
    assert capfd.readouterr().out.rstrip().endswith("3 rows")


def test_csv_and_json_give_the_exact_values_back(query_settings, oracle, capfd):
    query = ("SELECT reporting_year, count(*) AS payments, sum(amount_gbp) AS spend_gbp, "
             "avg(amount_gbp) AS mean_gbp FROM marts.fct_payments GROUP BY ALL ORDER BY 1")
    expected = oracle.execute(query).fetchall()
    assert run_sql(query_settings, query, mode="csv") == 0
    rows = list(csv.DictReader(io.StringIO(capfd.readouterr().out)))
    assert [(r["reporting_year"], int(r["payments"]), Decimal(r["spend_gbp"]), float(r["mean_gbp"]))
            for r in rows] == expected
    assert run_sql(query_settings, query, mode="json") == 0
    lines = capfd.readouterr().out.splitlines()
    parsed = [json.loads(line, parse_float=Decimal) for line in lines]
    assert [(p["reporting_year"], p["payments"], p["spend_gbp"], float(p["mean_gbp"])) for p in parsed] == expected


def test_json_holds_every_type_as_valid_json(query_settings, capfd):
    assert run_sql(query_settings, "SELECT * FROM test_all_types()", mode="json") == 0
    rows = [json.loads(line, parse_float=Decimal) for line in capfd.readouterr().out.splitlines()]
    assert len(rows) == 3
    assert rows[1]["hugeint"] == 2**127 - 1
    assert rows[1]["dec38_10"] == Decimal("9999999999999999999999999999.9999999999")
    assert rows[1]["double_array"][1:4] == ["NaN", "Infinity", "-Infinity"]
    assert rows[0]["union"] == {"name": "Frank"} and rows[2]["map"] is None


def test_a_query_from_a_file_and_from_standard_input(demo_dir, tmp_path):
    query_file = tmp_path / "districts.sql"
    query_file.write_text("-- the districts\nSELECT count(*) AS districts FROM marts.dim_districts;\n")
    done = impact("sql", "--data-dir", str(demo_dir), "-f", str(query_file), "--csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["districts", "5"]
    both = impact("sql", "--data-dir", str(demo_dir), "-f", str(query_file), "SELECT 1")
    assert both.returncode == 2 and "not both" in both.stderr


def test_the_configured_timeout_and_memory_limit_stop_a_query(demo_dir, tmp_path):
    config = tmp_path / "impact.toml"
    config.write_text('[sql]\ntimeout_seconds = 1\nmemory_limit = "64MB"\n')
    slow = impact("sql", "--data-dir", str(demo_dir), "--config", str(config),
                  "SELECT count(*) FROM range(1000000000000)", timeout=120)
    assert slow.returncode == 1 and slow.stderr.count("\n") == 1
    assert "stopped after 1 s" in slow.stderr and "timeout_seconds" in slow.stderr
    config.write_text('[sql]\ntimeout_seconds = 60\nmemory_limit = "64MB"\n')  # the memory limit alone stops it
    big = impact("sql", "--data-dir", str(demo_dir), "--config", str(config),
                 "SELECT a, list(b) FROM (SELECT range % 50000000 AS a, range AS b FROM range(200000000)) "
                 "GROUP BY a ORDER BY a LIMIT 1", timeout=120)
    assert big.returncode == 1 and big.stderr.count("\n") == 1
    assert "Out of Memory" in big.stderr and "memory_limit" in big.stderr


def test_the_limits_are_validated_on_load(tmp_path):
    config = tmp_path / "impact.toml"
    config.write_text('[sql]\nmemory_limit = "lots"\n')
    with pytest.raises(ConfigError, match="memory_limit"):
        load_settings(config_file=config)
