"""A load stopped by Ctrl-C or a stop signal is not the file's fault.

`impact run` stopped with Ctrl-C while it read a file used to record the file as refused ("could not
be read (DagsterExecutionInterruptedError)"), carry on, and succeed without it; every later run then
said "nothing new" and the month was missing from the figures. Now an interrupt stops the load and
the run, records nothing against the file (not even a death: two Ctrl-Cs do not refuse it for good),
and the next load reads it. A Rust panic inside Polars, a BaseException too, is still the file's.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster._core.errors import DagsterExecutionInterruptedError
from impact_cli import steward_env
from polars.exceptions import PanicException
from steward_corpus import JUNE

import ingest.loader
from ingest import PostcodeLookup, load_files

KEY = "test-key-0123456789abcdef"
LOOKUP = PostcodeLookup({}, "none")
ROOT = Path(__file__).resolve().parents[2]
STALLED_READER = """
import sys, time
from pathlib import Path
import ingest.loader
real = ingest.loader.read_tables
def reading(path, *args, **kwargs):
    if path.name == "june.csv":
        Path(sys.argv[2]).write_text("reading")
        time.sleep(600)
    return real(path, *args, **kwargs)
ingest.loader.read_tables = reading
"""
LOADER = STALLED_READER + """
import duckdb
from ingest import PostcodeLookup, load_files
con = duckdb.connect(sys.argv[1])
load_files(con, [Path(sys.argv[3])], feed="spend", key="test-key-0123456789abcdef", lookup=PostcodeLookup({}, "none"))
"""
RUN = STALLED_READER + """
from cli.main import main
sys.exit(main(["run", "--data-dir", sys.argv[1]]))
"""


def _interrupted(script: str, *args: Path) -> subprocess.CompletedProcess:
    """`script` in a child process, sent SIGINT (Ctrl-C) once its reader has started on june.csv."""
    signal_file = args[1]
    signal_file.unlink(missing_ok=True)
    child = subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=steward_env(key=KEY))
    deadline = time.monotonic() + 300
    while not signal_file.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the reader never started"
        time.sleep(0.1)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def _audit(con) -> list[tuple]:
    return con.execute("SELECT source_file, status FROM raw.load_audit ORDER BY ALL").fetchall()


def test_two_ctrl_cs_while_a_file_is_read_record_nothing_and_the_next_load_loads_it(tmp_path):
    june, database = tmp_path / "june.csv", tmp_path / "w.duckdb"
    june.write_text(JUNE, encoding="utf-8")
    for _ in range(2):  # two deaths would refuse it for good: an interrupt is not one
        stopped = _interrupted(LOADER, database, tmp_path / "reading", june)
        assert stopped.returncode != 0 and "KeyboardInterrupt" in stopped.stderr
        with duckdb.connect(str(database)) as con:
            assert _audit(con) == []  # no 'loading' row left, no refusal recorded
    with duckdb.connect(str(database)) as con:
        [report] = load_files(con, [june], feed="spend", key=KEY, lookup=LOOKUP)
        assert (report.status, report.rows_loaded) == ("loaded", 4), report.message
        assert _audit(con) == [("june.csv", "loaded")]


@pytest.mark.parametrize("stop", [DagsterExecutionInterruptedError, KeyboardInterrupt, SystemExit])
def test_a_stop_raised_inside_the_read_propagates_and_leaves_the_file_unjudged(tmp_path, monkeypatch, stop):
    june = tmp_path / "june.csv"
    june.write_text(JUNE, encoding="utf-8")

    def stopped(*args, **kwargs):
        raise stop()

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with monkeypatch.context() as patch:
        patch.setattr(ingest.loader, "read_tables", stopped)
        with pytest.raises(stop):
            load_files(con, [june], feed="spend", key=KEY, lookup=LOOKUP)
    assert _audit(con) == []
    [report] = load_files(con, [june], feed="spend", key=KEY, lookup=LOOKUP)
    assert report.status == "loaded", report.message


def test_a_rust_panic_while_reading_is_still_the_files_refusal(tmp_path, monkeypatch):
    june = tmp_path / "june.csv"
    june.write_text(JUNE, encoding="utf-8")

    def panics(*args, **kwargs):
        raise PanicException("index out of bounds")

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    monkeypatch.setattr(ingest.loader, "read_tables", panics)
    [report] = load_files(con, [june], feed="spend", key=KEY, lookup=LOOKUP)
    assert report.status == "refused" and "could not be read (PanicException)" in report.message
    assert _audit(con) == [("june.csv", "refused")]


@pytest.mark.e2e
def test_impact_run_stopped_with_ctrl_c_while_reading_fails_and_the_next_run_loads_the_file(tmp_path):
    data_dir = tmp_path / "data"
    spend = data_dir / "landing" / "spend"
    spend.mkdir(parents=True)
    (spend / "april.csv").write_text(JUNE.replace(",T", ",A"), encoding="utf-8")  # read before june.csv
    (spend / "june.csv").write_text(JUNE, encoding="utf-8")
    stopped = _interrupted(RUN, data_dir, tmp_path / "reading")
    assert stopped.returncode == 130, stopped.stdout + stopped.stderr
    assert stopped.stderr.startswith("impact run: interrupted (Ctrl-C or a stop signal) in "), stopped.stderr
    assert "REFUSED" not in stopped.stdout and "dbt" not in stopped.stdout  # it stopped there
    again = subprocess.run([sys.executable, "-m", "cli.main", "run", "--data-dir", str(data_dir)], cwd=ROOT,
                           capture_output=True, text=True, env=steward_env(key=KEY), timeout=1800)
    # (Its gate then fails: two files of one council are no year's coverage. The load is what counts.)
    assert "  landing   1 new file (spend 1); 1 already loaded" in again.stdout, again.stdout
    assert "  ingest    spend: 1 file loaded, 4 rows (0 quarantined)" in again.stdout, again.stdout
    with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
        assert _audit(con) == [("april.csv", "loaded"), ("june.csv", "loaded")]
        assert con.execute("SELECT count(*) FROM raw.spend__payments").fetchone()[0] == 8
