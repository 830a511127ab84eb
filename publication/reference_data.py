"""Reference data in use: the postcode lookup ingest resolves postcodes with, and the provenance of
every reference dataset (edition, source, checksum, synthetic or not) that the published snapshot
records, so an evaluator can tell which reference data produced a figure.

Without a configured ONS NSPL/ONSPD file (impact.toml [paths] postcode_lookup) postcodes resolve
through a synthetic lookup of the area's own LSOAs, written into the data directory: right for the
demo, wrong for real returns, so `impact run` and `impact status` warn when a data directory not
made by `impact demo` uses it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from ingest import PostcodeLookup
from ingest.loader import sha256_of
from ingest.reference.editions import SEEDS_DIR
from partnership.config import Settings
from partnership.toc_framework import SHIPPED as SHIPPED_TOC
from partnership.toc_framework import SHIPPED_FOR as SHIPPED_TOC_AREA

SYNTHETIC_COLUMN = "synthetic"


def postcode_lookup(settings: Settings) -> PostcodeLookup:
    """The lookup ingest uses, on the LSOA geography of the configured IMD edition; the synthetic
    one is (re)written first when no file is configured."""
    path = settings.postcode_lookup_path
    if not settings.paths.postcode_lookup:
        from demo.places import write_postcode_lookup

        write_postcode_lookup(path, settings.area.local_authorities, settings.imd_edition.seed_path)
    return PostcodeLookup.from_csv(path, lsoa_columns=settings.imd_edition.lookup_columns)


def uses_synthetic_lookup(settings: Settings) -> bool:
    """No file configured, or the configured file marks itself synthetic (a `synthetic` column)."""
    if not settings.paths.postcode_lookup:
        return True
    path = settings.postcode_lookup_path
    return path.exists() and SYNTHETIC_COLUMN in pl.read_csv(path, n_rows=0).columns


def synthetic_lookup_warning(settings: Settings) -> str | None:
    """The warning for a real data directory on the synthetic lookup; None otherwise."""
    if settings.is_demo_data_dir or not uses_synthetic_lookup(settings):
        return None
    return (f"WARNING: {settings.data_dir} is not a demo data directory, but postcodes are resolved with "
            f"the SYNTHETIC demo postcode lookup ({settings.postcode_lookup_path.name}): LSOAs, districts, "
            "deciles and 'based in the area' are invented for every postcode. Set [paths] postcode_lookup "
            "in the configuration to an ONS NSPL/ONSPD CSV and reload the files.")


def _csv_rows_and_sources(path: Path) -> tuple[int, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    sources = sorted({r["source"] for r in rows if r.get("source")})
    return len(rows), "; ".join(sources)


def reference_datasets(settings: Settings) -> list[dict]:
    """One row per reference dataset in use: the IMD edition, the postcode lookup, every other seed."""
    edition = settings.imd_edition
    rows = [{
        "dataset": edition.seed, "edition": edition.label, "source": edition.source,
        "file": f"dbt_project/seeds/reference/{edition.seed_path.name}", "sha256": sha256_of(edition.seed_path),
        "rows": edition.lsoas, "synthetic": False,
    }]
    lookup = settings.postcode_lookup_path
    synthetic = uses_synthetic_lookup(settings)
    rows.append({
        "dataset": "postcode_lookup",
        "edition": settings.reference.postcode_lookup_edition
        or (f"synthetic, LSOA {edition.lsoa_geography} of {settings.area.name}" if synthetic else "not stated"),
        "source": ("demo/places.py: invented postcodes for the area's LSOAs (not ONS data)" if synthetic
                   else "ONS postcode directory (NSPL/ONSPD) configured in [paths] postcode_lookup"),
        "file": lookup.name,
        "sha256": sha256_of(lookup) if lookup.exists() else None,
        "rows": sum(1 for _ in lookup.open(encoding="utf-8", errors="replace")) - 1 if lookup.exists() else None,
        "synthetic": synthetic,
    })
    for path in sorted(SEEDS_DIR.glob("*.csv")):
        if path.stem.startswith("lsoa_imd"):
            continue  # the edition in use is above; other editions feed no figure
        dataset, name, edition = path.stem, f"dbt_project/seeds/reference/{path.name}", ""
        if path == SHIPPED_TOC and settings.toc.framework:  # the partnership's own framework instead
            path, name, edition = settings.toc_framework_path, settings.toc_framework_path.name, "[toc] framework"
        count, sources = _csv_rows_and_sources(path)
        rows.append({"dataset": dataset, "edition": edition, "source": sources,
                     "file": name, "sha256": sha256_of(path), "rows": count, "synthetic": False})
    return rows


def toc_framework_warning(settings: Settings) -> str | None:
    """The warning for a partnership outside Oxfordshire on the shipped (Oxfordshire) framework."""
    if settings.toc.framework or settings.area.code == SHIPPED_TOC_AREA:
        return None
    return (f"WARNING: the Theory of Change in use is the one shipped with the product, written for Oxfordshire: "
            f"its indicators cite Oxfordshire's documents and its baselines and targets are placeholders, and "
            f"{settings.area.name}'s figures are set against them in the pack. Set [toc] framework in the "
            "configuration to the partnership's own (docs/metrics.md, \"Theory of Change\").")


def toc_framework_line(settings: Settings) -> str:
    """Which Theory of Change framework is in use, for `impact status`."""
    if settings.toc.framework:
        n = len(settings.toc_indicators)
        return f"theory of change: the partnership's own, {n} indicator{'s' * (n != 1)} ({settings.toc_framework_path})"
    return ("theory of change: the shipped framework (Oxfordshire's, ILLUSTRATIVE baselines and targets; "
            "[toc] framework)")
