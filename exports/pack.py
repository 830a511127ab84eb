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

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from exports.appendix import appendix, gate_summary
from exports.audit import Register, audit_pack
from exports.datapackage import check_package, describe
from exports.disclosure import masked_breakdowns, masked_metrics, masked_toc
from exports.reference_data import manifest_entries, reference_appendix, report_rows
from exports.report import build_report, write_report
from exports.sources import YearSources, year_sources
from exports.workbook import WorkbookContent, write_workbook

REVISION = re.compile(r"^r(\d{3,})$")
DATA_LOG_COLUMNS = ("feed", "file", "contributes", "rows_in_year", "sha256", "rows_loaded",
                    "rows_rejected", "loaded_at")
SYNTHETIC_TITLE = "SYNTHETIC DEMO DATA"


class PackError(RuntimeError):
    """The pack cannot be written; the message says why."""


@dataclass(frozen=True)
class PackResult:
    reporting_year: str
    revision: str
    folder: Path
    files: tuple[Path, ...]  # every file of the revision, manifest.json included
    gate_status: str
    manifest: dict[str, Any]
    new_revision: bool = True  # false: the latest revision already held this content


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
    before_publish: Callable[[Path], None] | None = None,
) -> PackResult:
    """`synthetic` marks a pack made from demo data: its title, every page and every sheet say so."""
    produced_at = datetime.now(UTC).replace(microsecond=0)
    tables, sources = read_snapshot(Path(snapshot_path), reporting_year)
    gate = gate_summary(tables.get("gate_results"))
    if gate["status"] in ("failed", "error"):
        raise PackError(f"the gate for {reporting_year} has status {gate['status']}: no pack")
    catalogue = tables["catalogue"]
    published = masked_metrics(
        tables["metrics"], catalogue, threshold=suppression_threshold, marker=marker
    )
    toc = masked_toc(tables["toc"], published, marker=marker)
    trend = masked_metrics(  # every year up to this one, for the report's trends
        tables["metrics_all_years"], catalogue, threshold=suppression_threshold, marker=marker)
    breakdowns = masked_breakdowns(tables["breakdowns"], tables["metrics"], catalogue,
                                   threshold=suppression_threshold, marker=marker)
    names = catalogue[["metric_id", "name", "family"]]
    title = (f"{SYNTHETIC_TITLE}: {partnership_name} impact pack {reporting_year}" if synthetic
             else f"{partnership_name}: impact pack {reporting_year}")
    details = appendix(partnership=partnership_name, year=reporting_year, produced_at=produced_at,
                       run_id=run_id, code_version=code_version, gate=gate,
                       load_audit=tables.get("load_audit"), sources=sources,
                       threshold=suppression_threshold, marker=marker, synthetic=synthetic)
    register = Register(Path(exports_dir), marker=marker)
    earlier = register.facts()
    year_dir = Path(exports_dir) / reporting_year
    csvs = {
        "metrics.csv": published.drop(columns="suppression"),
        "toc_indicators.csv": toc,
        "metric_breakdowns.csv": breakdowns.drop(columns="suppression", errors="ignore"),
        "definitions.csv": catalogue,
        "data_log.csv": pd.DataFrame(sources.files, columns=list(DATA_LOG_COLUMNS)).astype(
            {"rows_in_year": "Int64", "rows_loaded": "Int64", "rows_rejected": "Int64"}),
    }
    content_sha256 = _content_sha256(csvs, details, trend, gate)
    if (latest := _latest_revision(year_dir)) and latest[1].get("content_sha256") == content_sha256:
        return PackResult(reporting_year, latest[0].name, latest[0], tuple(sorted(latest[0].iterdir())),
                          latest[1].get("gate", {}).get("status", gate["status"]), latest[1], new_revision=False)
    year_dir.mkdir(parents=True, exist_ok=True)
    staging = year_dir / f".partial-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        rows: dict[str, int] = {}
        for filename, frame in csvs.items():
            if frame.columns.empty or (filename == "metric_breakdowns.csv" and frame.empty):
                continue  # e.g. no ToC indicators or breakdowns in this snapshot: no file
            frame.to_csv(staging / filename, index=False, encoding="utf-8")
            rows[filename] = len(frame)
        package = describe(staging, title=title, year=reporting_year, marker=marker)
        (staging / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
        rows["datapackage.json"] = len(package["resources"])
        check_package(staging / "datapackage.json")
        content = build_report(
            title=title.replace("impact pack", "impact report"),
            subtitle=_subtitle(partnership_name, reporting_year, gate, synthetic),
            reporting_year=reporting_year, gate_status=gate["status"], synthetic=synthetic,
            appendix=details, reference_data=report_rows(tables.get("reference_data")), metrics=published, trend=trend,
            toc=toc, breakdowns=breakdowns, catalogue=catalogue, marker=marker, produced_at=produced_at)
        workbook = f"impact-pack-{reporting_year}.xlsx"
        units = catalogue.set_index("metric_id")["unit"]
        sheets = write_workbook(
            staging / workbook,
            WorkbookContent(
                title=title,
                notice=content.notice,
                summary=content.summary,
                metrics=published.merge(names, on="metric_id", how="left"),
                changes={h.metric_id: _change_cells(h) for h in content.headlines},
                toc=toc.assign(unit=toc["metric_id"].map(units)) if "metric_id" in toc.columns else toc,
                breakdowns=breakdowns,
                catalogue=catalogue,
                load_audit=_data_log(tables.get("load_audit")),
                appendix=details,
                marker=marker,
                reference=tables.get("reference_data"),
            ),
        )
        rows[workbook] = sum(sheets.values())
        rows.update(write_report(staging, content))
        audit = audit_pack(staging, threshold=suppression_threshold, marker=marker, earlier=earlier)
        if not audit.passed:
            raise PackError(f"the disclosure audit of the {reporting_year} pack failed, nothing was "
                            f"published ({len(audit.findings)} findings): " + "; ".join(
                                str(f) for f in _first_per_file(audit.findings)))
        manifest = {
            "reporting_year": reporting_year, "run_id": run_id, "code_version": code_version,
            "produced_at": produced_at.isoformat(), "partnership": partnership_name,
            "synthetic": synthetic, "content_sha256": content_sha256,
            "suppression": {"threshold": suppression_threshold, "marker": marker},
            "gate": gate,
            "disclosure_audit": audit.summary() | {"earlier_values_checked": len(earlier)},
            "source_files": sources.files,
            "reference_data": manifest_entries(tables.get("reference_data")),
            "files": [
                {"path": name, "sha256": _sha256(staging / name), "rows": rows[name],
                 **({"sheets": sheets} if name == workbook else {})}
                for name in sorted(rows)
            ],
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        if before_publish is not None:
            before_publish(staging)
        final = _rename_into_place(staging, year_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    register.record(final)
    files = tuple(sorted(final.iterdir()))
    return PackResult(reporting_year, final.name, final, files, gate["status"], manifest)


_VOLATILE_COVER = ("Produced", "Run id", "Code version", "Quality gate")  # the gate verdict is in `gate`
_VOLATILE_GATE = ("run_id", "validated_at")


def _content_sha256(csvs: dict[str, pd.DataFrame], cover: list[tuple[str, Any]], trend: pd.DataFrame,
                    gate: dict[str, Any]) -> str:
    """What the pack says, without when or by which run it was produced: rows in a fixed order and
    numbers to 12 significant digits (a rebuild of the same rows may return them in another order,
    and differ in a parallel sum's last bits)."""
    def stable(frame: pd.DataFrame) -> bytes:
        text = frame.map(lambda v: f"{v:.12g}" if isinstance(v, float) else str(v))
        return text.sort_values(list(text.columns)).to_csv(index=False).encode() if len(text.columns) else b""

    digest = hashlib.sha256()
    for name, frame in sorted(csvs.items()):
        digest.update(name.encode() + stable(frame))
    digest.update(stable(trend))
    stable_cover = [(label, value) for label, value in cover if label not in _VOLATILE_COVER]
    stable_gate = {k: v for k, v in gate.items() if k not in _VOLATILE_GATE}
    digest.update(json.dumps([stable_cover, stable_gate], default=str, sort_keys=True).encode())
    return digest.hexdigest()


def _latest_revision(year_dir: Path) -> tuple[Path, dict[str, Any]] | None:
    revisions = sorted((int(m.group(1)), p) for p in year_dir.glob("r*")
                       if (m := REVISION.match(p.name)) and (p / "manifest.json").is_file()) \
        if year_dir.is_dir() else []
    if not revisions:
        return None
    folder = revisions[-1][1]
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


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


def _rename_into_place(staging: Path, year_dir: Path) -> Path:
    """Take the next free revision; a concurrent writer taking it first costs one retry."""
    for _ in range(100):
        taken = [int(m.group(1)) for p in year_dir.iterdir() if (m := REVISION.match(p.name))]
        final = year_dir / f"r{max(taken, default=0) + 1:03d}"
        try:
            os.rename(staging, final)  # never onto an existing revision: those are non-empty
            return final
        except OSError:
            if not final.exists():
                raise
    raise PackError(f"no free revision under {year_dir}")


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0])


def read_snapshot(snapshot_path: Path, year: str) -> tuple[dict[str, pd.DataFrame], YearSources]:
    """The year's tables from the snapshot (optional tables absent from it are simply left out),
    and what fed the year."""
    if not snapshot_path.is_file():
        raise PackError(f"no published snapshot at {snapshot_path}")
    with duckdb.connect(str(snapshot_path), read_only=True) as con:
        for schema, table in (("marts", "metrics"), ("marts", "metric_catalogue")):
            if not _table_exists(con, schema, table):
                raise PackError(f"the snapshot {snapshot_path} has no {schema}.{table}")
        tables = {
            "metrics": con.execute(
                "select * from marts.metrics where reporting_year = ?", [year]).df(),
            "metrics_all_years": con.execute(
                "select * from marts.metrics where reporting_year <= ? order by reporting_year",
                [year]).df(),
            "catalogue": con.sql("select * from marts.metric_catalogue order by metric_id").df(),
            "toc": con.execute(
                "select * from marts.toc_indicators where reporting_year = ? order by indicator_id",
                [year]).df() if _table_exists(con, "marts", "toc_indicators") else pd.DataFrame(),
            "breakdowns": con.execute(
                "select * from marts.metric_breakdowns where reporting_year = ? "
                "order by metric_id, breakdown, sort_order", [year]).df()
            if _table_exists(con, "marts", "metric_breakdowns") else pd.DataFrame(),
        }

        if _table_exists(con, "gate", "results"):
            tables["gate_results"] = con.execute(
                "select * from gate.results where reporting_year = ? and run_id = ("
                " select run_id from gate.results where reporting_year = ?"
                " order by validated_at desc limit 1)", [year, year]).df()
        if _table_exists(con, "lineage", "load_audit"):
            tables["load_audit"] = con.sql("select * from lineage.load_audit order by loaded_at").df()
        tables["reference_data"] = reference_appendix(con)
        sources = year_sources(con, year)
    if tables["metrics"].empty:
        raise PackError(f"the snapshot has no metrics for {year}")
    return tables, sources


DATA_LOG_SHEET = ("feed", "entity", "source_file", "status", "rows_read", "rows_loaded",
                  "rows_quarantined", "rows_skipped_footer", "columns_dropped", "message", "loaded_at")


def _data_log(load_audit: pd.DataFrame | None) -> pd.DataFrame | None:
    """Every file the warehouse took or refused, with the columns a reader of the pack needs."""
    if load_audit is None:
        return None
    return load_audit[[c for c in DATA_LOG_SHEET if c in load_audit.columns]]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
