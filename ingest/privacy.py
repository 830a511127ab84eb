"""Privacy at the door: people's references become keyed hashes, full postcodes become an LSOA
(and at most an outward code), and personal columns are never stored (spec §3.2)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.contracts import Entity
from ingest.values import normalise_postcode, outward_code


def pseudonymise(reference: str | None, key: str) -> str | None:
    """HMAC-SHA256 of the trimmed, upper-cased reference: stable across files, not reversible."""
    if reference is None:
        return None
    digest = hmac.new(key.encode(), reference.strip().upper().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class PostcodeLookup:
    """postcode -> (LSOA code, district code), from the ONS NSPL/ONSPD or the demo's synthetic file."""

    places: dict[str, tuple[str, str]]
    source: str

    @classmethod
    def from_csv(cls, path: Path) -> PostcodeLookup:
        if not path.exists():
            return cls({}, f"{path} (missing)")
        header = pl.read_csv(path, n_rows=0).columns
        lsoa = next((c for c in ("lsoa11", "lsoa11cd", "lsoa21", "lsoa21cd") if c in header), None)
        if "pcds" not in header or lsoa is None or "laua" not in header:
            raise ValueError(f"{path}: a postcode lookup needs columns pcds, lsoa11 (or lsoa21), laua")
        frame = pl.read_csv(path, columns=["pcds", lsoa, "laua"], infer_schema=False)
        places = {
            normalise_postcode(p) or p: (lsoa_code, district)
            for p, lsoa_code, district in frame.iter_rows() if p
        }
        return cls(places, str(path))

    def find(self, postcode: str | None) -> tuple[str | None, str | None]:
        if not postcode:
            return None, None
        return self.places.get(normalise_postcode(postcode) or "", (None, None))


def protect(records: list[dict], entity: Entity, key: str, lookup: PostcodeLookup) -> list[dict]:
    """Records with canonical columns -> records with the stored columns of the raw table."""
    stored = list(entity.stored_columns())
    has_district = any(c.name == "district" for c in entity.columns)
    out = []
    for record in records:
        row = dict(record)
        for column in entity.columns:
            if column.pseudonymise:
                row[column.name.removesuffix("_ref") + "_key"] = pseudonymise(row.pop(column.name, None), key)
            elif column.postcode_to_lsoa:
                postcode = row.pop(column.name, None)
                lsoa, district = lookup.find(postcode)
                if not row.get("lsoa_code"):
                    row["lsoa_code"] = lsoa
                if not has_district:
                    row["district_code"] = district
                if column.keep_outward_code:
                    row["postcode_outward"] = outward_code(postcode) if postcode else None
            elif column.outward_code_only and row.get(column.name):
                row[column.name] = outward_code(row[column.name])
        out.append({name: row.get(name) for name in stored if not name.startswith("_")}
                   | {"_row_number": record["_row_number"]})
    return out
