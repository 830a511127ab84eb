"""Fingerprints and the landing index: a table's fingerprint moves with any change of its rows
and not with their order; a landing file is read again only when its size or mtime moved."""

from __future__ import annotations

import os
import shutil

import duckdb

from ingest.loader import with_declaration
from orchestration import run_state
from orchestration.fingerprints import table_fingerprint


def test_a_table_fingerprint_sees_every_change_and_ignores_order(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (2, 'b')) v(n, s)")
    first = table_fingerprint(con, "t")
    con.execute("CREATE TABLE u AS SELECT * FROM t ORDER BY n DESC")
    assert table_fingerprint(con, "u") == first
    con.execute("DELETE FROM t WHERE rowid = (SELECT max(rowid) FROM t)")  # one of two repeated rows
    assert table_fingerprint(con, "t") != first
    con.execute("INSERT INTO t VALUES (2, 'b')")
    assert table_fingerprint(con, "t") == first
    con.execute("UPDATE t SET s = 'c' WHERE n = 1")
    assert table_fingerprint(con, "t") != first


def test_a_floating_value_moves_the_fingerprint_only_beyond_the_noise_of_a_parallel_sum(tmp_path):
    """The same mean built twice, then its change since a baseline of 22 (the case that re-gated a
    closed year): a difference in the 14th digit is noise, one in the 7th is a change."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    fingerprints = []
    for mean in (22.32099116978606, 22.320991169787032, 22.320995):
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS mean, ? - 22.0 AS change", [mean, mean])
        fingerprints.append(table_fingerprint(con, "t"))
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


def test_a_landing_file_is_read_again_only_when_its_size_or_mtime_moved(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    path = tmp_path / "payments.csv"
    path.write_text("a,b\n1,2\n")
    [file], fresh = run_state.classify(con, {"spend": [path]})
    assert file.sha256 == run_state.sha256_of(path) and not file.settled and len(fresh) == 1
    run_state.remember(con, fresh)
    stat = path.stat()
    path.write_text("a,b\n3,4\n")  # same size, content changed, mtime put back: not read again
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    [again], fresh = run_state.classify(con, {"spend": [path]})
    assert again.sha256 == file.sha256 and fresh == []
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # touched: read again
    [touched], fresh = run_state.classify(con, {"spend": [path]})
    assert touched.sha256 == run_state.sha256_of(path) != file.sha256 and len(fresh) == 1


def _warehouse_and_a_file(tmp_path):
    """An empty warehouse with its raw schema, and a landing file with its content hash."""
    from ingest import ensure_raw_schema

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(con)
    path = tmp_path / "payments.csv"
    path.write_text("a\n")
    return con, path, run_state.sha256_of(path)


def test_a_file_is_settled_once_the_load_audit_has_its_content(tmp_path):
    con, path, sha = _warehouse_and_a_file(tmp_path)
    for status, settled in (("refused", True), ("loaded", True)):
        con.execute("DELETE FROM raw.load_audit")
        con.execute("INSERT INTO raw.load_audit (load_id, feed, source_file, file_sha256, status) "
                    "VALUES ('l1', 'spend', 'payments.csv', ?, ?)", [sha, status])
        [file], _ = run_state.classify(con, {"spend": [path]})
        assert file.settled is settled


def test_a_refusal_stands_only_under_the_rules_that_made_it(tmp_path):
    con, path, sha = _warehouse_and_a_file(tmp_path)
    con.execute("INSERT INTO raw.load_audit (load_id, feed, source_file, file_sha256, status, rules_version) "
                "VALUES ('l1', 'spend', 'payments.csv', ?, 'refused', 'rules-a')", [sha])
    [same], _ = run_state.classify(con, {"spend": [path]}, judged_under=lambda p: "rules-a")
    [changed], _ = run_state.classify(con, {"spend": [path]}, judged_under=lambda p: "rules-b")
    declared = with_declaration("rules-a", ["old.csv"])  # a declaration beside it: judged anew
    [new_declaration], _ = run_state.classify(con, {"spend": [path]}, judged_under=lambda p: declared)
    assert (same.settled, changed.settled, new_declaration.settled) == (True, False, False)
    # Refused under that declaration, it is not offered again until the declaration changes.
    con.execute("INSERT INTO raw.load_audit (load_id, feed, source_file, file_sha256, status, rules_version) "
                "VALUES ('l2', 'spend', 'payments.csv', ?, 'refused', ?)", [sha, declared])
    [again], _ = run_state.classify(con, {"spend": [path]}, judged_under=lambda p: declared)
    [other], _ = run_state.classify(con, {"spend": [path]},
                                    judged_under=lambda p: with_declaration("rules-a", ["older.csv"]))
    assert (again.settled, other.settled) == (True, False)
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    [entry], fresh = run_state.classify(con, {"spend": [link]})
    assert not entry.settled and entry.sha256 == "" and fresh == []  # never followed, never hashed


def test_stewards_read_areas_by_name():
    from orchestration.year_gate import name_areas

    names = {"E07000178": "Oxford", "E10000025": "Oxfordshire"}
    assert name_areas("PP02/district/E07000178; FE01/county/E10000025; E09999999",
                      names) == "PP02/district/Oxford (E07000178); FE01/county/Oxfordshire (E10000025); E09999999"


def test_a_gate_result_stands_only_under_the_code_that_gave_it(tmp_path, monkeypatch):
    """The gate's verdict comes from its suites and from the disclosure control and auditor its
    disclosure suite runs: a change to any of them gates the year again; the pack's writers do not."""
    from orchestration import fingerprints

    real, root = fingerprints.PROJECT_ROOT, tmp_path / "project"
    for part in ("expectations", "exports"):
        shutil.copytree(real / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprints, "PROJECT_ROOT", root)
    monkeypatch.setattr(fingerprints, "GATE_CODE", [root / p.relative_to(real) for p in fingerprints.GATE_CODE])
    monkeypatch.setattr(fingerprints, "GATE_CODE_FILES",
                        [root / p.relative_to(real) for p in fingerprints.GATE_CODE_FILES])
    con = duckdb.connect()

    def now() -> str:
        return fingerprints.gate_fingerprint(con, "2024-25", "2023-24", {"open": False})

    before = now()
    (root / "exports" / "pack.py").write_text("# the pack's writer changed\n", encoding="utf-8")
    assert now() == before
    for changed in (root / "exports" / "disclosure.py", root / "exports" / "audit" / "knowledge.py",
                    root / "expectations" / "suites" / "metrics.py"):
        changed.write_text(changed.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        assert now() != before
        before = now()
