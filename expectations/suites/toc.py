"""The gate's suite over `marts.toc_indicators` for one reporting year: ToC completeness."""

from __future__ import annotations

import pandas as pd
from great_expectations import expectations as gxe

from expectations.suites.check import Check, SuiteSpec


def toc_suites(toc: pd.DataFrame, catalogue: pd.DataFrame, year: str) -> list[SuiteSpec]:
    """ToC completeness, a publication rule: every indicator of the framework has a row for the year.
    The rows' structure (RAG status set and known, the linked metric in the catalogue, one row per
    indicator and year) is dbt's to check: tests on marts.toc_indicators, docs/architecture.md."""
    frame = toc[toc["reporting_year"] == year].reset_index(drop=True)
    # the framework is every indicator the mart knows in any year; each must appear this year
    known = sorted(toc["indicator_id"].dropna().unique().tolist())
    present = set(frame["indicator_id"].dropna())
    coverage = pd.DataFrame(
        {"indicator_id": known, "present": ["yes" if i in present else "no" for i in known]}
    )
    completeness = SuiteSpec(
        "toc_completeness",
        coverage,
        (
            Check(
                "every ToC indicator has a row for the year", "error",
                gxe.ExpectColumnValuesToBeInSet(column="present", value_set=["yes"]),
                "a row (grey when there is no data) for each indicator of the framework",
                concern_columns=("indicator_id",),
            ),
        ),
    )
    return [completeness]
