"""A reader's check that the snapshot it sees is one whole publication: every table's row count
against the publication record the snapshot carries (publication/lineage.py writes it). Used by
the tests of readers during runs, crashed runs and monthly runs; the product itself never needs it."""

from __future__ import annotations

import json

import duckdb


def check_consistent(con: duckdb.DuckDBPyConnection) -> str:
    """The run id of the publication a connection sees, after checking every table's row count
    against the publication record (raises AssertionError on any mismatch)."""
    [(run_id, row_counts)] = con.execute("SELECT run_id, row_counts FROM lineage.publication").fetchall()
    expected = json.loads(row_counts)
    recorded = dict(con.execute(
        "SELECT table_name, row_count FROM lineage.publication_tables WHERE run_id = ?", [run_id]).fetchall())
    if recorded != expected:
        raise AssertionError(f"publication {run_id}: publication_tables disagrees with row_counts")
    for name, count in expected.items():
        actual = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if actual != count:
            raise AssertionError(f"publication {run_id}: {name} has {actual} rows, recorded {count}")
    return run_id
