"""Extract a boundary's LSOAs with IMD 2019 rank and decile from MHCLG's File 1.

Source: MHCLG, English Indices of Deprivation 2019, File 1 (Index of Multiple Deprivation), OGL v3.
The published decile column is taken as it is (never recomputed from the rank).

    python -m ingest.reference.imd2019 FILE_1.xlsx dbt_project/seeds/reference/lsoa_imd2019.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

OXFORDSHIRE_DISTRICTS = ["E07000177", "E07000178", "E07000179", "E07000180", "E07000181"]
SOURCE_LINE = (
    "MHCLG English Indices of Deprivation 2019, File 1 (IMD2019 sheet), OGL v3; "
    "LSOA 2011 geography"
)


def extract_lsoas(xlsx: Path, district_codes: list[str] = OXFORDSHIRE_DISTRICTS) -> pl.DataFrame:
    frame = pl.read_excel(xlsx, sheet_name="IMD2019")
    renamed = frame.rename(
        {
            "LSOA code (2011)": "lsoa_code",
            "LSOA name (2011)": "lsoa_name",
            "Local Authority District code (2019)": "district_code",
            "Local Authority District name (2019)": "district_name",
            "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
            "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
        }
    )
    return (
        renamed.filter(pl.col("district_code").is_in(district_codes))
        .with_columns(pl.lit(SOURCE_LINE).alias("source"))
        .sort("lsoa_code")
    )


def main(argv: list[str]) -> int:
    xlsx, out = Path(argv[0]), Path(argv[1])
    lsoas = extract_lsoas(xlsx)
    lsoas.write_csv(out)
    print(f"{lsoas.height} LSOAs written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
