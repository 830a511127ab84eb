"""Write the steering group's pack for one reporting year from the published snapshot.

The snapshot is opened read-only. Everything is written into a hidden temporary folder beside
the revisions and renamed into place as `exports/<year>/rNNN` in one step: a failure leaves no
partial revision, and a re-run adds a revision without touching the earlier ones. A re-run whose
content (tables, cover, gate verdict; not the time or run id) is that of the latest revision writes
nothing and returns that revision (`new_revision` false): a revision changes only with its content.
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

from exports.datapackage import check_package, describe
from exports.disclosure import masked_metrics, masked_toc
from exports.reference_data import manifest_entries, reference_appendix
from exports.report import build_report, write_report
from exports.sources import YearSources, year_sources
from exports.workbook import WorkbookContent, write_workbook

REVISION = re.compile(r"^r(\d{3,})$")
DATA_LOG_COLUMNS = ("feed", "file", "contributes", "rows_in_year", "sha256", "rows_loaded",
                    "rows_rejected", "loaded_at")


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
    before_publish: Callable[[Path], None] | None = None,
) -> PackResult:
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
    names = catalogue[["metric_id", "name", "family"]]
    year_dir = Path(exports_dir) / reporting_year
    csvs = {
        "metrics.csv": published.drop(columns="suppression"),
        "toc_indicators.csv": toc,
        "definitions.csv": catalogue,
        "data_log.csv": pd.DataFrame(sources.files, columns=list(DATA_LOG_COLUMNS)).astype(
            {"rows_in_year": "Int64", "rows_loaded": "Int64", "rows_rejected": "Int64"}),
    }
    cover = _cover(partnership_name, reporting_year, produced_at, run_id, code_version,
                   gate, tables.get("load_audit"), sources, suppression_threshold, marker)
    content = _content_sha256(csvs, cover, trend, gate)
    if (latest := _latest_revision(year_dir)) and latest[1].get("content_sha256") == content:
        return PackResult(reporting_year, latest[0].name, latest[0], tuple(sorted(latest[0].iterdir())),
                          latest[1].get("gate", {}).get("status", gate["status"]), latest[1], new_revision=False)
    year_dir.mkdir(parents=True, exist_ok=True)
    staging = year_dir / f".partial-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        rows: dict[str, int] = {}
        for filename, frame in csvs.items():
            if frame.columns.empty:  # e.g. no ToC indicators in this snapshot: no file
                continue
            frame.to_csv(staging / filename, index=False, encoding="utf-8")
            rows[filename] = len(frame)
        title = f"{partnership_name}: impact pack {reporting_year}"
        package = describe(staging, title=title, year=reporting_year, marker=marker)
        (staging / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
        rows["datapackage.json"] = len(package["resources"])
        check_package(staging / "datapackage.json")
        workbook = f"impact-pack-{reporting_year}.xlsx"
        sheets = write_workbook(
            staging / workbook,
            WorkbookContent(
                title=title,
                cover=cover,
                metrics=published.merge(names, on="metric_id", how="left"),
                toc=toc,
                catalogue=catalogue,
                load_audit=_data_log(tables.get("load_audit")),
                marker=marker,
                reference=tables.get("reference_data"),
            ),
        )
        rows[workbook] = sum(sheets.values())
        rows.update(write_report(staging, build_report(
            title=f"{partnership_name}: impact report {reporting_year}",
            reporting_year=reporting_year, gate_status=gate["status"], cover=cover,
            metrics=published, trend=trend, toc=toc, catalogue=catalogue, marker=marker,
            produced_at=produced_at)))
        manifest = {
            "reporting_year": reporting_year, "run_id": run_id, "code_version": code_version,
            "produced_at": produced_at.isoformat(), "partnership": partnership_name,
            "content_sha256": content,
            "suppression": {"threshold": suppression_threshold, "marker": marker},
            "gate": gate,
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
    files = tuple(sorted(final.iterdir()))
    return PackResult(reporting_year, final.name, final, files, gate["status"], manifest)


_VOLATILE_COVER = ("Produced at", "Run id", "Quality gate")  # the gate verdict is in `gate`
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


def gate_summary(results: pd.DataFrame | None) -> dict[str, Any]:
    if results is None or results.empty:
        return {"status": "not recorded", "run_id": None, "expectations": 0, "failures": [],
                "warnings": []}
    failed = results[~results["passed"].astype(bool)]

    def lines(severity: str) -> list[str]:
        picked = failed[failed["severity"] == severity]
        return [f"{r.suite}: {r.expectation} (observed {_gist(r.observed)}; concerns {_short(r.concerns) or '-'})"
                for r in picked.itertuples()]

    failures, warnings = lines("error"), lines("warning")
    status = "failed" if failures else "warned" if warnings else "passed"
    return {"status": status, "run_id": str(results["run_id"].iloc[0]),
            "validated_at": str(results["validated_at"].max()),
            "expectations": len(results), "failures": failures, "warnings": warnings}


def _cover(partnership: str, year: str, produced_at: datetime, run_id: str, code_version: str,
           gate: dict[str, Any], load_audit: pd.DataFrame | None, year_sources: YearSources,
           threshold: int, marker: str) -> list[tuple[str, Any]]:
    files: list[str] = ["no load audit in this snapshot"]
    if load_audit is not None and not load_audit.empty:
        files = [
            f"{feed}: {int((g['status'] != 'refused').sum())} files loaded, "
            f"{int((g['status'] == 'refused').sum())} refused, "
            f"{int(g['rows_loaded'].fillna(0).sum()):,} rows loaded, "
            f"{int(g['rows_quarantined'].fillna(0).sum()):,} rows rejected"
            for feed, g in load_audit.groupby("feed")
        ]
    return [
        ("Partnership", partnership),
        ("Reporting year", f"{year} (UK financial year, April to March)"),
        ("Produced at", produced_at.isoformat()),
        ("Run id", run_id),
        ("Code version", code_version),
        ("Quality gate", f"{gate['status']} (gate run {gate.get('run_id') or '-'}, "
                         f"{gate['expectations']} expectations)"),
        ("Gate warnings", gate["warnings"] or ["none"]),
        ("Coverage of the year", year_sources.coverage or ["no dated facts in this snapshot"]),
        ("Source files", files),
        ("Suppression", f"Counts of people from 1 to {threshold - 1} below county level, and "
                        f"percentages or means based on fewer than {threshold}, are shown as "
                        f"{marker}. Further cells are shown as {marker} where a suppressed cell "
                        "could otherwise be worked out from the county total. True zeros are "
                        "shown; money totals are not suppressed."),
    ]


DATA_LOG_SHEET = ("feed", "entity", "source_file", "status", "rows_read", "rows_loaded",
                  "rows_quarantined", "rows_skipped_footer", "columns_dropped", "message", "loaded_at")


def _data_log(load_audit: pd.DataFrame | None) -> pd.DataFrame | None:
    """Every file the warehouse took or refused, with the columns a reader of the pack needs."""
    if load_audit is None:
        return None
    return load_audit[[c for c in DATA_LOG_SHEET if c in load_audit.columns]]


def _gist(observed: object) -> str:
    """How many rows failed, without the values the gate quotes ("26 of 136 rows unexpected:
    [96.8, ...]"): those may be year-on-year changes of cells the pack withholds, and with last
    year's published figure would give them back. The full observation stays in the gate's own
    results for the steward."""
    return _short(re.split(r":\s*\[", _short(observed, 10_000), maxsplit=1)[0])


def _short(text: object, limit: int = 160) -> str:
    """Gate observations can list hundreds of values; the cover needs the gist."""
    text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,") + "…"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
