"""The disclosure auditor on small packs with one leak planted in each: it fails the publication and
names the file and the cell. The planted leaks are the classes found in the published demo: a
withheld row whose note counts people, a mean gap from a quintile of 3, a withheld base that a
shown rate times a shown count gives back, and a withheld value that last year's published pack
(or an earlier revision) gives back."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest
from pack_snapshot import YEAR, build_snapshot

import exports.pack as pack_module
from exports.audit import Register, audit_pack
from exports.pack import PackError, write_pack

COUNTY, CHERWELL, OXFORD, SOUTH = "E10000025", "E07000177", "E07000178", "E07000179"
NAMES = {COUNTY: "Oxfordshire", CHERWELL: "Cherwell", OXFORD: "Oxford", SOUTH: "South Oxfordshire"}
DEFINITIONS = [  # metric_id, unit, family, is_person_count
    ("FE01", "count", "employment", True), ("FE03", "count", "employment", True),
    ("FE04", "ratio", "employment", False), ("FE05", "pct", "employment", False),
    ("FE07", "pct", "employment", False), ("IN01", "mean", "inequality", False),
]
COLUMNS = ["metric_id", "reporting_year", "geography_level", "geography_code", "geography_name", "value",
           "numerator", "denominator", "n", "ci_low", "ci_high", "unit", "direction", "no_data_reason",
           "notes"]
UNITS = {m: u for m, u, *_ in DEFINITIONS}


def row(metric: str, code: str, value: object, *, year: str = YEAR, numerator: object = "",
        denominator: object = "", n: object = "", notes: str = "") -> dict[str, object]:
    return {"metric_id": metric, "reporting_year": year,
            "geography_level": "county" if code == COUNTY else "district", "geography_code": code,
            "geography_name": NAMES[code], "value": value, "numerator": numerator,
            "denominator": denominator, "n": n, "ci_low": "", "ci_high": "", "unit": UNITS[metric],
            "direction": "up", "no_data_reason": "", "notes": notes}


def clean(year: str = YEAR) -> list[dict[str, object]]:
    """A correctly masked pack: Cherwell's 7 participants withheld, Oxford withheld with it."""
    return [
        row("FE01", COUNTY, 100, n=100, year=year), row("FE01", CHERWELL, "[c]", n="[c]", year=year),
        row("FE01", OXFORD, "[c]", n="[c]", year=year), row("FE01", SOUTH, 70, n=70, year=year),
        row("FE03", COUNTY, 60, n=60, year=year), row("FE03", CHERWELL, 12, n=12, year=year),
        row("FE03", OXFORD, 18, n=18, year=year), row("FE03", SOUTH, 30, n=30, year=year),
    ]


