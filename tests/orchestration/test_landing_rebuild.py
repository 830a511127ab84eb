"""The landing folder as the ingest reads it: every supported extension in any case, links refused,
arrival order (never name order), sidecar declarations, and a rebuild of an empty warehouse that
gives the same tables as the months of loads it replays, whatever the files are called."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from impact_cli import impact_paused_at, steward_env  # noqa: E402
from steward_corpus import OUTCOMES, PARTICIPANTS, pay, xlsx  # noqa: E402

from cli.main import main  # noqa: E402
from cli.status import status_report  # noqa: E402
from ingest.arrivals import LEDGER, write_sidecar  # noqa: E402
from orchestration.assets.ingest import ingest_reports  # noqa: E402
from orchestration.landing_scan import landing_files  # noqa: E402
from partnership.config import load_settings  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "ingest" / "corpus"
JUNE = pay((2, "T1", "£1200.00", "Acme Ltd"), (3, "T2", "£6500.00", "Stone Ltd"))
JUNE_FIXED = pay((2, "T1", "£1200.00", "Acme Ltd"), (3, "T2", "£650.00", "Stone Ltd"))
EXTRA = pay((20, "T9", "£1.00", "Acme Ltd"))
# (feed, role, content, declares-it-replaces role), in the order they arrive
ARRIVALS = [
    ("spend", "original", JUNE, None),
    ("spend", "correction", JUNE_FIXED, "original"),
    ("spend", "supplement", EXTRA, None),
    ("charter", "pledges", (CORPUS / "corrected_pledges_v1.csv").read_text(), None),
    ("charter", "pledges again", (CORPUS / "corrected_pledges_v2.csv").read_text(), None),
    ("programme", "outcomes", OUTCOMES, None),
    ("programme", "participants", PARTICIPANTS, None),
]
# Names that sort in arrival order, and names that sort the other way round.
NAMES = {
    "sorted": ["a1-june.csv", "a2-june-fixed.csv", "a3-june-extra.csv", "b1-pledges.csv", "b2-pledges.csv",
               "c1-outcomes.csv", "c2-participants.csv"],
    "reversed": ["z9-occ.csv", "z8-occ-correction.csv", "z7-occ-more.csv", "y9-charter.csv", "y8-charter.csv",
                 "x9-results.csv", "x8-enrolments.csv"],
}
VOLATILE = {"_load_id", "_loaded_at", "load_id", "loaded_at", "quarantined_at", "first_used_at"}


def settings_for(data_dir: Path, monkeypatch):
    monkeypatch.setenv("IMPACT_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    return load_settings(data_dir=data_dir)


def drop_one_by_one(settings, names: list[str]) -> None:
    """The steward's months: each file dropped (all with the same modification time) and taken."""
    roles = dict(zip([role for _, role, _, _ in ARRIVALS], names, strict=True))
    for (feed, _, content, replaces), name in zip(ARRIVALS, names, strict=True):
        path = settings.landing_dir / feed / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if replaces:
            write_sidecar(path, [roles[replaces]])
        path.write_text(content, encoding="utf-8")
        os.utime(path, (1_700_000_000, 1_700_000_000))
        [report] = ingest_reports(settings, feed, [path])
        assert report.status in ("loaded", "replaced"), report


def rebuild(settings) -> None:
    settings.warehouse_path.unlink()
    for feed in ("spend", "charter", "programme"):
        ingest_reports(settings, feed, landing_files(settings, feed))


