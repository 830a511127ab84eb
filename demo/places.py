"""Places for the demo: the area's local authorities, their LSOAs (IMD 2019) and synthetic postcodes.

The LSOAs come from the national IMD seed, filtered to the area's local authorities (impact.toml
[area]). The synthetic postcode lookup is a fixed function of those LSOAs (it does not depend on
the generator's seed), so the lookup `impact demo` writes into the data directory and every
landing file agree whatever seed the demo is generated with.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from demo.area import OXFORDSHIRE_AUTHORITIES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = PROJECT_ROOT / "dbt_project" / "seeds" / "reference"
LSOA_SEED = REFERENCE_DIR / "lsoa_imd2019.csv"

# Plausible outward codes per local authority (real post towns; the full postcodes are invented).
# An authority not listed gets invented ZZ outward codes (no real postcode area is ZZ).
OUTWARD_CODES: dict[str, list[str]] = {
    "E07000177": ["OX15", "OX16", "OX17", "OX25", "OX26", "OX27", "OX5"],
    "E07000178": ["OX1", "OX2", "OX3", "OX4"],
    "E07000179": ["OX10", "OX39", "OX44", "OX49", "OX9", "OX33", "RG9"],
    "E07000180": ["OX11", "OX12", "OX13", "OX14", "SN7"],
    "E07000181": ["OX7", "OX18", "OX20", "OX28", "OX29"],
    # Greater Manchester's ten boroughs (examples/greater-manchester)
    "E08000001": ["BL1", "BL2", "BL3", "BL4", "BL5", "BL6", "BL7"],
    "E08000002": ["BL0", "BL8", "BL9", "M26", "M45"],
    "E08000003": ["M1", "M4", "M8", "M9", "M11", "M12", "M13", "M14", "M15", "M19", "M20", "M22", "M40"],
    "E08000004": ["OL1", "OL2", "OL3", "OL4", "OL8", "OL9", "M35"],
    "E08000005": ["OL10", "OL11", "OL12", "OL15", "OL16", "M24"],
    "E08000006": ["M3", "M5", "M6", "M7", "M27", "M28", "M30", "M38", "M44"],
    "E08000007": ["SK1", "SK2", "SK3", "SK4", "SK5", "SK6", "SK7", "SK8"],
    "E08000008": ["OL5", "OL6", "OL7", "SK14", "SK15", "SK16", "M34", "M43"],
    "E08000009": ["M16", "M17", "M31", "M32", "M33", "M41", "WA14", "WA15"],
    "E08000010": ["WN1", "WN2", "WN3", "WN4", "WN5", "WN6", "WN7", "M29", "M46"],
}

# Outward codes of out-of-area suppliers (those of the area itself are left out); none of these
# is in the demo lookup.
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


def load_lsoas(path: Path = LSOA_SEED, local_authorities: Sequence[str] = OXFORDSHIRE_AUTHORITIES) -> list[Lsoa]:
    """The LSOAs of the national seed that lie in the given local authorities, by code."""
    wanted = set(local_authorities)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["la_code"] in wanted]
    lsoas = [
        Lsoa(
            code=r["lsoa_code"],
            name=r["lsoa_name"],
            district_code=r["la_code"],
            district_name=r["la_name"],
            imd_rank=int(r["imd_rank"]),
            imd_decile=int(r["imd_decile"]),
        )
        for r in rows
    ]
    return sorted(lsoas, key=lambda x: x.code)


def outward_codes(local_authorities: Iterable[str]) -> dict[str, list[str]]:
    """Outward codes per authority: the table above, else invented ZZ codes (four each)."""
    out: dict[str, list[str]] = {}
    invented = 0
    for code in sorted(local_authorities):
        if code in OUTWARD_CODES:
            out[code] = OUTWARD_CODES[code]
        else:
            out[code] = [f"ZZ{invented + k}" for k in range(1, 5)]
            invented += 4
    return out


def _inward(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def build_postcodes(lsoas: list[Lsoa]) -> list[Postcode]:
    """~5 synthetic postcodes per LSOA, all under one plausible outward code of its district."""
    outward_of = outward_codes({x.district_code for x in lsoas})
    rng = random.Random(LOOKUP_SEED)
    seen: set[str] = set()
    out: list[Postcode] = []
    for lsoa in lsoas:
        outward = rng.choice(outward_of[lsoa.district_code])
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


def write_postcode_lookup(path: Path, local_authorities: Sequence[str] = OXFORDSHIRE_AUTHORITIES,
                          seed: Path = LSOA_SEED) -> Path:
    """Write the area's synthetic lookup (pcds, lsoa11, laua, synthetic); unchanged bytes are not rewritten."""
    text = lookup_csv_text(build_postcodes(load_lsoas(seed, local_authorities)))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


class Places:
    """The area's LSOAs and postcodes with the sampling the feeds need."""

    def __init__(self, local_authorities: Sequence[str] = OXFORDSHIRE_AUTHORITIES) -> None:
        self.lsoas = load_lsoas(local_authorities=local_authorities)
        self.districts = {x.district_code: x.district_name for x in self.lsoas}
        self.districts = dict(sorted(self.districts.items()))
        mine = {code for codes in outward_codes(self.districts).values() for code in codes}
        self.out_of_area_outward = [code for code in OUT_OF_COUNTY_OUTWARD if code not in mine]
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

    def out_of_area_postcode(self, rng: random.Random) -> str:
        return f"{rng.choice(self.out_of_area_outward)} {_inward(rng)}"

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
