"""docs/evaluator-guide.md: its ten worked queries run against the demo snapshot and each result
has the property the guide claims; its Python lineage example runs as written."""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

pytestmark = pytest.mark.e2e
YEAR = "2024-25"  # the demo's latest reporting year
COUNTY = "E10000025"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "evaluator-guide.md"
QUERY = re.compile(r"^### (\d+)\. (.+?)\n(.*?)```sql\n(.*?)```", re.S | re.M)


def guide_queries() -> dict[int, str]:
    found = {int(n): sql for n, _title, _text, sql in QUERY.findall(GUIDE.read_text(encoding="utf-8"))}
    return found


def test_the_guide_has_ten_queries_each_saying_what_it_answers():
    text = GUIDE.read_text(encoding="utf-8")
    assert sorted(guide_queries()) == list(range(1, 11))
    assert all("What it answers:" in block for _n, _t, block, _sql in QUERY.findall(text))


def _county(con, metric_id: str) -> float:
    return con.execute("SELECT value FROM marts.metrics WHERE metric_id = ? AND reporting_year = ? "
                       "AND geography_code = ?", [metric_id, YEAR, COUNTY]).fetchone()[0]


def check_1(con, df: pl.DataFrame) -> None:
    assert df.columns == ["reporting_year", "name", "unit", "value"]
    assert df["reporting_year"].to_list() == sorted(df["reporting_year"].to_list()) and YEAR in df["reporting_year"]
    assert df["unit"].unique().to_list() == ["count"] and (df["value"] > 0).all()
    assert df.filter(pl.col("reporting_year") == YEAR)["value"][0] == _county(con, "FE01")


def check_2(con, df: pl.DataFrame) -> None:
    assert df.height == 5 and df["district"].n_unique() == 5
    county = _county(con, "FE03")
    assert (df["county_job_starts"] == county).all()
    assert df["job_starts"].sum() <= county  # people without a district count for the county only
    assert df["pct_of_county"].is_between(0, 100).all() and df["pct_of_county"].sum() <= 100.1
    assert df["job_starts"].to_list() == sorted(df["job_starts"].to_list(), reverse=True)


def check_3(con, df: pl.DataFrame) -> None:
    areas = con.execute("SELECT count(*) FROM reference.priority_areas").fetchone()[0]
    assert 0 < df.height <= areas
    assert (df["active"] <= df["pledges"]).all() and (df["achieved"] + df["active"] <= df["pledges"]).all()
    assert df["active"].sum() == _county(con, "PO02")  # active pledges at the year end


def check_4(con, df: pl.DataFrame) -> None:
    assert df.filter(pl.col("geography_level") == "county").height == 1
    with_ci = df.drop_nulls(["ci_low", "ci_high"])
    assert with_ci.height >= 2
    assert (with_ci["ci_low"] <= with_ci["mean_change"]).all() and (with_ci["mean_change"] <= with_ci["ci_high"]).all()
    assert (df["pairs"] > 0).all()
    assert df.filter(pl.col("geography_level") == "county")["pairs"][0] == con.execute(
        "SELECT count(*) FROM marts.fct_wellbeing_pairs WHERE reporting_year = ?", [YEAR]).fetchone()[0]


def check_5(con, df: pl.DataFrame) -> None:
    assert "not in the register" in df["supplier_type"] or df.height >= 3
    assert math.isclose(float(df["spend_gbp"].cast(pl.Float64).sum()), _county(con, "PP01"), abs_tol=0.05)
    assert math.isclose(df["pct_of_analysed_spend"].sum(), 100, abs_tol=0.5)
    assert df["pct_of_analysed_spend"].is_between(-100, 100).all()


def check_6(con, df: pl.DataFrame) -> None:
    county_based = float(df["county_based_gbp"].cast(pl.Float64).fill_null(0).sum())
    analysed = float(df["analysed_gbp"].cast(pl.Float64).sum())
    assert math.isclose(100 * county_based / analysed, _county(con, "PP02"), abs_tol=0.01)
    assert df["file_sha256"].str.len_chars().unique().to_list() == [64]
    assert df["lines"].sum() == con.execute(
        "SELECT n FROM marts.metrics WHERE metric_id = 'PP02' AND reporting_year = ? AND geography_code = ?",
        [YEAR, COUNTY]).fetchone()[0]


def check_7(con, df: pl.DataFrame) -> None:
    assert df.height == 5
    for published, recomputed, responses, n in df.select("published", "recomputed", "responses", "n").iter_rows():
        assert math.isclose(published, recomputed, rel_tol=1e-12) and responses == n


def check_8(con, df: pl.DataFrame) -> None:
    assert df.height > 0
    assert (df["baseline_line"] >= 2).all() and (df["follow_up_line"] >= 2).all()
    files = {f for (f,) in con.execute("SELECT source_file FROM lineage.files").fetchall()}
    assert set(df["baseline_file"]) | set(df["follow_up_file"]) <= files
    assert df["baseline_life_satisfaction"].is_between(0, 10).all()


def check_9(con, df: pl.DataFrame) -> None:
    assert df.height > 5 and df["indicator_id"].is_unique().all()
    assert set(df["rag_status"]) <= {"green", "amber", "red", "no_clear_change", "grey"}
    for metric_id, actual in df.drop_nulls("actual").select("metric_id", "actual").iter_rows():
        assert math.isclose(actual, _county(con, metric_id), rel_tol=1e-9)


def check_10(con, df: pl.DataFrame) -> None:
    assert set(df["feed"]) == {"charter", "programme", "spend", "wellbeing"}
    assert df["run_id"].n_unique() == 1
    assert df["run_id"][0] == con.execute("SELECT run_id FROM lineage.publication").fetchone()[0]
    payments = con.execute("SELECT count(*) FROM marts.fct_payments").fetchone()[0]
    assert df.filter(pl.col("feed") == "spend")["rows_loaded"][0] >= payments


@pytest.mark.parametrize("number", range(1, 11))
def test_guide_query(number, snapshot_path):
    sql = guide_queries()[number]
    con = duckdb.connect(str(snapshot_path), read_only=True)
    try:
        df = con.sql(sql).pl()
        assert df.height > 0, f"query {number} returned no rows"
        globals()[f"check_{number}"](con, df)
    finally:
        con.close()


def python_example(marker: str) -> str:
    [code] = [c for c in re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S) if marker in c]
    return code


def test_the_python_lineage_example_runs(snapshot_path, monkeypatch):
    code = python_example("metric_lineage")
    code = code.replace('"data/published/impact.duckdb"', repr(str(snapshot_path)))
    namespace: dict = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own example
    assert namespace["rows"] and math.isclose(namespace["recomputed"], namespace["published"])


def test_the_python_parquet_example_runs_from_any_folder(demo_dir, snapshot_path, tmp_path, monkeypatch):
    code = python_example("views.sql")
    views = demo_dir / "published" / "parquet" / "views.sql"
    code = code.replace('"data/published/parquet/views.sql"', repr(str(views)))
    monkeypatch.chdir(tmp_path)  # not the Parquet folder: the views' paths are absolute
    namespace: dict = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own example
    con = duckdb.connect(str(snapshot_path), read_only=True)
    try:
        expected = con.execute("SELECT count(*) FROM marts.metrics WHERE reporting_year = '2024-25' "
                               "AND geography_level = 'county'").fetchone()[0]
    finally:
        con.close()
    assert namespace["latest"].height == expected > 20
