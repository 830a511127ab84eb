"""The IMD editions the warehouse can use (impact.toml [reference] imd_edition), and what each one
implies: its seed, the LSOA geography its codes are on (so the postcode lookup's matching LSOA
column is used), the vintage of its local authority codes, and where it comes from.

Adding IMD 2025 (LSOA 2021 geography, 33,755 LSOAs) when its File 1 is supplied: write a builder
like `imd2019.py` producing `dbt_project/seeds/reference/lsoa_imd2025.csv` with the same columns,
add an entry below, and set `imd_edition = "2025"`. The two editions are on different LSOA
geographies, so a figure of one is never joined to codes of the other: see
docs/reference-data.md ("LSOA 2011 and 2021").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.reference import imd2019

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "reference"


@dataclass(frozen=True)
class ImdEdition:
    edition: str
    seed: str  # dbt seed name (var imd_edition picks it: 'lsoa_imd' ~ edition)
    lsoas: int
    lsoa_geography: str  # census year of the LSOA codes
    lookup_columns: tuple[str, ...]  # postcode-lookup columns holding LSOA codes of that geography
    authority_codes: str  # vintage of the local authority codes the area must be given in
    source: str
    build_command: str

    @property
    def seed_path(self) -> Path:
        return SEEDS_DIR / f"{self.seed}.csv"

    @property
    def label(self) -> str:
        return f"IMD {self.edition} (LSOA {self.lsoa_geography}, local authorities {self.authority_codes})"


IMD_EDITIONS: dict[str, ImdEdition] = {
    "2019": ImdEdition(
        edition="2019", seed="lsoa_imd2019", lsoas=imd2019.ENGLISH_LSOAS_2011, lsoa_geography="2011",
        lookup_columns=("lsoa11", "lsoa11cd"), authority_codes="2019", source=imd2019.SOURCE,
        build_command="python -m ingest.reference.imd2019 FILE_1.xlsx dbt_project/seeds/reference/lsoa_imd2019.csv",
    ),
}


@cache
def _authorities(path: Path, modified: float) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["la_code"]: row["la_name"] for row in csv.DictReader(handle)}


def local_authorities(edition: ImdEdition) -> dict[str, str]:
    """Local authority code -> name, as the edition's seed gives them."""
    path = edition.seed_path
    return _authorities(path, path.stat().st_mtime)

