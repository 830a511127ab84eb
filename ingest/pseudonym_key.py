"""One pseudonymisation key per warehouse.

People's references become keyed hashes at the door (ingest/privacy.py). The same person is the
same pseudonym only under the same key: a participant's outcomes, and a respondent's answers over
the years, are joined on it. Under another key (rotated, mistyped, or a new steward's machine) every
person in new files would be someone new: outcomes of earlier participants held as orphans, people
counted twice, with nothing failing. So the warehouse records a check value of the key it was built
with (an HMAC of a fixed text, never the key) on the first load that needs one, and a load under
any other key is refused, once its header shows a file of people, before a row is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

import duckdb

_CHECK_TEXT = b"impact-warehouse: the pseudonymisation key this warehouse was built with"
TABLE = "raw.pseudonym_key"


class KeyMismatch(ValueError):
    """The key given is not the one the warehouse's pseudonyms were made with."""


@dataclass(frozen=True)
class RecordedKey:
    check: str
    first_used_at: dt.datetime


def key_check(key: str) -> str:
    """A value that tells keys apart without revealing them."""
    return hmac.new(key.encode(), _CHECK_TEXT, hashlib.sha256).hexdigest()[:32]


def recorded_key(con: duckdb.DuckDBPyConnection) -> RecordedKey | None:
    """The key check the warehouse recorded, or None (no load has needed a key yet)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' "
                         "AND table_name = 'pseudonym_key'").fetchone()
    if not (exists and exists[0]):
        return None
    row = con.execute(f"SELECT key_check, first_used_at FROM {TABLE} ORDER BY first_used_at LIMIT 1").fetchone()
    return RecordedKey(row[0], row[1]) if row else None


def mismatch_message(recorded: RecordedKey) -> str:
    return (f"the pseudonymisation key set now is not the one this warehouse's pseudonyms were made with "
            f"(first used {recorded.first_used_at:%Y-%m-%d %H:%M} UTC): people in new files would not match "
            f"the people already loaded, so nothing was loaded. Set the key used then; if it is lost, rebuild "
            f"the warehouse from the landing folder under the new key (docs/operations.md, "
            f"\"Changing the pseudonymisation key\")")


def confirm_key(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Record the key's check value on its first use; refuse any other key after that."""
    recorded = recorded_key(con)
    if recorded is None:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key_check VARCHAR, first_used_at TIMESTAMP)")
        con.execute(f"INSERT INTO {TABLE} VALUES (?, ?)",
                    [key_check(key), dt.datetime.now(dt.UTC).replace(tzinfo=None)])
    elif recorded.check != key_check(key):
        raise KeyMismatch(mismatch_message(recorded))
