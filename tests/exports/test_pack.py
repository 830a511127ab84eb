"""The pack written from a hand-made snapshot, read back with openpyxl, csv and json."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pack_snapshot import PERSON_METRICS, YEAR, build_snapshot

import exports.pack as pack
from exports.datapackage import InvalidPackage, UndescribedColumn, check_package, describe
from exports.pack import PackError, write_pack

SETTINGS = dict(partnership_name="Oxfordshire Inclusive Economy Partnership", run_id="run-1",
                code_version="abc123")


def revisions(exports_dir: Path) -> list[str]:
    year_dir = exports_dir / YEAR
    return sorted(p.name for p in year_dir.iterdir()) if year_dir.exists() else []


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_pack_workbook_has_sheets_formats_colours_and_markers(snapshot: Path, tmp_path: Path):
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    assert result.revision == "r001" and result.gate_status == "warned"
    book = openpyxl.load_workbook(result.folder / f"impact-pack-{YEAR}.xlsx")

    assert book.sheetnames == ["Summary", "Headline metrics", "Theory of Change", "Employment",
                               "Procurement", "Wellbeing", "Charter breakdowns", "Definitions", "Data log",
                               "About this pack"]
    about = "\n".join(str(c.value) for row in book["About this pack"].iter_rows() for c in row if c.value)
    for text in (YEAR, "run-1", "Oxfordshire Inclusive Economy Partnership", "passed with 1 warning",
                 "year-on-year change is at most 50%", "[c]", "spend: 1 files loaded", "Reference data"):
        assert text in about
    summary = "\n".join(str(c.value) for row in book["Summary"].iter_rows() for c in row if c.value)
    assert "What improved" in summary and "Cannot be said" in summary and "SYNTHETIC" not in summary

    headline = {r[0].value: r for r in book["Headline metrics"].iter_rows(min_row=2)}
    assert headline["PP01"][2].number_format == "£#,##0" and headline["PP01"][2].value == 1234567
    assert headline["PP02"][2].number_format == "0.0%"
    assert headline["PP02"][2].value == pytest.approx(0.44)
    assert headline["WB01"][2].number_format == "0.00" and headline["WB01"][3].value == pytest.approx(7.1)
    assert book["Headline metrics"].freeze_panes == "A2"

    employment = {(r[0].value, r[2].value): r[3].value
                  for r in book["Employment"].iter_rows(min_row=2)}
    assert employment[("FE01", "Oxford")] == "[c]"
    assert employment[("FE01", "South Oxfordshire")] == "[c]"  # secondary: 100 - 0 - 77 = 23
    assert employment[("FE01", "Cherwell")] == 0  # a true zero is shown
    assert employment[("FE01", "Oxfordshire")] == 100

    toc = book["Theory of Change"]
    assert [c.value for c in toc[1]][:3] == ["Indicator", "Working group", "Level"]
    fills = {r[0].value: (r[13].value, r[13].fill.fgColor.rgb) for r in toc.iter_rows(min_row=2)}
    assert fills["T1"] == ("On track", "FFC6EFCE") and fills["T2"] == ("Not improving", "FFFFC7CE")
    assert fills["T3"][1] == "FFFFEB9C" and fills["T4"] == ("No data", "FFD9D9D9")
    assert {r[1].value for r in toc.iter_rows(min_row=2)} >= {"Inclusive employment", "Place-based working"}
    assert toc.freeze_panes == "A2"
    assert book["Data log"]["A1"].value == "Feed" and book["Data log"]["C2"].value == "spend/county-2024-q1.csv"
    assert book["Definitions"].max_row == 7
    for sheet in book.worksheets:  # printed one page wide, on A4 landscape
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0


def test_csvs_and_manifest_match_the_files(snapshot: Path, tmp_path: Path):
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    metrics = read_csv(result.folder / "metrics.csv")
    assert len(metrics) == 30
    oxford = [r for r in metrics if r["metric_id"] == "FE01" and r["geography_name"] == "Oxford"]
    assert oxford[0]["value"] == "[c]"
    assert len(read_csv(result.folder / "toc_indicators.csv")) == 4
    assert len(read_csv(result.folder / "definitions.csv")) == 6

    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reporting_year"] == YEAR and manifest["run_id"] == "run-1"
    assert manifest["code_version"] == "abc123"
    assert manifest["gate"]["status"] == "warned" and manifest["gate"]["run_id"] == "new"
    # only the file with payments dated in the year fed it; the 2023-24 file did not
    assert manifest["source_files"] == [{
        "feed": "spend", "file": "spend/county-2024-q1.csv", "contributes": "payments in 2024-25",
        "rows_in_year": 2, "sha256": "ab12", "rows_loaded": 990, "rows_rejected": 10,
        "loaded_at": manifest["source_files"][0]["loaded_at"]}]
    assert read_csv(result.folder / "data_log.csv")[0]["rows_in_year"] == "2"
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == {p.name for p in result.files} - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256((result.folder / name).read_bytes()).hexdigest()
    assert listed["metrics.csv"]["rows"] == 30
    assert listed[f"impact-pack-{YEAR}.xlsx"]["sheets"]["Employment"] == 10


def test_no_small_person_count_below_county_in_any_cell(snapshot: Path, tmp_path: Path):
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)

    def small(cell) -> bool:
        try:
            return 1 <= float(cell) <= 9
        except (TypeError, ValueError):
            return False

    for row in read_csv(result.folder / "metrics.csv"):
        if row["metric_id"] in PERSON_METRICS and row["geography_level"] != "county":
            assert not any(small(row[c]) for c in ("value", "numerator", "n")), row
    book = openpyxl.load_workbook(result.folder / f"impact-pack-{YEAR}.xlsx")
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        if not {"Metric", "Level", "Value"} <= set(header):
            continue
        for row in sheet.iter_rows(min_row=2, values_only=True):
            record = dict(zip(header, row, strict=False))
            if record["Metric"] in PERSON_METRICS and record["Level"] != "county":
                assert not any(small(record[c]) for c in ("Value", "Numerator", "n")), record


def test_second_write_makes_a_new_revision_only_when_the_content_changed(snapshot: Path, tmp_path: Path):
    exports_dir = tmp_path / "exports"
    first = write_pack(snapshot, YEAR, exports_dir, **SETTINGS)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    same = write_pack(snapshot, YEAR, exports_dir, **{**SETTINGS, "run_id": "run-2"})
    assert (same.revision, same.new_revision, same.folder) == ("r001", False, first.folder)
    assert revisions(exports_dir) == ["r001"]
    changed = write_pack(snapshot, YEAR, exports_dir, **{**SETTINGS, "run_id": "run-3", "partnership_name": "X"})
    assert (first.revision, changed.revision, changed.new_revision) == ("r001", "r002", True)
    assert revisions(exports_dir) == ["r001", "r002"]
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before


def test_failure_mid_write_leaves_no_new_folder(snapshot: Path, tmp_path: Path, monkeypatch):
    exports_dir = tmp_path / "exports"
    write_pack(snapshot, YEAR, exports_dir, **SETTINGS)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pack, "write_workbook", broken)
    with pytest.raises(OSError, match="disk full"):
        write_pack(snapshot, YEAR, exports_dir, **{**SETTINGS, "partnership_name": "changed"})
    assert revisions(exports_dir) == ["r001"]  # no r002, no .partial-* left behind


def test_snapshot_with_only_the_metrics_tables(tmp_path: Path):
    snapshot = build_snapshot(tmp_path / "published.duckdb", with_optional=False)
    before = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    assert result.gate_status == "not recorded"
    book = openpyxl.load_workbook(result.folder / f"impact-pack-{YEAR}.xlsx")
    assert "No load audit" in book["Data log"]["A1"].value
    assert book["Theory of Change"].max_row == 1
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == before  # opened read-only


def test_a_failed_gate_writes_no_pack(tmp_path: Path):
    snapshot = build_snapshot(tmp_path / "published.duckdb", gate_failed=True)
    with pytest.raises(PackError, match="failed"):
        write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    assert revisions(tmp_path / "exports") == []


def test_a_year_without_metrics_is_refused(snapshot: Path, tmp_path: Path):
    with pytest.raises(PackError, match="no metrics for 2030-31"):
        write_pack(snapshot, "2030-31", tmp_path / "exports", **SETTINGS)


def test_datapackage_describes_every_column_and_frictionless_validates_it(snapshot: Path, tmp_path: Path):
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    package = json.loads((result.folder / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {
        "metrics.csv", "toc_indicators.csv", "definitions.csv", "data_log.csv"}
    for resource in package["resources"]:
        with (result.folder / resource["path"]).open(encoding="utf-8") as f:
            header = next(csv.reader(f))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert all(f["type"] and f["description"] for f in fields)
        assert "[c]" in resource["schema"]["missingValues"]
    cli = Path(sys.executable).with_name("frictionless")
    run = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=result.folder,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VALID" in run.stdout.upper() and "INVALID" not in run.stdout.upper()


def test_a_csv_that_breaks_its_schema_fails_validation(snapshot: Path, tmp_path: Path):
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    metrics = result.folder / "metrics.csv"
    lines = metrics.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[5] = "about seven"  # value must be a number or the marker
    lines[1] = ",".join(cells)
    metrics.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidPackage, match="row 2, column value"):
        check_package(result.folder / "datapackage.json")


def test_an_undescribed_column_is_refused(tmp_path: Path):
    (tmp_path / "metrics.csv").write_text("metric_id,secret_column\nPP01,1\n", encoding="utf-8")
    with pytest.raises(UndescribedColumn, match="secret_column"):
        describe(tmp_path, title="t", year=YEAR, marker="[c]")


def test_gate_observations_do_not_quote_values_into_the_pack(snapshot: Path, tmp_path: Path):
    """The gate quotes the year-on-year changes it flagged ([210.0]); next to last year's published
    figure such a change would give back a withheld cell, so no file of the pack carries it."""
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    manifest = (result.folder / "manifest.json").read_text(encoding="utf-8")
    assert "1 of 6 rows unexpected" in manifest and "210.0" not in manifest
    about = openpyxl.load_workbook(result.folder / f"impact-pack-{YEAR}.xlsx")["About this pack"]
    text = " ".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    assert "year-on-year" in text and "210.0" not in text


def test_a_pack_with_one_theme_and_no_data_rows_elsewhere(snapshot: Path, tmp_path: Path):
    """A partnership collecting spend only: every other metric is a no-data row with a reason, its
    indicators grey. The pack still reads: the reason is given where a figure would be."""
    import duckdb

    with duckdb.connect(str(snapshot)) as con:
        con.execute("update marts.metrics set value = null, numerator = null, denominator = null, n = null, "
                    "ci_low = null, ci_high = null, no_data_reason = 'programme feed not collected' "
                    "where metric_id not like 'PP%'")
        con.execute("update marts.toc_indicators set actual = null, rag_status = 'grey', "
                    "data_quality = 'no data: programme feed not collected' where metric_id not like 'PP%'")
    result = write_pack(snapshot, YEAR, tmp_path / "exports", **SETTINGS)
    assert result.manifest["disclosure_audit"]["passed"]
    from pypdf import PdfReader

    first = PdfReader(result.folder / f"impact-report-{YEAR}.pdf").pages[0].extract_text()
    assert "Enrolled: no figure for 2024-25 (programme feed not collected)." in first
    assert "Cannot be said: Enrolled, Deciles 1-2 and Wellbeing (no data" in first
    rows = {r["metric_id"]: r for r in read_csv(result.folder / "metrics.csv")
            if r["geography_level"] == "county"}
    assert rows["FE01"]["value"] == "" and rows["FE01"]["no_data_reason"] == "programme feed not collected"


def test_the_cover_gives_the_reporting_year_as_configured_not_always_april_to_march():
    from exports.appendix import reporting_period

    assert reporting_period("2024-25", 4) == "UK financial year, 1 April 2024 to 31 March 2025"
    assert reporting_period("2024-25", 9) == "1 September 2024 to 31 August 2025"
    assert reporting_period("2025", 1) == "1 January 2025 to 31 December 2025"
