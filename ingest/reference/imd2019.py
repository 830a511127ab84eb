"""Build the national IMD 2019 seed from MHCLG's File 1: every English LSOA (2011 geography) with
its local authority district (2019 codes and names), IMD rank and decile.

The seed is national so that a partnership's area is configuration (a list of local authority
codes in impact.toml), never a re-extraction. The published rank and decile are taken as they are
(never recomputed); the build refuses a file that is not the complete publication.

Source: MHCLG, English Indices of Deprivation 2019, File 1 (Index of Multiple Deprivation), OGL v3.

    python -m ingest.reference.imd2019 File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx \\
        dbt_project/seeds/reference/lsoa_imd2019.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

SHEET = "IMD2019"
COLUMNS = {
    "LSOA code (2011)": "lsoa_code",
    "LSOA name (2011)": "lsoa_name",
    "Local Authority District code (2019)": "la_code",
    "Local Authority District name (2019)": "la_name",
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
}
ENGLISH_LSOAS_2011 = 32_844
SOURCE = ("MHCLG English Indices of Deprivation 2019, File 1 (IMD2019 sheet), OGL v3; "
          "LSOA 2011 geography, local authority districts as of 2019")


class NotThePublication(ValueError):
    """The workbook is not the complete File 1; the message says what differs."""


def national_lsoas(xlsx: Path) -> pl.DataFrame:
    """Every LSOA of File 1, sorted by code, with the seed's column names and types."""
    frame = pl.read_excel(xlsx, sheet_name=SHEET)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise NotThePublication(f"{xlsx.name}: sheet {SHEET} has no column(s) {', '.join(missing)}")
    lsoas = (frame.select(list(COLUMNS)).rename(COLUMNS)
             .with_columns(pl.col("imd_rank").cast(pl.Int32), pl.col("imd_decile").cast(pl.Int32))
             .sort("lsoa_code"))
    check_publication(lsoas, xlsx.name)
    return lsoas


def check_publication(lsoas: pl.DataFrame, name: str) -> None:
    """32,844 distinct LSOAs, ranks within 1..32,844, ten deciles in rank order.

    (The publication has 26 tied ranks, so ranks are not each used once.)"""
    if lsoas.height != ENGLISH_LSOAS_2011 or lsoas["lsoa_code"].n_unique() != ENGLISH_LSOAS_2011:
        raise NotThePublication(f"{name}: {lsoas.height} rows, expected {ENGLISH_LSOAS_2011:,} distinct LSOAs")
    if lsoas["imd_rank"].min() != 1 or lsoas["imd_rank"].max() != ENGLISH_LSOAS_2011:
        raise NotThePublication(f"{name}: IMD ranks do not run from 1 to {ENGLISH_LSOAS_2011:,}")
    bounds = (lsoas.group_by("imd_decile").agg(low=pl.col("imd_rank").min(), high=pl.col("imd_rank").max())
              .sort("imd_decile"))
    if bounds["imd_decile"].to_list() != list(range(1, 11)) or any(
            a > b for a, b in zip(bounds["high"], bounds["low"][1:], strict=False)):
        raise NotThePublication(f"{name}: IMD deciles are not 1..10 in rank order")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-2].strip(), file=sys.stderr)
        return 2
    xlsx, out = Path(argv[0]), Path(argv[1])
    lsoas = national_lsoas(xlsx)
    lsoas.write_csv(out)
    print(f"{lsoas.height:,} LSOAs in {lsoas['la_code'].n_unique()} local authorities written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
