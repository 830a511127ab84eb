"""Places for the demo: districts, the 407 Oxfordshire LSOAs (IMD 2019) and synthetic postcodes.

The synthetic postcode lookup is a fixed function of the LSOA seed (it does not depend on the
generator's seed), so the shipped file `dbt_project/seeds/reference/postcode_lsoa_demo.csv` and
every landing file agree whatever seed the demo is generated with.

    python -m demo --write-lookup    # (re)writes the shipped lookup
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = PROJECT_ROOT / "dbt_project" / "seeds" / "reference"
LSOA_SEED = REFERENCE_DIR / "lsoa_imd2019.csv"
POSTCODE_LOOKUP = REFERENCE_DIR / "postcode_lsoa_demo.csv"

DISTRICTS: dict[str, str] = {
    "E07000177": "Cherwell",
    "E07000178": "Oxford",
    "E07000179": "South Oxfordshire",
    "E07000180": "Vale of White Horse",
    "E07000181": "West Oxfordshire",
}

# Plausible outward codes per district (real post towns; the full postcodes are invented).
OUTWARD_CODES: dict[str, list[str]] = {
    "E07000177": ["OX15", "OX16", "OX17", "OX25", "OX26", "OX27", "OX5"],
    "E07000178": ["OX1", "OX2", "OX3", "OX4"],
    "E07000179": ["OX10", "OX39", "OX44", "OX49", "OX9", "OX33", "RG9"],
    "E07000180": ["OX11", "OX12", "OX13", "OX14", "SN7"],
    "E07000181": ["OX7", "OX18", "OX20", "OX28", "OX29"],
}

# Outward codes of out-of-county suppliers; none of these is in the demo lookup.
OUT_OF_COUNTY_OUTWARD = [
    "M1", "M3", "B3", "B4", "SW1A", "SW1P", "EC2A", "EC4M", "RG1", "RG2", "LS1", "BS1", "MK9",
    "SN1", "NN1", "CB2", "HP11", "GL1", "CV1", "NG1", "L2", "SO14", "CF10", "G2",
]

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward code of real postcodes
POSTCODES_PER_LSOA = 5
LOOKUP_SEED = "oiep-demo-postcodes-v1"


@dataclass(frozen=True)
class Lsoa:
    code: str
    name: str
    district_code: str
    district_name: str
    imd_rank: int
    imd_decile: int


@dataclass(frozen=True)
class Postcode:
    pcds: str
    lsoa: Lsoa

    @property
    def outward(self) -> str:
        return self.pcds.split(" ")[0]


def load_lsoas(path: Path = LSOA_SEED) -> list[Lsoa]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lsoas = [
        Lsoa(
            code=r["lsoa_code"],
            name=r["lsoa_name"],
            district_code=r["district_code"],
            district_name=r["district_name"],
            imd_rank=int(r["imd_rank"]),
            imd_decile=int(r["imd_decile"]),
        )
        for r in rows
    ]
    return sorted(lsoas, key=lambda x: x.code)


def _inward(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def build_postcodes(lsoas: list[Lsoa]) -> list[Postcode]:
    """~5 synthetic postcodes per LSOA, all under one plausible outward code of its district."""
    rng = random.Random(LOOKUP_SEED)
    seen: set[str] = set()
    out: list[Postcode] = []
    for lsoa in lsoas:
        outward = rng.choice(OUTWARD_CODES[lsoa.district_code])
        made = 0
        while made < POSTCODES_PER_LSOA:
            pcds = f"{outward} {_inward(rng)}"
            if pcds in seen:
                continue
            seen.add(pcds)
            out.append(Postcode(pcds, lsoa))
            made += 1
    return out


def lookup_csv_text(postcodes: list[Postcode]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["pcds", "lsoa11", "laua", "synthetic"])
    for pc in sorted(postcodes, key=lambda p: p.pcds):
        writer.writerow([pc.pcds, pc.lsoa.code, pc.lsoa.district_code, "true"])
    return buf.getvalue()


def write_postcode_lookup(path: Path = POSTCODE_LOOKUP) -> Path:
    path.write_text(lookup_csv_text(build_postcodes(load_lsoas())), encoding="utf-8")
    return path


def out_of_county_postcode(rng: random.Random) -> str:
    return f"{rng.choice(OUT_OF_COUNTY_OUTWARD)} {_inward(rng)}"


class Places:
    """LSOAs and postcodes with the sampling the feeds need."""

    def __init__(self) -> None:
        self.lsoas = load_lsoas()
        self.postcodes = build_postcodes(self.lsoas)
        self.by_lsoa: dict[str, list[Postcode]] = {}
        for pc in self.postcodes:
            self.by_lsoa.setdefault(pc.lsoa.code, []).append(pc)
        self.by_district: dict[str, list[Postcode]] = {}
        for pc in self.postcodes:
            self.by_district.setdefault(pc.lsoa.district_code, []).append(pc)
        # Programme participants over-represent deprived LSOAs: deciles 1-2 get ~30% of draws
        # (a little less county-wide, as one provider works only in Oxford, where most are).
        deprived = sum(1 for x in self.lsoas if x.imd_decile <= 2)
        other = len(self.lsoas) - deprived
        w = 0.26 / 0.74 * other / max(deprived, 1)
        self._deprived_weights = [w if x.imd_decile <= 2 else 1.0 for x in self.lsoas]

    def any_postcode(self, rng: random.Random) -> Postcode:
        return rng.choice(self.postcodes)

    def postcode_in(self, rng: random.Random, district_code: str) -> Postcode:
        return rng.choice(self.by_district[district_code])

    def deprived_weighted_postcode(self, rng: random.Random, district_weights=None) -> Postcode:
        weights = self._deprived_weights
        if district_weights:
            weights = [
                w * district_weights.get(x.district_code, 0.0)
                for w, x in zip(weights, self.lsoas, strict=True)
            ]
        lsoa = rng.choices(self.lsoas, weights=weights, k=1)[0]
        return rng.choice(self.by_lsoa[lsoa.code])
