"""Hostile files under real limits, and the entries a landing folder should never have.

The zip bomb, the 250,000-line quoted field and a late NUL run in a child process under
`resource.setrlimit` (address space and CPU time): a read that held the expansion in memory, or a
quadratic scan, would be killed instead of refused. Each prints its peak memory and time
(tests/benchmarks/bench_hostile_files.py reports the same figures without pytest).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from steward_corpus import BUILDERS, JUNE

from ingest import PostcodeLookup, load_files

KEY = "test-key-0123456789abcdef"
LOOKUP = PostcodeLookup({}, "none")
ADDRESS_SPACE = 3 << 30  # the interpreter with DuckDB and Polars loaded reserves ~1.2 GiB of it
CPU_SECONDS = 60

CHILD = """
import json, resource, sys, time
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CPU, (int(sys.argv[4]), int(sys.argv[4])))
from pathlib import Path
import duckdb
from ingest import PostcodeLookup, load_files
started = time.monotonic()
con = duckdb.connect(sys.argv[1])
[report] = load_files(con, [Path(sys.argv[2])], feed="spend", key="test-key-0123456789abcdef",
                      lookup=PostcodeLookup({}, "none"))
stored = con.execute("SELECT count(*) FROM raw.spend__payments").fetchone()[0]
print(json.dumps({"status": report.status, "message": report.message, "stored": stored,
                  "seconds": round(time.monotonic() - started, 2),
                  "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def load_under_limits(path: Path, database: Path) -> dict:
    """Load one file in a child process under an address-space and CPU limit; its outcome and cost."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(database), str(path), str(ADDRESS_SPACE),
                           str(CPU_SECONDS)], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, f"the child died (limits hit?): {done.returncode}\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def build(name: str, folder: Path) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    BUILDERS[name](path)
    return path


@pytest.mark.parametrize("name, refusal", [
    ("zip_bomb.zip", r"would expand [\d,]+ times"),
    ("long_multiline_field.csv", r"longer than 1,000,000 characters|field larger than field limit"),
    ("late_nul.csv", r"NUL byte at line 250002"),
])
def test_hostile_file_refused_within_limits(name, refusal, tmp_path):
    import re

    path = build(name, tmp_path)
    outcome = load_under_limits(path, tmp_path / "w.duckdb")
    print(f"\n{name}: {path.stat().st_size / (1 << 20):.1f} MiB on disk, {outcome['seconds']} s, "
          f"peak {outcome['peak_rss_mib']} MiB resident")
    assert outcome["status"] == "refused" and re.search(refusal, outcome["message"]), outcome
    assert outcome["stored"] == 0  # the rows read before the problem were rolled back


def test_a_late_windows_byte_never_stops_the_batch(tmp_path):
    late = build("late_cp1252.csv", tmp_path)
    good = tmp_path / "occ-2024-04.csv"
    good.write_text(JUNE, encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    reports = load_files(con, [late, good], feed="spend", key=KEY, lookup=LOOKUP)
    assert [r.status for r in reports] == ["loaded", "loaded"]
    assert con.execute("SELECT count(*) FROM raw.spend__payments WHERE _source_file = 'occ-2024-04.csv'"
                       ).fetchone()[0] == 4


def test_non_regular_entries_are_refused_unread(tmp_path):
    """A symlink (here to a perfectly good file), a directory and a FIFO named like data: refused
    and recorded once, never followed or opened (a FIFO would block the load for ever)."""
    target = tmp_path / "elsewhere.csv"
    target.write_text(JUNE, encoding="utf-8")
    link, folder, fifo = tmp_path / "link.csv", tmp_path / "folder.csv", tmp_path / "pipe.csv"
    link.symlink_to(target)
    folder.mkdir()
    os.mkfifo(fifo)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for _ in range(2):  # offered twice: recorded once
        reports = load_files(con, [link, folder, fifo], feed="spend", key=KEY, lookup=LOOKUP)
        assert [r.status for r in reports] == ["refused"] * 3
    assert "symbolic link" in reports[0].message and "not a regular file" in reports[1].message
    audit = con.execute("SELECT source_file, status, file_sha256 FROM raw.load_audit ORDER BY 1").fetchall()
    assert audit == [("folder.csv", "refused", None), ("link.csv", "refused", None), ("pipe.csv", "refused", None)]
    assert con.execute("SELECT count(*) FROM raw.spend__payments").fetchone()[0] == 0


def _killed_while_reading(database: Path, path: Path) -> None:
    """A child process loads `path` into `database` and is killed mid-read (as a restart, a kill of the
    run or the kernel's OOM killer would): its reader announces it has started, then stands."""
    stall = ("import ingest.loader, sys, time\n"
             "def reading(*args):\n    print('reading', flush=True)\n    time.sleep(600)\n"
             "ingest.loader.read_tables = reading\n")
    child = subprocess.Popen([sys.executable, "-c", stall + CHILD, str(database), str(path), str(ADDRESS_SPACE),
                              "600"], cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "reading"
    child.send_signal(signal.SIGKILL)
    child.wait()


def _audit(con, name: str) -> list[tuple]:
    return con.execute("SELECT status, message FROM raw.load_audit WHERE source_file = ? ORDER BY loaded_at",
                       [name]).fetchall()


def test_a_load_that_died_is_read_once_more_and_reads_as_uninterrupted(tmp_path):
    """Most deaths are not the file's doing: the next load reads it again, and once it loads, the
    load audit (the pack's data log) holds no trace of the attempt that died."""
    big, database = tmp_path / "big.csv", tmp_path / "w.duckdb"
    big.write_text(JUNE, encoding="utf-8")
    _killed_while_reading(database, big)
    con = duckdb.connect(str(database))
    good = tmp_path / "occ-2024-04.csv"
    good.write_text(JUNE.replace("T4", "T5"), encoding="utf-8")
    assert load_files(con, [good], feed="spend", key=KEY, lookup=LOOKUP)[0].status == "loaded"
    [(status, message)] = _audit(con, "big.csv")
    assert status == "refused" and message.endswith("never finished (the process stopped while reading it: "
                                                    "killed, restarted or out of memory); it is read once more "
                                                    "by the next load")
    [again] = load_files(con, [big], feed="spend", key=KEY, lookup=LOOKUP)
    assert (again.status, again.rows_loaded) == ("loaded", 4), again.message
    assert [s for s, _ in _audit(con, "big.csv")] == ["loaded"]


def test_a_load_that_died_twice_is_refused_and_never_read_again(tmp_path):
    """A file that takes its load down twice (the OOM killer, every time) takes down no third run."""
    big, database = tmp_path / "big.csv", tmp_path / "w.duckdb"
    big.write_text(JUNE, encoding="utf-8")
    _killed_while_reading(database, big)
    _killed_while_reading(database, big)  # its load recovers the first death, then dies reading again
    con = duckdb.connect(str(database))
    good = tmp_path / "occ-2024-04.csv"
    good.write_text(JUNE.replace("T4", "T5"), encoding="utf-8")
    assert load_files(con, [good], feed="spend", key=KEY, lookup=LOOKUP)[0].status == "loaded"
    assert [m.rsplit(")", 1)[1] for _, m in _audit(con, "big.csv")] == [
        "; it is read once more by the next load",
        " twice; it is not read again. Check the file, then drop a corrected copy or run `impact ingest FILE --retry`"]
    rows_before = con.execute("SELECT count(*) FROM raw.load_audit").fetchone()[0]
    [again] = load_files(con, [big], feed="spend", key=KEY, lookup=LOOKUP)
    assert again.status == "refused" and "not read again" in again.message and "never finished" in again.message
    assert con.execute("SELECT count(*) FROM raw.load_audit").fetchone()[0] == rows_before  # not tried again
    [retried] = load_files(con, [big], feed="spend", key=KEY, lookup=LOOKUP, retry=True)
    assert (retried.status, retried.rows_loaded) == ("loaded", 4), retried.message
