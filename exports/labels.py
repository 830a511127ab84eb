"""Human labels for the codes the warehouse uses, so the pack reads `Inclusive employment`, not
`inclusive_employment`. One place for every renderer (workbook, HTML, PDF); a code without a
label here still reads as words (underscores become spaces, first letter capitalised)."""

from __future__ import annotations

WORKING_GROUPS = {
    "inclusive_employment": "Inclusive employment",
    "social_value_procurement": "Social value and procurement",
    "place_based": "Place-based working",
    "educational_attainment": "Educational attainment",
    "partnership": "Partnership",
}
TOC_LEVELS = {"input": "Input", "activity": "Activity", "output": "Output", "outcome": "Outcome",
              "impact": "Impact"}
FAMILIES = {"procurement": "Procurement", "employment": "Employment", "wellbeing": "Wellbeing",
            "inequality": "Inequality", "partnership": "Partnership"}
LEVELS = {"county": "County", "district": "District"}
BREAKDOWNS = {"sector": "Signatories by sector", "size_band": "Signatories by size",
              "priority_area": "Active pledges by Charter priority area"}
UNITS = {"gbp": "£", "pct": "%", "count": "count", "mean": "mean", "score": "score",
         "wellby": "WELLBYs", "ratio": "per 100"}
DIRECTIONS = {"up": "higher is better", "down": "lower is better", "none": "neither"}

# RAG states: the word on the page, and what it means (docs/metrics.md).
RAG_ORDER = ("green", "amber", "red", "no_clear_change", "grey")
RAG_NAMES = {"green": "On track", "amber": "Improving, behind the line", "red": "Not improving",
             "no_clear_change": "No clear change", "grey": "No data"}
RAG_MEANINGS = {
    "green": "on or ahead of the straight line from baseline to target",
    "amber": "better than the baseline but behind that line (or ahead of it only within the margin of error)",
    "red": "not better than the baseline",
    "no_clear_change": "the 95% confidence interval includes the baseline: the data cannot tell a change "
                       "from sampling noise",
    "grey": "no data for the year, a year before the baseline, or withheld to protect confidentiality",
}


def human(code: object, table: dict[str, str] | None = None) -> str:
    """The label for `code`, from `table` if it has one, else the code as words."""
    text = "" if code is None else str(code)
    if table and text in table:
        return table[text]
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def rag_name(status: object) -> str:
    return RAG_NAMES.get(str(status), RAG_NAMES["grey"])
