"""The national IMD 2019 seed: complete, as published, and the Oxfordshire rows unchanged."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ingest.reference.imd2019 import ENGLISH_LSOAS_2011, NotThePublication, main, national_lsoas

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "dbt_project" / "seeds" / "reference" / "lsoa_imd2019.csv"
# The seed as it was before the area became configuration: Oxfordshire's 407 LSOAs.
OXFORDSHIRE_ORACLE = ROOT / "tests" / "fixtures" / "lsoa_imd2019_oxfordshire_407.csv"
FILE_1 = "imd/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"


@pytest.fixture(scope="module")
def seed() -> pl.DataFrame:
    return pl.read_csv(SEED, schema_overrides={"imd_rank": pl.Int32, "imd_decile": pl.Int32})


def test_every_english_lsoa_once_with_its_local_authority(seed):
    assert seed.height == ENGLISH_LSOAS_2011 == 32_844
    assert seed["lsoa_code"].is_unique().all() and seed["lsoa_code"].str.starts_with("E01").all()
    assert seed.null_count().sum_horizontal()[0] == 0
    assert seed["la_code"].n_unique() == 317  # England's local authority districts of 2019
    assert seed.group_by("la_code").agg(pl.col("la_name").n_unique())["la_name"].max() == 1


def test_deciles_are_tenths_of_england_in_rank_order(seed):
    counts = dict(seed.group_by("imd_decile").len().iter_rows())
    assert sorted(counts) == list(range(1, 11))
    assert set(counts.values()) <= {3_284, 3_285} and sum(counts.values()) == 32_844
    bounds = (seed.group_by("imd_decile").agg(low=pl.col("imd_rank").min(), high=pl.col("imd_rank").max())
              .sort("imd_decile"))
    assert bounds["low"][0] == 1 and bounds["high"][-1] == 32_844
    assert all(h < lo for h, lo in zip(bounds["high"][:-1], bounds["low"][1:], strict=True))


def test_oxfordshire_rows_equal_the_former_county_seed_row_for_row(seed):
    oracle = pl.read_csv(OXFORDSHIRE_ORACLE, schema_overrides={"imd_rank": pl.Int32, "imd_decile": pl.Int32})
    assert oracle.height == 407
    oxfordshire = (seed.filter(pl.col("la_code").is_in(oracle["district_code"].unique().to_list()))
                   .rename({"la_code": "district_code", "la_name": "district_name"}))
    assert oxfordshire.equals(oracle.drop("source"))
    # domain-facts §7: 17 Oxfordshire LSOAs in deciles 1-2, one of them in decile 1
    assert oxfordshire.filter(pl.col("imd_decile") <= 2).height == 17
    assert oxfordshire.filter(pl.col("imd_decile") == 1).height == 1


def test_the_documented_command_rebuilds_the_seed_byte_for_byte(real_data, tmp_path, capsys):
    out = tmp_path / "lsoa_imd2019.csv"
    assert main([str(real_data / FILE_1), str(out)]) == 0
    assert "32,844 LSOAs in 317 local authorities" in capsys.readouterr().out
    assert out.read_bytes() == SEED.read_bytes()


def test_a_workbook_that_is_not_the_whole_publication_is_refused(real_data, tmp_path):
    part = pl.read_excel(real_data / FILE_1, sheet_name="IMD2019").head(100)
    partial = tmp_path / "partial.xlsx"
    part.write_excel(partial, worksheet="IMD2019")
    with pytest.raises(NotThePublication, match="100 rows, expected 32,844"):
        national_lsoas(partial)
