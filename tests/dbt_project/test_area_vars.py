"""The area as dbt vars: the geography models follow area_local_authorities and the area's code and
name, whatever the place (a single authority has no district rows), and an authority code the IMD
seed does not know fails the build instead of silently shrinking the area."""

from __future__ import annotations

import duckdb
from conftest import build, run_dbt
from dbt_fixture_rows import RAW_ROWS
from dbt_raw_warehouse import create_raw_warehouse

SELECT = ["--select", "+int_geographies", "+int_district_aliases", "--indirect-selection", "cautious"]


def _build(tmp_path, variables):
    tmp_path.mkdir(parents=True, exist_ok=True)
    warehouse = tmp_path / "area.duckdb"
    create_raw_warehouse(warehouse)
    return warehouse, run_dbt(tmp_path, warehouse, "build", *SELECT, variables=variables)


def test_a_combined_authority_and_a_single_authority(tmp_path):
    boroughs = [f"E080000{n:02d}" for n in range(1, 11)]
    warehouse, result = _build(tmp_path / "gm", {"county_code": "E47000001", "county_name": "Greater Manchester",
                                                 "area_local_authorities": boroughs})
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql("select geography_level, geography_code, geography_name from intermediate.int_geographies "
                       "order by sort_order").fetchall()
        assert rows[0] == ("county", "E47000001", "Greater Manchester")
        assert [r[1] for r in rows[1:]] == boroughs and rows[9][2] == "Trafford"
        assert con.sql("select count(*) from intermediate.int_area_lsoas").fetchone()[0] == 1_673
        aliases = dict(con.sql("select alias, district_code from intermediate.int_district_aliases").fetchall())
        assert aliases["trafford council"] == aliases["e08000009"] == "E08000009"
        assert aliases["salford city council"] == "E08000006" and "south oxon" not in aliases

    warehouse, result = _build(tmp_path / "one", {"county_code": "E08000009", "county_name": "Trafford",
                                                  "area_local_authorities": ["E08000009"]})
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.sql("select geography_level, geography_code from intermediate.int_geographies").fetchall() == [
            ("county", "E08000009")]


def test_an_unknown_authority_code_fails_the_build(tmp_path):
    _, result = _build(tmp_path, {"area_local_authorities": ["E07000178", "E07999999"]})
    assert result.returncode != 0
    assert "every_configured_local_authority_present" in result.stdout and "Got 1 result" in result.stdout


def test_a_unitary_authority_whose_code_is_the_areas_counts_everything_once(tmp_path):
    """A unitary authority is its own area: [area] code is the authority's code. Its figures must be
    those of the same authority under another area code: district rows, which would carry the area's
    code too, used to count every person twice (or fail dbt's unique tests)."""
    oxford = ["E07000178"]
    figures = {}
    for name, code in (("own code", "E07000178"), ("other code", "E06000099")):
        warehouse = build(tmp_path / name.replace(" ", "-"), RAW_ROWS,
                          {"county_code": code, "county_name": "Oxford", "area_local_authorities": oxford})
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.sql("select distinct geography_code from marts.metrics").fetchall() == [(code,)]
            figures[name] = con.sql(
                "select metric_id, reporting_year, value, numerator, denominator, n, no_data_reason "
                "from marts.metrics order by all").fetchall()
    assert figures["own code"] == figures["other code"]
    assert any(row[5] for row in figures["own code"])  # people were counted


def test_an_area_name_with_an_apostrophe_is_written_as_given(built_warehouse, tmp_path):
    """[area] name is free text: King's Lynn and West Norfolk, a single authority, used to end the
    breakdowns' string literal at its apostrophe and fail the build."""
    import shutil

    warehouse = tmp_path / "impact.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    name = "King's Lynn and West Norfolk"
    result = run_dbt(tmp_path, warehouse, "run", "--select", "int_geographies", "int_area_local_authorities",
                     "metric_breakdowns", variables={"county_code": "E07000146", "county_name": name,
                                                     "area_local_authorities": ["E07000146"]})
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.sql("select distinct geography_name from marts.metric_breakdowns").fetchall() == [(name,)]
        assert con.sql("select geography_name from intermediate.int_geographies").fetchall() == [(name,)]
