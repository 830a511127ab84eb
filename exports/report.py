"""The pack's report: one content model built from the masked frames, two renderers (HTML, PDF).

Only frames that have been through disclosure control (`masked_metrics`, `masked_toc`) come in. A
cell showing the marker stays the marker: it is carried as text with no number behind it, so no
chart, alt text or table can show what the disclosure step hid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from exports.report_charts import RAG_LABELS, Chart, Point, district_chart, rag_chart, trend_chart
from exports.report_pdf import write_pdf

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    working_group: str
    toc_level: str
    name: str
    metric_id: str
    actual: str
    baseline: str
    target: str
    rag: str  # green | amber | red | grey


@dataclass(frozen=True)
class Headline:
    metric_id: str
    name: str
    family: str
    unit: str
    value: str  # the year's county value as shown: formatted, the marker, or "no data"
    interval: str  # "7.10 to 7.50" for survey means, else ""
    note: str  # why there is no data, if so
    trend: tuple[Point, ...]  # county value per reporting year, oldest first
    districts: tuple[Point, ...]  # the year's district values, by district name
    county: Point


@dataclass(frozen=True)
class ReportContent:
    title: str
    reporting_year: str
    gate_status: str
    cover: list[tuple[str, Any]]  # as on the workbook's cover
    marker: str
    produced_at: datetime
    indicators: tuple[Indicator, ...]
    headlines: tuple[Headline, ...]

    @property
    def rag_counts(self) -> list[tuple[str, str, int]]:
        return [(s, label, sum(i.rag == s for i in self.indicators)) for s, label in RAG_LABELS.items()]

    @property
    def years(self) -> list[str]:
        return sorted({p.label for h in self.headlines for p in h.trend})

    @property
    def families(self) -> list[str]:
        return sorted({h.family for h in self.headlines})

    def in_family(self, family: str) -> list[Headline]:
        return [h for h in self.headlines if h.family == family]

    def district_table(self, family: str) -> tuple[list[str], list[tuple[Headline, list[str]]]]:
        """District names, and per metric of the family with districts the text of each cell."""
        broken_down = [h for h in self.in_family(family)
                       if any(p.text != "no data" for p in h.districts)]
        areas = sorted({p.label for h in broken_down for p in h.districts})
        cells = [(h, [next((p.text for p in h.districts if p.label == a), "") for a in areas])
                 for h in broken_down]
        return areas, cells


def build_report(
    *, title: str, reporting_year: str, gate_status: str, cover: list[tuple[str, Any]],
    metrics: pd.DataFrame, trend: pd.DataFrame, toc: pd.DataFrame, catalogue: pd.DataFrame,
    marker: str, produced_at: datetime,
) -> ReportContent:
    """`metrics` is the year's masked metrics, `trend` the masked metrics of every year up to it."""
    names = catalogue.set_index("metric_id")
    year = metrics[metrics["reporting_year"] == reporting_year]
    county = year[year["geography_level"] == "county"].sort_values("metric_id")
    headlines = []
    for row in county.to_dict("records"):
        metric_id, unit = row["metric_id"], row["unit"]
        history = trend[(trend["metric_id"] == metric_id) & (trend["geography_level"] == "county")]
        districts = year[(year["metric_id"] == metric_id) & (year["geography_level"] == "district")]
        headlines.append(Headline(
            metric_id=metric_id,
            name=_text(names["name"].get(metric_id)) or metric_id,
            family=(_text(names["family"].get(metric_id)) or "other").replace("_", " ").capitalize(),
            unit=unit,
            value=_point(row, "value", unit, marker, reporting_year).text,
            interval=_interval(row, unit, marker),
            note=_text(row.get("no_data_reason")),
            trend=_from_first_data([_point(r, "value", unit, marker, r["reporting_year"])
                                    for r in history.sort_values("reporting_year").to_dict("records")]),
            districts=tuple(_point(r, "value", unit, marker, r["geography_name"])
                            for r in districts.sort_values("geography_name").to_dict("records")),
            county=_point(row, "value", unit, marker, _text(row["geography_name"]) or "County"),
        ))
    return ReportContent(
        title=title, reporting_year=reporting_year, gate_status=gate_status,
        cover=[(label, _without_observed_values(value)) for label, value in cover],
        marker=marker, produced_at=produced_at, indicators=_indicators(toc, names, marker),
        headlines=tuple(headlines),
    )


OBSERVED_VALUES = re.compile(r":?\s*\[[^\]]*\d[^\]]*\]")


