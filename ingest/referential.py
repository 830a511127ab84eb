"""Programme referential checks, whatever order the files arrive in.

An outcome belongs to a participant its provider enrolled, on or after the enrolment date. Providers
send participants and outcomes in different sheets, files and quarters, so the check cannot be a
verdict at the moment an outcome arrives. Instead, after every programme load (inside its
transaction) the whole rule is re-applied:

- an outcome that fails it moves to `raw.programme__outcomes_held` and gets a quarantine row
  (file, row, column participant_ref, reason); dbt never reads the held table;
- a held outcome that now passes (its participant arrived, or was corrected) moves back;
- the load audit's rows_loaded / rows_quarantined of the files concerned follow.

So the warehouse after loading a set of files is the same in any arrival order.
"""

from __future__ import annotations

import datetime as dt

import duckdb

HELD = "programme__outcomes_held"
_COLUMN = "participant_ref"
_FAILS = """CASE WHEN p.participant_key IS NULL
                THEN 'participant not enrolled: no participants return of this provider names them'
                WHEN o.outcome_on < p.enrolled_on
                THEN 'dated before the participant enrolled (' || strftime(p.enrolled_on, '%Y-%m-%d') || ')'
           END"""
_JOIN = """LEFT JOIN raw.programme__participants p
             ON p.provider = o.provider AND p.participant_key = o.participant_key"""


def ensure_held_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS raw.{HELD} AS "
                "SELECT *, NULL::VARCHAR AS held_reason FROM raw.programme__outcomes WHERE false")


def recheck_outcomes(con: duckdb.DuckDBPyConnection, at: dt.datetime) -> None:
    """Re-apply the rule to every outcome, stored or held (see the module docstring)."""
    ensure_held_table(con)
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
        "AND table_name = 'programme__outcomes' ORDER BY ordinal_position").fetchall()]
    listed = ", ".join(f'o."{c}"' for c in columns)
    # Every held outcome is judged again (its reason may change: a participant arrived, but later).
    con.execute(f"CREATE OR REPLACE TEMP TABLE _judged AS SELECT {listed}, {_FAILS} AS held_reason "
                f"FROM (SELECT * EXCLUDE (held_reason) FROM raw.{HELD}) o {_JOIN}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _leaving AS SELECT {listed}, {_FAILS} AS held_reason "
                f"FROM raw.programme__outcomes o {_JOIN} WHERE {_FAILS} IS NOT NULL")
    same = "m._file_sha256 = t._file_sha256 AND m._row_number = t._row_number AND m._source_file = t._source_file"
    con.execute(f"DELETE FROM raw.programme__outcomes t WHERE EXISTS (SELECT 1 FROM _leaving m WHERE {same})")
    con.execute(f"DELETE FROM raw.{HELD}")
    con.execute(f"INSERT INTO raw.{HELD} BY NAME SELECT * FROM _leaving")
    con.execute(f"INSERT INTO raw.{HELD} BY NAME SELECT * FROM _judged WHERE held_reason IS NOT NULL")
    con.execute("INSERT INTO raw.programme__outcomes BY NAME SELECT * EXCLUDE (held_reason) FROM _judged "
                "WHERE held_reason IS NULL")
    con.execute(f"""DELETE FROM raw.quarantine WHERE entity = 'outcomes' AND column_name = '{_COLUMN}'
                      AND (reason LIKE 'participant not enrolled%' OR reason LIKE 'dated before the participant%')""")
    con.execute(f"""INSERT INTO raw.quarantine BY NAME
                    SELECT h._load_id AS load_id, 'programme' AS feed, 'outcomes' AS entity,
                           h._source_file AS source_file, h._file_sha256 AS file_sha256,
                           h._row_number AS row_number, '{_COLUMN}' AS column_name, '' AS raw_value,
                           h.held_reason AS reason, ?::TIMESTAMP AS quarantined_at
                    FROM raw.{HELD} h""", [at])
    _recount(con)


def _recount(con: duckdb.DuckDBPyConnection) -> None:
    """rows_loaded and rows_quarantined of each outcomes table: what is stored and set aside now."""
    con.execute("""
        UPDATE raw.load_audit a SET rows_quarantined = a.rows_quarantined - (s.n - a.rows_loaded), rows_loaded = s.n
        FROM (SELECT b.load_id, b.source_file, coalesce(c.n, 0) AS n FROM raw.load_audit b
              LEFT JOIN (SELECT _load_id, _source_file, count(*) AS n FROM raw.programme__outcomes GROUP BY ALL) c
                ON c._load_id = b.load_id AND c._source_file = b.source_file
              WHERE b.feed = 'programme' AND b.entity = 'outcomes' AND b.status IN ('loaded', 'replaced')) s
        WHERE a.load_id = s.load_id AND a.source_file = s.source_file AND a.entity = 'outcomes'
          AND a.status IN ('loaded', 'replaced') AND s.n <> a.rows_loaded""")
