"""The pack's technical details (the appendix of the report, the last sheet of the workbook): the
run, the code version, the quality gate and its warnings in full, what fed the year, and how
figures are withheld.

Kept off the first page on purpose: a steering group reads the key messages first; an analyst
or auditor finds the provenance here. Gate warnings are listed whole (expectation, how many rows,
which cells), never cut mid-word, and never with the values the gate observed: those may be
year-on-year changes of withheld cells. The reference data (editions, sources, checksums) is
read by `exports.reference_data`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pandas as pd

from exports.sources import YearSources
from partnership.reporting_years import year_end, year_start

CONCERNS_SHOWN = 8


def gate_summary(results: pd.DataFrame | None) -> dict[str, Any]:
    if results is None or results.empty:
        return {"status": "not recorded", "run_id": None, "expectations": 0, "failures": [],
                "warnings": []}
    failed = results[~results["passed"].astype(bool)]

    def lines(severity: str) -> list[str]:
        return [_gate_line(r) for r in failed[failed["severity"] == severity].itertuples()]

    failures, warnings = lines("error"), lines("warning")
    status = "failed" if failures else "warned" if warnings else "passed"
    return {"status": status, "run_id": str(results["run_id"].iloc[0]),
            "validated_at": str(results["validated_at"].max()),
            "expectations": len(results), "failures": failures, "warnings": warnings}


def _gate_line(result: Any) -> str:
    concerns = re.findall(r"'([^']+)'", str(result.concerns or "")) or [
        c.strip() for c in str(result.concerns or "").split(",") if c.strip()]
    shown = ", ".join(concerns[:CONCERNS_SHOWN])
    more = f" and {len(concerns) - CONCERNS_SHOWN} more" if len(concerns) > CONCERNS_SHOWN else ""
    where = f"; cells: {shown}{more}" if concerns else ""
    return f"{result.suite}: {result.expectation} ({_gist(result.observed)}{where})"


def _gist(observed: object) -> str:
    """How many rows failed, without the values the gate quotes ("26 of 136 rows unexpected:
    [96.8, ...]"): those may be year-on-year changes of cells the pack withholds."""
    text = "" if observed is None or (isinstance(observed, float) and pd.isna(observed)) else str(observed)
    return re.split(r":\s*\[", text, maxsplit=1)[0].strip() or "no observation recorded"


def gate_status_text(gate: dict[str, Any]) -> str:
    warnings = len(gate["warnings"])
    if gate["status"] == "warned":
        return f"passed with {warnings} warning{'s' if warnings != 1 else ''}"
    return str(gate["status"])


def reporting_period(year: str, start_month: int) -> str:
    """`2024-25` with April: "1 April 2024 to 31 March 2025" (the UK financial year)."""
    first, last = year_start(year, start_month), year_end(year, start_month)
    text = f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
    return f"UK financial year, {text}" if start_month == 4 else text


def appendix(*, partnership: str, year: str, produced_at: datetime, run_id: str, code_version: str,
             gate: dict[str, Any], load_audit: pd.DataFrame | None, sources: YearSources,
             threshold: int, marker: str, synthetic: bool, year_start_month: int = 4) -> list[tuple[str, Any]]:
    files: list[str] = ["no load audit in this snapshot"]
    if load_audit is not None and not load_audit.empty:
        files = [
            f"{feed}: {int((g['status'] != 'refused').sum())} files loaded, "
            f"{int((g['status'] == 'refused').sum())} refused, "
            f"{int(g['rows_loaded'].fillna(0).sum()):,} rows loaded, "
            f"{int(g['rows_quarantined'].fillna(0).sum()):,} rows rejected"
            for feed, g in load_audit.groupby("feed")
        ]
    period = reporting_period(year, year_start_month)
    return [
        ("Partnership", partnership + (" (synthetic demo data)" if synthetic else "")),
        ("Reporting year", f"{year} ({period})"),
        ("Produced", produced_at.strftime("%d %B %Y, %H:%M UTC")),
        ("Run id", run_id),
        ("Code version", code_version),
        ("Quality gate", f"{gate_status_text(gate)} ({gate['expectations']} expectations, gate run "
                         f"{gate.get('run_id') or '-'})"),
        ("Gate warnings", gate["warnings"] or ["none"]),
        ("Coverage of the year", sources.coverage or ["no dated facts in this snapshot"]),
        ("Source files", files),
        ("Withheld figures", f"Counts of people from 1 to {threshold - 1} below the whole area, and "
                             f"percentages, means or money per person based on fewer than {threshold}, "
                             f"are shown as {marker}; so are the groups a figure rests on (a share's "
                             "numerator and the rest of its base, the people it leaves out, each "
                             "quintile of a gap, the pairs of a paired change). Further cells are "
                             f"shown as {marker} where a withheld figure could otherwise be worked out "
                             "from the whole area's total, from another metric or from a pack published "
                             "before. True zeros are shown; spend totals are not withheld. An "
                             "independent disclosure audit of every file passed before publication."),
        ("Uncertainty", "Survey means carry Student's t intervals, survey shares Wilson score "
                        "intervals, the quintile gap a Welch interval and the paired change its t "
                        "interval (all 95%). Figures are rounded to the precision their interval "
                        "supports. Survey results are unweighted."),
    ]
