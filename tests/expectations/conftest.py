"""Fixtures for the gate tests; the marts themselves are built in gate_marts.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from gate_marts import build_marts, clean_metrics


@pytest.fixture
def warehouse(tmp_path: Path) -> Callable[..., duckdb.DuckDBPyConnection]:
    """Build marts from rows and open them; closed at teardown."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def make(metrics: list[tuple] | None = None, **kwargs) -> duckdb.DuckDBPyConnection:
        path = build_marts(tmp_path / f"impact{len(opened)}.duckdb",
                           clean_metrics() if metrics is None else metrics, **kwargs)
        opened.append(duckdb.connect(str(path)))
        return opened[-1]

    yield make
    for con in opened:
        con.close()
