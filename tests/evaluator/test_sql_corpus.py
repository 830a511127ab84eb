"""`impact sql` meets every kind of statement with a result or one line: a refusal before DuckDB
runs anything, or DuckDB's own error. Never a traceback, never a crash, never a change: the
snapshot keeps its bytes and no file appears anywhere (tests/evaluator/sql_corpus.py)."""

from __future__ import annotations

import hashlib
import os

import pytest
from sql_corpus import ERRORS, REFUSED, RESULTS

from cli.sql_session import run_isolated, run_sql
from partnership.config import load_settings

pytestmark = pytest.mark.e2e
CORPUS = [(s, "result") for s in RESULTS] + [(s, "refused") for s in REFUSED] + [(s, "error") for s in ERRORS]


@pytest.fixture(scope="module")
def query_settings(demo_dir):
    return load_settings(data_dir=demo_dir)


def test_the_corpus_has_statements_of_every_kind():
    assert len(CORPUS) >= 60 and len(REFUSED) >= 40 and len(RESULTS) >= 30


def test_every_statement_gets_a_result_or_one_line(query_settings, snapshot_path, tmp_path, capfd):
    before = hashlib.sha256(snapshot_path.read_bytes()).hexdigest()
    wrong = []
    for statement, expected in CORPUS:
        code = run_sql(query_settings, statement.replace("{tmp}", str(tmp_path)))
        out, err = capfd.readouterr()
        lines = err.strip().splitlines()
        if "Traceback" in out + err or code not in (0, 1):
            wrong.append(f"{statement!r}: exit {code}, {err[-300:]!r}")
        elif expected == "result" and (code != 0 or not out.strip() or err):
            wrong.append(f"{statement!r}: expected a result, got exit {code}, {err!r}")
        elif expected != "result" and (code != 1 or len(lines) != 1 or not lines[0].startswith("impact sql: ")):
            wrong.append(f"{statement!r}: expected one line, got exit {code}, {err!r}")
        elif expected == "refused" and not lines[0].startswith("impact sql: refused: "):
            wrong.append(f"{statement!r}: expected a refusal, got {lines[0]!r}")
        elif expected == "error" and "refused" in lines[0]:
            wrong.append(f"{statement!r}: expected DuckDB's error, got {lines[0]!r}")
    assert not wrong, "\n".join(wrong)
    assert hashlib.sha256(snapshot_path.read_bytes()).hexdigest() == before
    assert list(tmp_path.iterdir()) == []


def test_nothing_of_a_refused_input_runs(query_settings, capfd):
    code = run_sql(query_settings, "SELECT 'first' AS ran; CREATE TEMP TABLE t AS SELECT 1")
    out, err = capfd.readouterr()
    assert code == 1 and out == "" and "statement 2 of 2: CREATE" in err


def test_the_logging_call_that_aborted_the_process_is_refused_in_one_line(demo_dir, tmp_path):
    from impact_cli import impact

    done = impact("sql", "--data-dir", str(demo_dir),
                  f"CALL enable_logging(storage='file', storage_path='{tmp_path}/log.csv')")
    assert done.returncode == 1, (done.returncode, done.stderr)  # was 134 (abort)
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("impact sql: refused: ")
    assert list(tmp_path.iterdir()) == []


def test_a_crash_inside_the_query_process_leaves_the_cli_standing(capfd):
    assert run_isolated(os.abort, deadline_seconds=30, timed_out="timed out") == 1
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "ended abnormally (SIGABRT)" in err