def _without_observed_values(value: Any) -> Any:
    """Gate warnings quote the unexpected values they saw ("3 of 9 rows unexpected: [61.9, ...]"),
    which may be year-on-year changes of withheld district cells: the report leaves them out."""
    if isinstance(value, list):
        return [_without_observed_values(v) for v in value]
    return OBSERVED_VALUES.sub("", value) if isinstance(value, str) else value


def _from_first_data(points: list[Point]) -> tuple[Point, ...]:
    """The years from the first one with a value or a marker: years before a metric was measured
    are not gaps in its trend."""
    first = next((i for i, p in enumerate(points) if p.text != "no data"), len(points) - 1)
    return tuple(points[max(first, 0):])


def _indicators(toc: pd.DataFrame, names: pd.DataFrame, marker: str) -> tuple[Indicator, ...]:
    if toc.empty:
        return ()
    units = names["unit"] if "unit" in names.columns else pd.Series(dtype="object")
    rows = []
    for r in toc.sort_values("indicator_id").to_dict("records"):
        unit = _text(units.get(r.get("metric_id"))) or "ratio"
        rag = _text(r.get("rag_status")) or "grey"
        rows.append(Indicator(
            indicator_id=_text(r["indicator_id"]), working_group=_text(r.get("working_group")).replace(
                "_", " "), toc_level=_text(r.get("toc_level")), name=_text(r.get("indicator_name")),
            metric_id=_text(r.get("metric_id")),
            actual=_point(r, "actual", unit, marker, "").text,
            baseline=_labelled(r, "baseline_value", "baseline_year", unit, marker),
            target=_labelled(r, "target_value", "target_year", unit, marker),
            rag=rag if rag in RAG_LABELS else "grey",
        ))
    return tuple(rows)


def _labelled(row: dict, value: str, year: str, unit: str, marker: str) -> str:
    text = _point(row, value, unit, marker, "").text
    return f"{text} ({row[year]})" if _text(row.get(year)) and text != "no data" else text


def _point(row: dict, column: str, unit: str, marker: str, label: str) -> Point:
    cell = row.get(column)
    if isinstance(cell, str) and cell == marker:
        return Point(label, None, marker)
    number = pd.to_numeric(pd.Series([cell]), errors="coerce").iloc[0]
    if pd.isna(number):
        return Point(label, None, "no data")
    return Point(label, float(number), format_value(float(number), unit))


def _interval(row: dict, unit: str, marker: str) -> str:
    low, high = (_point(row, c, unit, marker, "") for c in ("ci_low", "ci_high"))
    if low.value is None or high.value is None:
        return marker if marker in (low.text, high.text) else ""
    return f"{low.text} to {high.text}"


def format_value(value: float, unit: str) -> str:
    if unit == "gbp":
        return f"£{value:,.0f}"
    if unit == "pct":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "wellby":
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _text(x: Any) -> str:
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


@dataclass(frozen=True)
class Charts:
    rag: Chart
    trends: dict[str, Chart]  # by metric id
    districts: dict[str, Chart]  # by metric id, metrics with a district breakdown only


def draw_charts(content: ReportContent) -> Charts:
    return Charts(
        rag=rag_chart(content.rag_counts),
        trends={h.metric_id: trend_chart(f"{h.metric_id} {h.name}", h.unit, h.trend)
                for h in content.headlines},
        districts={h.metric_id: district_chart(f"{h.metric_id} {h.name}", h.unit, h.districts,
                                               h.county)
                   for family in content.families for h, _ in content.district_table(family)[1]},
    )


def render_html(content: ReportContent, charts: Charts) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("report.html.j2").render(
        c=content, charts=charts, rag_labels=RAG_LABELS, inline=_inline_svg)


def _inline_svg(chart: Chart) -> Markup:
    """The chart's SVG, labelled for screen readers with its alt text."""
    return Markup(chart.svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(chart.alt)}" ', 1))


def write_report(folder: Path, content: ReportContent) -> dict[str, int]:
    """Write impact-report-<year>.html and .pdf; returns, per file, the headline metrics it shows
    (the manifest's row count)."""
    charts = draw_charts(content)
    html_name = f"impact-report-{content.reporting_year}.html"
    pdf_name = f"impact-report-{content.reporting_year}.pdf"
    (Path(folder) / html_name).write_text(render_html(content, charts), encoding="utf-8")
    write_pdf(Path(folder) / pdf_name, content, charts)
    return {html_name: len(content.headlines), pdf_name: len(content.headlines)}
