"""Suite over `marts.toc_indicators` for one reporting year."""

from __future__ import annotations

import pandas as pd
from great_expectations import expectations as gxe

from expectations.suites.check import Check, SuiteSpec

RAG = ["green", "amber", "red", "no_clear_change", "grey"]
_INDICATOR = ("indicator_id", "metric_id")


def toc_suites(toc: pd.DataFrame, catalogue: pd.DataFrame, year: str) -> list[SuiteSpec]:
    frame = toc[toc["reporting_year"] == year].reset_index(drop=True)
    catalogue_ids = sorted(catalogue["metric_id"].dropna().unique().tolist())
    values = SuiteSpec(
        "toc_indicators",
        frame,
        (
            Check(
                "RAG status is green, amber, red, no clear change or grey", "error",
                gxe.ExpectColumnValuesToBeInSet(column="rag_status", value_set=RAG),
                f"rag_status in {RAG}", concern_columns=_INDICATOR,
            ),
            Check(
                "RAG status is set", "error",
                gxe.ExpectColumnValuesToNotBeNull(column="rag_status"),
                "rag_status not null (grey when there is no data)", concern_columns=_INDICATOR,
            ),
            Check(
                "indicator's metric is in the catalogue", "error",
                gxe.ExpectColumnValuesToBeInSet(column="metric_id", value_set=catalogue_ids),
                "metric_id, where set, is a row of marts.metric_catalogue",
                concern_columns=_INDICATOR,
            ),
            Check(
                "one row per indicator", "error",
                gxe.ExpectColumnValuesToBeUnique(column="indicator_id"),
                "indicator_id unique within the year", concern_columns=_INDICATOR,
            ),
        ),
    )
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
    return [values, completeness]