def tables(settings, rename: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Every raw table, sorted, without load ids and times; file names mapped through `rename`."""
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    out = {}
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'").fetchall():
        columns = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' "
                                             "AND table_name = ? ORDER BY column_index", [table]).fetchall()
                   if c not in VOLATILE]
        rows = [repr(r) for r in con.execute(f'SELECT {", ".join(columns)} FROM raw."{table}"').fetchall()]
        for old, new in (rename or {}).items():
            rows = [r.replace(old, new) for r in rows]
        out[table] = sorted(rows)
    con.close()
    return out


def test_rebuild_gives_the_same_tables_whatever_the_file_names(tmp_path, monkeypatch):
    built = {}
    for order, names in NAMES.items():
        settings = settings_for(tmp_path / order, monkeypatch)
        drop_one_by_one(settings, names)
        months = tables(settings)
        rebuild(settings)
        assert tables(settings) == months, f"{order}: the rebuild differs from the loads it replays"
        built[order] = tables(settings, rename=dict(zip(names, NAMES["sorted"], strict=True)))
    assert built["reversed"] == built["sorted"]
    # And what the tables hold: the declared correction replaced June, the supplement stayed beside it
    # (an overlap), the first pledges stand, and outcomes met their participants whatever came first.
    con = duckdb.connect(str(settings_for(tmp_path / "reversed", monkeypatch).warehouse_path), read_only=True)
    assert con.execute("SELECT sum(amount_gbp)::VARCHAR FROM raw.spend__payments").fetchone() == ("1851.00",)
    assert con.execute("SELECT status FROM raw.charter__pledge_updates WHERE pledge_id = 'PL-301'"
                       ).fetchall() == [("in_progress",)]
    assert con.execute("SELECT count(*) FROM raw.programme__outcomes").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM raw.load_audit WHERE overlaps_with IS NOT NULL").fetchone() == (2,)


def test_landing_order_is_arrival_order_not_name_order(tmp_path, monkeypatch):
    settings = settings_for(tmp_path, monkeypatch)
    drop_one_by_one(settings, NAMES["reversed"])
    spend = [p.name for p in landing_files(settings, "spend")]
    assert spend == ["z9-occ.csv", "z8-occ-correction.csv", "z7-occ-more.csv"]
    assert (settings.landing_dir / "spend" / LEDGER).exists()


def test_every_supported_extension_in_any_case_and_links_refused(tmp_path, monkeypatch, capsys):
    settings = settings_for(tmp_path, monkeypatch)
    folder = settings.landing_dir / "spend"
    folder.mkdir(parents=True)
    (folder / "june.Csv").write_text(JUNE, encoding="utf-8")
    xlsx({"Payments": [line.split(",") for line in EXTRA.strip().splitlines()]}, folder / "extra.XLSX")
    (folder / "more.TXT").write_text(JUNE_FIXED.replace("T1", "T7").replace("T2", "T8"), encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (folder / "~$extra.xlsx").write_bytes(b"lock")
    (folder / "link.csv").symlink_to(CORPUS / "good_payments.csv")
    names = sorted(p.name for p in landing_files(settings, "spend"))
    assert names == ["extra.XLSX", "june.Csv", "link.csv", "more.TXT"]
    reports = {r.file: r for r in ingest_reports(settings, "spend", landing_files(settings, "spend"))}
    assert {n: r.status for n, r in reports.items()} == {
        "extra.XLSX": "loaded", "june.Csv": "loaded", "more.TXT": "loaded", "link.csv": "refused"}
    assert "symbolic link" in reports["link.csv"].message
    report = status_report(settings)
    assert "spend/notes.pdf" in report and "not a supported type" in report
    assert "spend/link.csv" in report and "REFUSED" in report and "symbolic link" in report
    assert "Overlaps" in report and "june.Csv" in report  # more.TXT / extra.XLSX overlap June


def june_loaded_beside_its_correction(tmp_path, monkeypatch):
    """June and its correction in the landing folder, June loaded with `impact ingest`."""
    settings = settings_for(tmp_path, monkeypatch)
    folder = settings.landing_dir / "spend"
    folder.mkdir(parents=True)
    (folder / "june.csv").write_text(JUNE, encoding="utf-8")
    (folder / "june-fixed.csv").write_text(JUNE_FIXED, encoding="utf-8")
    argv = ["--data-dir", str(settings.data_dir)]
    assert main(["ingest", str(folder / "june.csv"), *argv]) == 0
    return settings, folder, argv


def test_impact_ingest_replaces_writes_the_sidecar_a_rebuild_needs(tmp_path, monkeypatch, capsys):
    settings, folder, argv = june_loaded_beside_its_correction(tmp_path, monkeypatch)
    assert main(["ingest", str(folder / "june-fixed.csv"), "--replaces", "june.csv", *argv]) == 0
    out = capsys.readouterr().out
    assert "june-fixed.csv: replaced" in out and "replaces june.csv" in out
    assert (folder / "june-fixed.csv.replaces").read_text() == "june.csv\n"
    before = tables(settings)
    rebuild(settings)
    assert tables(settings) == before


def test_a_header_only_new_version_is_refused_until_confirmed(tmp_path, monkeypatch, capsys):
    settings = settings_for(tmp_path, monkeypatch)
    folder = settings.landing_dir / "spend"
    folder.mkdir(parents=True)
    june = folder / "june.csv"
    june.write_text(JUNE, encoding="utf-8")
    argv = ["--data-dir", str(settings.data_dir)]
    assert main(["ingest", str(june), *argv]) == 0
    june.write_text(JUNE.splitlines()[0] + "\n", encoding="utf-8")
    assert main(["ingest", str(june), *argv]) == 1
    assert "would remove 2 rows, £7,700.00" in capsys.readouterr().out
    assert main(["ingest", str(june), "--replaces", "june.csv", *argv]) == 0
    assert "june.csv: replaced" in capsys.readouterr().out


def test_a_mistyped_declaration_is_refused_once_and_read_again_when_corrected(tmp_path, monkeypatch, capsys):
    from orchestration.landing_scan import new_files

    settings, folder, argv = june_loaded_beside_its_correction(tmp_path, monkeypatch)
    assert main(["ingest", str(folder / "june-fixed.csv"), "--replaces", "jnue.csv", *argv]) == 1
    out = capsys.readouterr().out
    assert "june-fixed.csv: refused" in out and "no file named jnue.csv was ever loaded" in out
    assert "similar name: june.csv" in out
    before = tables(settings)
    assert len(before["spend__payments"]) == 2  # June counted once, as first loaded
    # The declaration stays beside the file: `impact run` does not read it again while it is unchanged ...
    assert [f.path.name for f in new_files(settings, ["spend"])] == []
    assert "no file named jnue.csv" in status_report(settings)
    # ... and reads it once it names the file it corrects.
    write_sidecar(folder / "june-fixed.csv", ["june.csv"])
    assert [f.path.name for f in new_files(settings, ["spend"])] == ["june-fixed.csv"]
    [report] = ingest_reports(settings, "spend", [folder / "june-fixed.csv"])
    assert (report.status, report.replaced_files) == ("replaced", ["june.csv"])
    corrected = tables(settings)
    assert sorted(corrected["spend__payments"]) != sorted(before["spend__payments"])
    rebuild(settings)  # the same rows from the folder (the refusal is history, not replayed)
    assert {t: rows for t, rows in tables(settings).items() if t != "load_audit"} == {
        t: rows for t, rows in corrected.items() if t != "load_audit"}


def test_files_ingested_from_outside_are_kept_in_the_landing_folder(tmp_path, monkeypatch, capsys):
    """`impact ingest ~/Downloads/x.csv`: the folder stays the record of every load, so a warehouse
    rebuilt from it has the same rows: a new file, a declared correction, and a new version whose
    name the folder already holds (kept under another name, declared to replace the first)."""
    from orchestration.landing_scan import new_files

    settings = settings_for(tmp_path, monkeypatch)
    outside = tmp_path / "downloads"
    outside.mkdir()
    argv = ["--data-dir", str(settings.data_dir)]
    (outside / "june.csv").write_text(JUNE, encoding="utf-8")
    assert main(["ingest", str(outside / "june.csv"), *argv]) == 0
    folder = settings.landing_dir / "spend"
    assert "kept in the landing folder as " + str(folder / "june.csv") in capsys.readouterr().out
    assert (folder / "june.csv").read_text(encoding="utf-8") == JUNE
    (outside / "june-fixed.csv").write_text(JUNE_FIXED, encoding="utf-8")
    assert main(["ingest", str(outside / "june-fixed.csv"), "--replaces", "june.csv", *argv]) == 0
    assert (folder / "june-fixed.csv.replaces").read_text() == "june.csv\n"
    # A new version of a loaded file, whose name the folder holds with the first version's content.
    may, may_fixed = pay(("03/05/2024", "M1", "£10.00", "Acme Ltd")), pay(("03/05/2024", "M1", "£12.00", "Acme Ltd"))
    (outside / "may.csv").write_text(may, encoding="utf-8")
    assert main(["ingest", str(outside / "may.csv"), *argv]) == 0
    (outside / "may.csv").write_text(may_fixed, encoding="utf-8")
    assert main(["ingest", str(outside / "may.csv"), *argv]) == 0
    out = capsys.readouterr().out
    assert "may.csv: replaced" in out
    [kept] = folder.glob("may-*.csv")
    assert f"kept in the landing folder as {kept}" in out and kept.read_text(encoding="utf-8") == may_fixed
    assert (folder / "may.csv").read_text(encoding="utf-8") == may  # the first version is not overwritten
    assert kept.with_name(kept.name + ".replaces").read_text() == "may.csv\n"
    loaded = tables(settings)["spend__payments"]
    assert new_files(settings, ["spend"]) == []  # every copy is known as loaded: impact run reads none again
    assert main(["ingest", str(outside / "may.csv"), *argv]) == 0  # the same bytes again: a duplicate
    assert "duplicate" in capsys.readouterr().out and len(list(folder.glob("*.csv"))) == 4
    rebuild(settings)
    assert tables(settings, rename={kept.name: "may.csv"})["spend__payments"] == loaded


@pytest.fixture(autouse=True)
def _no_demo_marker(monkeypatch):
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)


def _ingest_killed_before_its_copy(data_dir: Path, *args: str) -> None:
    """`impact ingest ARGS` SIGKILLed once its load is committed, before the copy into the folder."""
    child = impact_paused_at("ingest-copy", data_dir, "ingest", *args, env=steward_env(key="test-key-0123456789abcdef"),
                             timeout=300)
    os.killpg(child.pid, signal.SIGKILL)
    child.communicate(timeout=60)


def test_a_load_killed_before_its_copy_is_kept_when_the_file_is_offered_again(tmp_path, monkeypatch, capsys):
    """`impact ingest ~/Downloads/x.csv` killed between the load's commit and the copy: the rows are in
    the warehouse, the folder has no copy. Offering the file again is a duplicate, and makes the
    copy (with what its load replaced), so a rebuild from the folder still has every row; a copy
    the steward removed from the folder since is not made again."""
    settings = settings_for(tmp_path, monkeypatch)
    outside = tmp_path / "downloads"
    outside.mkdir()
    folder = settings.landing_dir / "spend"
    argv = ["--data-dir", str(settings.data_dir)]
    (outside / "june.csv").write_text(JUNE, encoding="utf-8")
    _ingest_killed_before_its_copy(settings.data_dir, str(outside / "june.csv"))
    (outside / "june-fixed.csv").write_text(JUNE_FIXED, encoding="utf-8")
    _ingest_killed_before_its_copy(settings.data_dir, str(outside / "june-fixed.csv"), "--replaces", "june.csv")
    loaded = tables(settings)["spend__payments"]
    assert [r for r in loaded if "6500" in r] == [] and not list(folder.glob("*.csv"))  # loaded, never copied

    for name in ("june.csv", "june-fixed.csv"):
        assert main(["ingest", str(outside / name), *argv]) == 0
        out = capsys.readouterr().out
        assert f"{name}: duplicate" in out
        assert (f"kept in the landing folder as {folder / name} (an earlier `impact ingest` loaded it and "
                "stopped before copying it)") in out
    assert (folder / "june-fixed.csv.replaces").read_text() == "june.csv\n"  # what its load replaced
    rebuild(settings)
    assert tables(settings)["spend__payments"] == loaded

    (folder / "june.csv").unlink()  # the steward takes the first version out of the folder
    assert main(["ingest", str(outside / "june.csv"), *argv]) == 0
    assert "kept in the landing folder" not in capsys.readouterr().out
    assert not (folder / "june.csv").exists()
