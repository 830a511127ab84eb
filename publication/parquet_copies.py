"""Parquet copies of the published snapshot for R, Python and BI tools: one file per table plus
`views.sql`, which any DuckDB runs, from any working directory, to get the same schema.table
names as views. Its paths are absolute and name the publication's own folder, so a session that
ran it keeps reading that one publication (until the folder is pruned, two publications later;
running views.sql again moves the session to the newest). One statement per line, so R or any
client without a multi-statement call can run it line by line.

`<published dir>/parquet` is a symbolic link to a folder holding one whole publication. A new set
is written into its own folder first and the link is swapped with one atomic rename, so a reader
who resolves the link (opens a file, or `cd`s into it) sees one publication, never a mixture.
The previous set is kept, so a reader still inside it is not cut off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from partnership.sql_text import literal
from publication.lineage import published_tables

LINK_NAME = "parquet"
VERSION_PREFIX = ".parquet-"
KEEP_VERSIONS = 2


def parquet_link(published: Path) -> Path:
    return published.parent / LINK_NAME


def write_parquet_set(con: duckdb.DuckDBPyConnection, published: Path, run_id: str) -> Path:
    """Write every table of the snapshot being built (con) into a new, not yet visible folder."""
    folder = published.parent / f"{VERSION_PREFIX}{run_id}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tables = published_tables(con)
    for name in tables:
        con.execute(f"COPY (SELECT * FROM {name}) TO {literal(folder / (name + '.parquet'))} (FORMAT parquet)")
    (folder / "views.sql").write_text(views_sql(folder, tables, run_id), encoding="utf-8")
    return folder


def views_sql(folder: Path, tables: list[str], run_id: str) -> str:
    lines = [
        f"-- Views over the Parquet copies of publication {run_id}, one per table of the snapshot.",
        "-- The paths are absolute: run this file from anywhere, e.g. duckdb -c \".read <this file>\".",
    ]
    for schema in sorted({name.split(".")[0] for name in tables}):
        lines.append(f"CREATE SCHEMA IF NOT EXISTS {schema};")
    for name in tables:
        path = literal((folder / f"{name}.parquet").absolute())
        lines.append(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet({path});")
    return "\n".join(lines) + "\n"


def swap_in(published: Path, folder: Path) -> None:
    """Point the `parquet` link at the new folder in one rename; keep the previous set."""
    link = parquet_link(published)
    if link.exists() and not link.is_symlink():  # a plain folder from an older layout
        shutil.rmtree(link)
    staging = link.with_name(f".{LINK_NAME}.link.tmp")
    staging.unlink(missing_ok=True)
    os.symlink(folder.name, staging)
    os.replace(staging, link)
    _prune(published, current=folder)


def _prune(published: Path, current: Path) -> None:
    versions = sorted((p for p in published.parent.glob(f"{VERSION_PREFIX}*") if p.is_dir()),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    keep = {current} | set(versions[:KEEP_VERSIONS])
    for old in versions:
        if old not in keep:
            shutil.rmtree(old, ignore_errors=True)
