"""Write the steering group's pack for one reporting year from the published snapshot.

The snapshot is opened read-only. Everything is written into a hidden temporary folder beside
the revisions, audited for disclosure there (every file, against the packs already published:
`exports.audit`), and renamed into place as `exports/<year>/rNNN` in one step: a failure or a
failed audit leaves no partial revision, and a re-run adds a revision without touching the
earlier ones. The register of published values is updated once the revision is in place. A re-run
whose content (tables, cover, gate verdict; not the time, run id or code version) is that of the
latest revision writes nothing and returns that revision (`new_revision` false): a revision changes
only with its content.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from exports.appendix import appendix, gate_summary
from exports.audit import Register, audit_pack
from exports.datapackage import check_package, describe
from exports.disclosure import masked_breakdowns, masked_metrics, masked_toc
from exports.reference_data import manifest_entries, report_rows
from exports.report import build_report, write_report
from exports.revisions import PackError, content_sha256, latest_revision, rename_into_place
from exports.snapshot_tables import read_snapshot
from exports.sources import YearSources
from exports.workbook import WorkbookContent, write_workbook
from ingest.loader import sha256_of  # the hash the load audit records, for every file the product names

DATA_LOG_COLUMNS = ("feed", "file", "contributes", "rows_in_year", "sha256", "rows_loaded",
                    "rows_rejected", "loaded_at")
SYNTHETIC_TITLE = "SYNTHETIC DEMO DATA"


@dataclass(frozen=True)
class PackResult:
    reporting_year: str
    revision: str
    folder: Path
    files: tuple[Path, ...]  # every file of the revision, manifest.json included
    gate_status: str
    manifest: dict[str, Any]
    new_revision: bool = True  # false: the latest revision already held this content


@dataclass(frozen=True)
class PackOptions:
    partnership_name: str
    suppression_threshold: int
    marker: str
    run_id: str
    code_version: str
    synthetic: bool
    year_start_month: int


@dataclass(frozen=True)
class MaskedYear:
    """What a pack publishes for one year, after masking: the only input its files are written from."""
    year: str
    produced_at: datetime
    title: str
    gate: dict[str, Any]
    sources: YearSources
    tables: dict[str, pd.DataFrame]  # as read from the snapshot (load audit, reference data)
    published: pd.DataFrame
    toc: pd.DataFrame
    trend: pd.DataFrame
    breakdowns: pd.DataFrame
    details: list[tuple[str, Any]]  # the appendix: partnership, period, run, gate, sources

    def csvs(self) -> dict[str, pd.DataFrame]:
        return {
            "metrics.csv": self.published.drop(columns="suppression"),
            "toc_indicators.csv": self.toc,
            "metric_breakdowns.csv": self.breakdowns.drop(columns="suppression", errors="ignore"),
            "definitions.csv": self.tables["catalogue"],
            "data_log.csv": pd.DataFrame(self.sources.files, columns=list(DATA_LOG_COLUMNS)).astype(
                {"rows_in_year": "Int64", "rows_loaded": "Int64", "rows_rejected": "Int64"}),
        }


def write_pack(
    snapshot_path: Path,
    reporting_year: str,
    exports_dir: Path,
    *,
    partnership_name: str,
    suppression_threshold: int = 10,
    marker: str = "[c]",
    run_id: str,
    code_version: str,
    synthetic: bool = False,
    year_start_month: int = 4,
    before_publish: Callable[[Path], None] | None = None,
) -> PackResult:
    """`synthetic` marks a pack made from demo data: its title, every page and every sheet say so."""
    options = PackOptions(partnership_name, suppression_threshold, marker, run_id, code_version, synthetic,
                          year_start_month)
    year = masked_year(Path(snapshot_path), reporting_year, options)
    csvs = year.csvs()
    fingerprint = content_sha256(csvs, year.details, year.trend, year.gate)
    year_dir = Path(exports_dir) / reporting_year
    if (latest := latest_revision(year_dir)) and latest[1].get("content_sha256") == fingerprint:
        folder, manifest = latest
        return PackResult(reporting_year, folder.name, folder, tuple(sorted(folder.iterdir())),
                          manifest.get("gate", {}).get("status", year.gate["status"]), manifest, new_revision=False)
    register = Register(Path(exports_dir), marker=marker)
    earlier = register.facts()
    year_dir.mkdir(parents=True, exist_ok=True)
    staging = year_dir / f".partial-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        rows, sheets = _write_files(staging, year, csvs, options)
        audit = audit_pack(staging, threshold=suppression_threshold, marker=marker, earlier=earlier)
        if not audit.passed:
            raise PackError(f"the disclosure audit of the {reporting_year} pack failed, nothing was "
                            f"published ({len(audit.findings)} findings): " + "; ".join(
                                str(f) for f in _first_per_file(audit.findings)))
        manifest = _manifest(staging, year, options, rows, sheets, fingerprint,
                             audit.summary() | {"earlier_values_checked": len(earlier)})
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        if before_publish is not None:
            before_publish(staging)
        final = rename_into_place(staging, year_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    register.record(final, audit.published)
    return PackResult(reporting_year, final.name, final, tuple(sorted(final.iterdir())), year.gate["status"],
                      manifest)


def latest_is_current(snapshot_path: Path, reporting_year: str, exports_dir: Path, options: PackOptions
                      ) -> tuple[str, bool] | None:
    """The year's latest revision and whether it still says what a pack written now from the snapshot
    would say (a late or corrected return, a changed supplier register or changed settings make it
    differ). None where the year has no pack. Writes nothing; PackError where no pack could be
    written now (the year's gate failed in the snapshot)."""
    latest = latest_revision(Path(exports_dir) / reporting_year)
    if latest is None:
        return None
    year = masked_year(Path(snapshot_path), reporting_year, options)
    fingerprint = content_sha256(year.csvs(), year.details, year.trend, year.gate)
    return latest[0].name, latest[1].get("content_sha256") == fingerprint


def masked_year(snapshot_path: Path, reporting_year: str, options: PackOptions) -> MaskedYear:
    """The year's tables from the snapshot, refused if its gate failed, masked for disclosure."""
    tables, sources = read_snapshot(snapshot_path, reporting_year)
    gate = gate_summary(tables.get("gate_results"))
    if gate["status"] in ("failed", "error"):
        raise PackError(f"the gate for {reporting_year} has status {gate['status']}: no pack")
    catalogue, threshold, marker = tables["catalogue"], options.suppression_threshold, options.marker
    published = masked_metrics(tables["metrics"], catalogue, threshold=threshold, marker=marker)
    produced_at = datetime.now(UTC).replace(microsecond=0)
    name = options.partnership_name
    return MaskedYear(
        year=reporting_year, produced_at=produced_at, gate=gate, sources=sources, tables=tables,
        title=(f"{SYNTHETIC_TITLE}: {name} impact pack {reporting_year}" if options.synthetic
               else f"{name}: impact pack {reporting_year}"),
        published=published,
        toc=masked_toc(tables["toc"], published, marker=marker),
        trend=masked_metrics(  # every year up to this one, for the report's trends
            tables["metrics_all_years"], catalogue, threshold=threshold, marker=marker),
        breakdowns=masked_breakdowns(tables["breakdowns"], tables["metrics"], catalogue,
                                     threshold=threshold, marker=marker),
        details=appendix(partnership=name, year=reporting_year, produced_at=produced_at,
                         run_id=options.run_id, code_version=options.code_version, gate=gate,
                         load_audit=tables.get("load_audit"), sources=sources, threshold=threshold,
                         marker=marker, synthetic=options.synthetic, year_start_month=options.year_start_month),
    )


def workbook_name(year: str) -> str:
    """The pack's workbook file, e.g. `impact-pack-2024-25.xlsx`."""
    return f"impact-pack-{year}.xlsx"


def _write_files(staging: Path, year: MaskedYear, csvs: dict[str, pd.DataFrame],
                 options: PackOptions) -> tuple[dict[str, int], dict[str, int]]:
    """Every file of the pack into `staging`: CSVs, data package, workbook, report. Returns the rows
    per file and the workbook's rows per sheet."""
    rows: dict[str, int] = {}
    for filename, frame in csvs.items():
        if frame.columns.empty or (filename == "metric_breakdowns.csv" and frame.empty):
            continue  # e.g. no ToC indicators or breakdowns in this snapshot: no file
        frame.to_csv(staging / filename, index=False, encoding="utf-8")
        rows[filename] = len(frame)
    package = describe(staging, title=year.title, year=year.year, marker=options.marker)
    (staging / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    rows["datapackage.json"] = len(package["resources"])
    check_package(staging / "datapackage.json")
    catalogue = year.tables["catalogue"]
    content = build_report(
        title=year.title.replace("impact pack", "impact report"),
        subtitle=_subtitle(options.partnership_name, year.year, year.gate, options.synthetic),
        reporting_year=year.year, gate_status=year.gate["status"], synthetic=options.synthetic,
        appendix=year.details, reference_data=report_rows(year.tables.get("reference_data")),
        metrics=year.published, trend=year.trend, toc=year.toc, breakdowns=year.breakdowns,
        catalogue=catalogue, marker=options.marker, produced_at=year.produced_at)
    workbook = workbook_name(year.year)
    units = catalogue.set_index("metric_id")["unit"]
    toc = year.toc
    sheets = write_workbook(staging / workbook, WorkbookContent(
        title=year.title,
        notice=content.notice,
        summary=content.summary,
        metrics=year.published.merge(catalogue[["metric_id", "name", "family"]], on="metric_id", how="left"),
        changes={h.metric_id: _change_cells(h) for h in content.headlines},
        toc=toc.assign(unit=toc["metric_id"].map(units)) if "metric_id" in toc.columns else toc,
        breakdowns=year.breakdowns,
        catalogue=catalogue,
        load_audit=_data_log(year.tables.get("load_audit")),
        appendix=year.details,
        marker=options.marker,
        reference=year.tables.get("reference_data"),
    ))
    rows[workbook] = sum(sheets.values())
    rows.update(write_report(staging, content))
    return rows, sheets


def _manifest(staging: Path, year: MaskedYear, options: PackOptions, rows: dict[str, int],
              sheets: dict[str, int], fingerprint: str, audit: dict[str, Any]) -> dict[str, Any]:
    return {
        "reporting_year": year.year, "run_id": options.run_id, "code_version": options.code_version,
        "produced_at": year.produced_at.isoformat(), "partnership": options.partnership_name,
        "synthetic": options.synthetic, "content_sha256": fingerprint,
        "suppression": {"threshold": options.suppression_threshold, "marker": options.marker},
        "gate": year.gate,
        "disclosure_audit": audit,
        "source_files": year.sources.files,
        "reference_data": manifest_entries(year.tables.get("reference_data")),
        "files": [
            {"path": name, "sha256": sha256_of(staging / name), "rows": rows[name],
             **({"sheets": sheets} if name == workbook_name(year.year) else {})}
            for name in sorted(rows)
        ],
    }


def _first_per_file(findings: list, limit: int = 12) -> list:
    """A finding from every file first (the steward sees each file that leaks), then the rest."""
    first = list({f.file: f for f in reversed(findings)}.values())[::-1]
    return (first + [f for f in findings if f not in first])[:limit]


def _subtitle(partnership: str, year: str, gate: dict[str, Any], synthetic: bool) -> str:
    from exports.appendix import gate_status_text

    who = (f"Generated from synthetic demo data with {partnership}'s framework: not the "
           "partnership's figures" if synthetic else partnership)
    return f"{who}. Reporting year {year}; quality gate {gate_status_text(gate)}."


def _change_cells(headline: Any) -> tuple[Any, float | None, float | None]:
    """A headline's change on last year for the workbook: (change, last year's value, difference)."""
    before = next((p for p in headline.trend if p.label == headline.change.previous_year), None)
    last = before.value if before is not None else None
    now = headline.value.value
    return headline.change, last, (now - last if now is not None and last is not None else None)


DATA_LOG_SHEET = ("feed", "entity", "source_file", "status", "rows_read", "rows_loaded",
                  "rows_quarantined", "rows_skipped_footer", "columns_dropped", "message", "loaded_at")


def _data_log(load_audit: pd.DataFrame | None) -> pd.DataFrame | None:
    """Every file the warehouse took or refused, with the columns a reader of the pack needs."""
    if load_audit is None:
        return None
    return load_audit[[c for c in DATA_LOG_SHEET if c in load_audit.columns]]
