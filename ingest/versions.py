"""The replacement model, in one place (docs/ingest-policy.md, "Versions, corrections and overlaps").

- A file with the same feed and the same name as a loaded file is its new version: it replaces it.
- Any other file replaces only what the steward declares (`impact ingest NEW --replaces OLD`, or a
  sidecar `NEW.replaces` in the landing folder naming OLD).
- A file that overlaps a loaded one without replacing it is loaded and reported (OVERLAP in the
  load audit, `impact status`, the gate): payments of the same publisher and month both stay;
  rows of keyed entities whose keys are already stored are quarantined (the first arrival stands).
- A replacement that would remove most of what it replaces (no rows left, or rows or net amount
  falling by more than `max_shrink_share`) is refused with the numbers unless it was declared.
- A declaration that names a file the feed does not hold is refused when the name is unknown (a
  typo would load the correction beside what it corrects), of another feed, or already replaced
  (naming its current replacement); a name that was offered and refused is only noted.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from ingest.contracts import load_contracts
from ingest.warehouse import CURRENT

# A load audit row's file as dropped: a sheet ("book.xlsx#Costs") or ZIP member ("x.zip!june.csv") is part of it.
FILE_NAME = "coalesce(file_name, regexp_replace(source_file, '[!#].*$', ''))"


@dataclass(frozen=True)
class Earlier:
    """The loaded versions a new file replaces."""

    shas: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    rows: int = 0
    net: Decimal | None = None
    declared: bool = False  # named by the steward: a confirmed replacement
    missing: tuple[str, ...] = ()  # declared names that are not loaded


def earlier_versions(con: duckdb.DuckDBPyConnection, feed: str, file_name: str, sha256: str,
                     declared: tuple[str, ...]) -> Earlier:
    """Current loads of the feed this file replaces: its own name, and the names declared."""
    names = (file_name, *declared)
    rows = con.execute(
        f"""SELECT file_sha256, {FILE_NAME} AS name, sum(rows_loaded), sum(net_amount_gbp)
            FROM raw.load_audit WHERE feed = ? AND status IN ('loaded', 'replaced') AND file_sha256 <> ?
              AND list_contains(?, {FILE_NAME})
            GROUP BY ALL ORDER BY name""", [feed, sha256, list(names)]).fetchall()
    nets = [net for *_, net in rows if net is not None]
    found = {name for _, name, _, _ in rows}
    return Earlier(
        shas=tuple(sha for sha, *_ in rows), names=tuple(sorted(found)),
        rows=int(sum(n or 0 for _, _, n, _ in rows)), net=sum(nets, Decimal(0)) if nets else None,
        declared=bool(declared), missing=tuple(n for n in declared if n not in found),
    )


def declaration_refusal(con: duckdb.DuckDBPyConnection, feed: str, file_name: str,
                        missing: tuple[str, ...]) -> str | None:
    """Why a declaration naming files the feed does not hold now is refused, or None when each such
    name was offered and refused (or withdrawn): replacing it then replaces nothing, and is noted."""
    reasons = []
    for name in missing:
        rows = con.execute(f"""SELECT feed, status, {FILE_NAME} AS name, replaced_files FROM raw.load_audit
                               WHERE {FILE_NAME} = ?""", [name]).fetchall()
        ours = [status for row_feed, status, *_ in rows if row_feed == feed]
        if "superseded" in ours and not set(ours) & set(CURRENT):
            now = _current_replacement(con, feed, name)
            reasons.append(f"{name} was already replaced by {now}: declare `--replaces {now}`" if now
                           else f"{name} was already replaced")
        elif not ours and (others := sorted({f for f, status, *_ in rows if status in CURRENT})):
            reasons.append(f"{name} is a {' and '.join(others)} file, and a {feed} file replaces only {feed} files")
        elif not rows:
            loaded = [n for f, n, _, _ in current_loads(con) if f == feed]
            close = difflib.get_close_matches(name, loaded, n=3, cutoff=0.6)
            hint = f" (loaded {feed} files with a similar name: {', '.join(close)})" if close else ""
            reasons.append(f"no file named {name} was ever loaded{hint}")
    if not reasons:
        return None
    return (f"{file_name}: declared to replace {', '.join(missing)}, but {'; '.join(reasons)}. Nothing of it "
            f"was loaded, so nothing is counted twice: check the names after --replaces (or in "
            f"{file_name}.replaces in the landing folder)")


def duplicate(con: duckdb.DuckDBPyConnection, sha256: str) -> tuple[str | None, str]:
    """The feed loaded bytes offered again were loaded into, and what the steward needs to know:
    nothing changes, and, when those bytes were replaced since, that their rows are not the ones in
    the warehouse."""
    rows = con.execute(f"""SELECT DISTINCT feed, {FILE_NAME} AS name, status FROM raw.load_audit
                           WHERE file_sha256 = ? AND status IN ('loaded', 'replaced', 'superseded')
                           ORDER BY name""", [sha256]).fetchall()
    message = "the same file (identical content) was loaded before; nothing changed"
    if rows and not any(status in CURRENT for *_, status in rows):
        feed, name, _ = rows[0]
        now = _current_replacement(con, feed, name)
        message += (f": it was loaded as {name} and has since been replaced" + (f" by {now}" if now else "")
                    + ", so its rows are not in the warehouse now")
    return (rows[0][0] if rows else None), message


def replaced_by_load(con: duckdb.DuckDBPyConnection, sha256: str) -> list[str]:
    """The files the (first) load of these bytes replaced, as its audit row names them."""
    row = con.execute("""SELECT replaced_files FROM raw.load_audit WHERE file_sha256 = ?
                         AND status IN ('loaded', 'replaced', 'superseded') ORDER BY loaded_at LIMIT 1""",
                      [sha256]).fetchone()
    return [name for name in (row[0] if row and row[0] else "").split(", ") if name]


def _current_replacement(con: duckdb.DuckDBPyConnection, feed: str, name: str) -> str | None:
    """The loaded file that replaced `name`, through any later corrections of the correction."""
    for _ in range(100):  # a chain of corrections, never a cycle (each replaces what was loaded before it)
        row = con.execute(f"""SELECT {FILE_NAME} AS name, status FROM raw.load_audit
                              WHERE feed = ? AND list_contains(string_split(replaced_files, ', '), ?)
                              ORDER BY loaded_at DESC LIMIT 1""", [feed, name]).fetchone()
        if row is None:
            return None
        name, status = row
        if status in CURRENT:
            return name
    return None


def current_loads(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """(feed, file name as dropped, sha256, rows) of every file whose rows are in the warehouse now."""
    return con.execute(
        f"""SELECT feed, {FILE_NAME} AS name, file_sha256, sum(rows_loaded)::BIGINT FROM raw.load_audit
            WHERE list_contains(?, status) GROUP BY ALL ORDER BY feed, name""", [list(CURRENT)]).fetchall()


def remove(con: duckdb.DuckDBPyConnection, feed: str, earlier: Earlier) -> None:
    """Inside the new file's transaction: the earlier versions' rows go, their audit rows say so."""
    if not earlier.shas:
        return
    tables = [e.table for e in load_contracts()[feed].values()] + (["programme__outcomes_held"]
                                                                     if feed == "programme" else [])
    for table in tables:
        con.execute(f"DELETE FROM raw.{table} WHERE list_contains(?, _file_sha256)", [list(earlier.shas)])
    con.execute("DELETE FROM raw.quarantine WHERE list_contains(?, file_sha256)", [list(earlier.shas)])
    con.execute("UPDATE raw.load_audit SET status = 'superseded' WHERE list_contains(?, file_sha256) "
                "AND status IN ('loaded', 'replaced')", [list(earlier.shas)])


def shrink_refusal(file_name: str, earlier: Earlier, rows: int, net: Decimal | None, max_share: float) -> str | None:
    """The reason to refuse a replacement that removes most of what it replaces, or None."""
    if not earlier.shas or earlier.declared:
        return None
    lost_rows = earlier.rows - rows
    lost_net = (earlier.net or Decimal(0)) - (net or Decimal(0)) if earlier.net is not None else None
    too_few = rows == 0 or (earlier.rows and lost_rows / earlier.rows > max_share)
    too_little = bool(earlier.net and earlier.net > 0 and lost_net is not None and lost_net / earlier.net > max_share)
    if not (too_few or too_little):
        return None
    money = f", £{lost_net:,.2f}" if lost_net is not None else ""
    old = ", ".join(earlier.names)
    return (f"{file_name}: as a new version of {old} it would remove {max(lost_rows, 0):,} rows{money} "
            f"({rows:,} rows replace {earlier.rows:,}); refused. If that is right, confirm it: "
            f"`impact ingest {file_name} --replaces {old}` (or a sidecar {file_name}.replaces naming {old} "
            f"in the landing folder)")
