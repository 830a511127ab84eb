"""A small data directory as a steward's would look: real loads, one of them old, gate results for two
years, two pack revisions, a published snapshot and one landing run in the Dagster run history."""

from __future__ import annotations

import json
from pathlib import Path

from ingest import PostcodeLookup, load_files
from partnership.config import Settings
from partnership.warehouse import write_connection
from publication.snapshot import build_snapshot

CORPUS = Path(__file__).resolve().parents[1] / "ingest" / "corpus"
FILES = {"spend": "good_payments.csv", "charter": "baseline_pledge_updates.csv"}
CHARTER_AGE_DAYS = 200  # charter cadence 92 + grace 7: late


def _gate_rows(run_id: str, year: str, failed_errors: int, validated_at: str) -> list[tuple]:
    rows = [(run_id, year, "completeness", "rows exist", "error", True, "1", "1", "", validated_at)]
    rows += [(run_id, year, "disclosure", f"check {i}", "error", False, "x", "y", "FE01", validated_at)
             for i in range(failed_errors)]
    rows.append((run_id, year, "year_on_year", "moves < 50%", "warning", False, "60", "50", "PP01", validated_at))
    return rows


def build(settings: Settings) -> None:
    for feed, name in FILES.items():
        target = settings.landing_dir / feed / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((CORPUS / name).read_bytes())
    (settings.landing_dir / "spend" / "arrived-today.csv").write_bytes(b"not yet loaded\n")
    (settings.landing_dir / "spend" / "copy-of-good.csv").write_bytes((CORPUS / FILES["spend"]).read_bytes())
    with write_connection(settings) as con:
        for feed, name in FILES.items():
            [report] = load_files(con, [settings.landing_dir / feed / name], feed=feed,
                                  key=settings.pseudonymisation_key(), lookup=PostcodeLookup({}, "test"))
            assert report.status == "loaded", report
        truncated = settings.landing_dir / "spend" / "truncated.csv"
        truncated.write_bytes((CORPUS / "truncated_in_quotes.csv").read_bytes())
        [refused] = load_files(con, [truncated], feed="spend", key=settings.pseudonymisation_key(),
                               lookup=PostcodeLookup({}, "test"))
        assert refused.status == "refused", refused
        con.execute(f"UPDATE raw.load_audit SET loaded_at = loaded_at - INTERVAL {CHARTER_AGE_DAYS} DAY "
                    "WHERE feed = 'charter'")
        con.execute("CREATE SCHEMA gate")
        con.execute("""CREATE TABLE gate.results (run_id VARCHAR, reporting_year VARCHAR, suite VARCHAR,
                       expectation VARCHAR, severity VARCHAR, passed BOOLEAN, observed VARCHAR,
                       expected VARCHAR, concerns VARCHAR, validated_at TIMESTAMP)""")
        rows = (_gate_rows("run-a", "2023-24", 0, "2025-05-01 09:00")
                + _gate_rows("run-b", "2024-25", 0, "2025-06-01 09:00")
                + _gate_rows("run-c", "2024-25", 2, "2025-06-02 09:00"))  # the latest for 2024-25 failed
        con.executemany("INSERT INTO gate.results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    build_snapshot(settings.warehouse_path, settings.published_path, "run-b")
    for year, revisions in (("2023-24", ["r001"]), ("2024-25", ["r001", "r002"])):
        for revision in revisions:
            folder = settings.exports_dir / year / revision
            folder.mkdir(parents=True)
            manifest = {"reporting_year": year, "produced_at": f"2025-06-0{revision[-1]}T10:00:00+00:00",
                        "gate": {"status": "warned"}}
            (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