def write(folder: Path, rows: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "definitions.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["metric_id", "unit", "family", "is_person_count"])
        out.writerows(DEFINITIONS)
    with (folder / "metrics.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=COLUMNS)
        out.writeheader()
        out.writerows(rows)
    return folder


def csv_row(folder: Path, metric: str, code: str) -> int:
    """The line of metrics.csv holding (metric, code), header = line 1."""
    with (folder / "metrics.csv").open(encoding="utf-8", newline="") as f:
        return next(i for i, r in enumerate(csv.DictReader(f), start=2)
                    if r["metric_id"] == metric and r["geography_code"] == code)


def findings(folder: Path, **kwargs) -> list:
    report = audit_pack(folder, **kwargs)
    return report.findings


def test_a_correctly_masked_pack_passes(tmp_path: Path):
    report = audit_pack(write(tmp_path / "pack", clean()))
    assert report.passed, report.findings
    assert report.withheld == 4 and report.worked_out == 0


def test_a_withheld_row_whose_note_counts_people_fails(tmp_path: Path):
    folder = write(tmp_path / "pack", clean() + [
        row("FE05", COUNTY, 40.0, numerator=20, denominator=50, n=50,
            notes="10 job starts too recent to have reached 26 weeks are left out"),
        row("FE05", OXFORD, "[c]", numerator="[c]", denominator="[c]", n="[c]",
            notes="3 job starts too recent to have reached 26 weeks are left out"),
    ])
    [finding] = [f for f in findings(folder) if f.rule == "withheld row with numbers in its notes"]
    assert (finding.file, finding.cell) == ("metrics.csv", f"row {csv_row(folder, 'FE05', OXFORD)}, column notes")
    assert "3 job starts too recent" in finding.detail


def test_a_note_counting_few_people_below_county_fails(tmp_path: Path):
    folder = write(tmp_path / "pack", clean() + [
        row("FE07", SOUTH, 80.0, numerator=20, denominator=25, n=25,
            notes="UK Real Living Wage; 4 job starts without reported pay are left out"),
    ])
    rules = {(f.rule, f.cell) for f in findings(folder)}
    line = csv_row(folder, "FE07", SOUTH)
    assert ("small count of people in a note", f"row {line}, column notes") in rules
    # and 20 paid the RLW of 25 with pay reported: 5 paid below it, worked out from the cells
    assert any(rule == "small count of people" and "column denominator" in cell for rule, cell in rules)


def test_a_gap_from_a_quintile_of_three_fails(tmp_path: Path):
    folder = write(tmp_path / "pack", clean() + [
        row("IN01", COUNTY, 0.4, n=93),
        row("IN01", CHERWELL, 0.4, n=12,
            notes="quintile 5 (least deprived) mean 7.5 (n=40) minus quintile 1 (most deprived) mean 7.1 (n=3)"),
        row("IN01", OXFORD, 0.2, n=3),  # n is the smaller quintile: a mean of 3 responses
    ])
    found = {(f.rule, f.file, f.cell) for f in findings(folder)}
    assert ("figure on a small base", "metrics.csv", f"row {csv_row(folder, 'IN01', CHERWELL)}, column notes") in found
    assert ("figure on a small base", "metrics.csv", f"row {csv_row(folder, 'IN01', OXFORD)}, column value") in found


def test_a_withheld_base_given_back_by_a_rate_times_a_count_fails(tmp_path: Path):
    """FE01 Cherwell (7 participants) is withheld, but FE04 shows Cherwell's 12 job starts per 100
    participants as 171.43: 100 x 12 / 171.43 = 7."""
    rows = clean() + [
        row("FE04", COUNTY, 60.0, numerator=60, denominator=100, n=100),
        row("FE04", CHERWELL, 171.428571, numerator=12, denominator="[c]", n="[c]"),
    ]
    folder = write(tmp_path / "pack", rows)
    cell = f"row {csv_row(folder, 'FE01', CHERWELL)}, column value"
    [finding] = [f for f in findings(folder) if f.rule == "small count of people" and f.cell == cell]
    assert finding.file == "metrics.csv" and "is 7 (withheld, but worked out from" in finding.detail
    assert f"row {csv_row(folder, 'FE04', CHERWELL)}, column value" in finding.detail
    assert audit_pack(write(tmp_path / "masked", clean() + [
        row("FE04", COUNTY, 60.0, numerator=60, denominator=100, n=100),
        row("FE04", CHERWELL, "[c]", numerator="[c]", denominator="[c]", n="[c]")])).passed


def test_a_value_given_back_by_last_years_pack_and_a_change_fails(tmp_path: Path):
    """Last year's pack showed Cherwell's 12; this year's withholds Cherwell but its workbook gives
    the change on last year (-5): 12 - 5 = 7."""
    exports = tmp_path / "exports"
    last_year = clean("2023-24")
    last_year[1] = row("FE01", CHERWELL, 12, n=12, year="2023-24")
    last_year[2] = row("FE01", OXFORD, 18, n=18, year="2023-24")
    write(exports / "2023-24" / "r001", last_year)
    folder = write(exports / YEAR / ".partial-new", clean())
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Employment"
    sheet.append(["Metric", "Area", "Value", "Change on last year"])
    sheet.append(["FE01", "Cherwell", "[c]", -5])
    book.save(folder / "impact-pack.xlsx")
    assert audit_pack(folder).passed  # on its own the pack gives nothing away
    earlier = Register(exports).facts()
    cell = f"row {csv_row(folder, 'FE01', CHERWELL)}, column value"
    [finding] = [f for f in findings(folder, earlier=earlier) if f.rule == "small count of people"
                 and f.cell == cell]
    assert finding.file == "metrics.csv" and "is 7 (withheld, but worked out from" in finding.detail
    assert "impact-pack.xlsx Employment!D2" in finding.detail and "2023-24/r001/metrics.csv" in finding.detail


def test_a_value_given_back_by_an_earlier_revision_fails(tmp_path: Path):
    """r001 showed Oxford's 23 before Cherwell's count fell to 7; r002 withholds both, but
    100 - 70 - 23 (from r001) = 7."""
    exports = tmp_path / "exports"
    earlier = clean()
    earlier[1] = row("FE01", CHERWELL, 12, n=12)
    earlier[2] = row("FE01", OXFORD, 23, n=23)
    earlier[0] = row("FE01", COUNTY, 105, n=105)
    write(exports / YEAR / "r001", earlier)
    folder = write(exports / YEAR / ".partial-new", clean())
    register = Register(exports)
    assert not register.path.exists()
    facts = register.facts()  # r001 is not in the register yet: read from its files, then kept
    assert register.path.exists() and any(f.where.file == f"{YEAR}/r001/metrics.csv" for f in facts)
    cell = f"row {csv_row(folder, 'FE01', CHERWELL)}, column value"
    [finding] = [f for f in findings(folder, earlier=facts) if f.rule == "small count of people"
                 and f.cell == cell]
    assert finding.file == "metrics.csv" and f"{YEAR}/r001/metrics.csv" in finding.detail


def test_write_pack_refuses_a_pack_the_masking_let_leak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With the masking switched off, the audit inside write_pack fails the publication, names the
    file and cell, and leaves no revision behind."""
    def unmasked(metrics, catalogue, *, threshold=10, marker="[c]"):
        return metrics.assign(suppression=None)

    monkeypatch.setattr(pack_module, "masked_metrics", unmasked)
    snapshot = build_snapshot(tmp_path / "published.duckdb")
    exports = tmp_path / "exports"
    with pytest.raises(PackError) as failed:
        write_pack(snapshot, YEAR, exports, partnership_name="OIEP", run_id="run-1", code_version="abc")
    message = str(failed.value)
    assert "disclosure audit" in message and "metrics.csv row" in message and "small count of people" in message
    assert "impact-pack-2024-25.xlsx Employment!" in message  # the workbook cell is named too
    assert [p.name for p in (exports / YEAR).iterdir()] == []  # no revision, no staging left
    assert not (exports / "published_register.csv").exists()


def test_packs_are_registered_and_checked_against_each_other(tmp_path: Path):
    snapshot = build_snapshot(tmp_path / "published.duckdb")
    exports = tmp_path / "exports"
    first = write_pack(snapshot, YEAR, exports, partnership_name="OIEP", run_id="r1", code_version="a")
    # a second revision needs new content (the same content writes no new revision): a new cover
    second = write_pack(snapshot, YEAR, exports, partnership_name="OIEP (revised)", run_id="r2", code_version="a")
    assert second.new_revision
    packs = {r["pack"] for r in csv.DictReader((exports / "published_register.csv").open(encoding="utf-8"))}
    assert packs == {f"{YEAR}/r001", f"{YEAR}/r002"}
    assert second.manifest["disclosure_audit"]["passed"] is True
    assert second.manifest["disclosure_audit"]["earlier_values_checked"] > 0
    assert first.manifest["disclosure_audit"]["earlier_values_checked"] == 0
    shutil.rmtree(first.folder)  # the register does not depend on the folders being kept
    assert any(f.where.file.startswith(f"{YEAR}/r001/") for f in Register(exports).facts())


def test_the_register_records_what_the_audit_read_and_a_fresh_read_agrees(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    """write_pack records the numbers its audit read from the staged files (not a second read of
    the published folder); the register reads a folder it lacks without its PDF (texts, no facts)."""
    import exports.audit.readers as readers

    snapshot = build_snapshot(tmp_path / "published.duckdb")
    exports = tmp_path / "exports"
    pdfs_read = []
    read_pdf = readers.read_pdf
    monkeypatch.setattr(readers, "read_pdf", lambda pack, path: (pdfs_read.append(path.name), read_pdf(pack, path)))
    written = write_pack(snapshot, YEAR, exports, partnership_name="OIEP", run_id="r1", code_version="a")
    assert pdfs_read == [f"impact-report-{YEAR}.pdf"]  # once, by the audit
    with (exports / "published_register.csv").open(encoding="utf-8", newline="") as f:
        recorded = list(csv.DictReader(f))
    assert len(recorded) > 100 and {r["pack"] for r in recorded} == {f"{YEAR}/r001"}
    (exports / "published_register.csv").unlink()  # read again from the folder itself
    register = Register(exports)
    reread = [(f.key, f.value, f.where.file) for f in register.facts()]
    assert reread == [((r["reporting_year"], r["metric_id"], r["geography_code"], r["part"]), float(r["value"]),
                       f"{YEAR}/r001/{r['file']}") for r in recorded]
    assert pdfs_read == [f"impact-report-{YEAR}.pdf"] and written.folder.is_dir()


def test_relations_take_the_assumptions_the_notes_state(tmp_path: Path):
    """WB06 = WB05's mean x pairs x the duration the notes give (0.5 years here): 1.9375 x 16 x 0.5
    = 15.5, so the 16 pairs are not mistaken for 8."""
    definitions = DEFINITIONS + [("WB05", "mean", "wellbeing", False), ("WB06", "wellby", "wellbeing", False)]
    UNITS.update({"WB05": "mean", "WB06": "wellby"})
    rows = clean() + [
        row("WB05", COUNTY, 1.9375),  # its n not shown: only the relation gives it
        row("WB06", COUNTY, 15.5, n="", notes="WELLBYs = mean paired change in life satisfaction x pairs (n) x "
                                              "0.5 year(s) assumed duration; gross change"),
    ]
    folder = write(tmp_path / "pack", rows)
    with (folder / "definitions.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["metric_id", "unit", "family", "is_person_count"], *definitions])
    assert audit_pack(folder).passed
    rows[-1]["notes"] = rows[-1]["notes"].replace("0.5 year", "1 year")  # then n would be 8
    write(folder, rows)
    with (folder / "definitions.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["metric_id", "unit", "family", "is_person_count"], *definitions])
    assert any(f.rule == "figure on a small base" for f in audit_pack(folder).findings)


def test_the_pdf_may_show_only_what_the_html_report_shows(tmp_path: Path):
    from weasyprint import HTML

    folder = write(tmp_path / "pack", clean())
    (folder / "impact-report.html").write_text(
        "<html><body><table><tr><td>Mean</td><td>7.38</td><td>£87k</td></tr></table></body></html>",
        encoding="utf-8")
    HTML(string='<p style="width: 40mm; font-size: 10pt">Mean 7.38 (-£87<br>k) and 1,234</p>').write_pdf(
        folder / "impact-report.pdf")
    [finding] = findings(folder)
    assert (finding.file, finding.cell, finding.rule) == (
        "impact-report.pdf", "page 1", "PDF shows a number the HTML report does not")
    assert finding.detail.startswith("1,234")
