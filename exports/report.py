"""The pack's report: one content model built from the masked frames, laid out once as HTML.

Only frames that have been through disclosure control (`masked_metrics`, `masked_toc`,
`masked_breakdowns`) come in. A cell showing the marker stays the marker: it is carried as text
with no number behind it, so no chart, alt text, sentence or table can show what the disclosure
step hid. The first page (`exports.messages`) and the technical appendix are part of the model,
so the page says it all. The PDF is that same HTML printed (`exports.report_print`): its pages
come from the template's print CSS, so the HTML and the PDF cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from exports.labels import (
    BREAKDOWNS,
    FAMILIES,
    RAG_MEANINGS,
    RAG_NAMES,
    TOC_LEVELS,
    WORKING_GROUPS,
    human,
)
from exports.messages import Change, Summary, county_change, summary
from exports.numbers import format_estimate, format_value
from exports.report_charts import (
    RAG_LABELS,
    Chart,
    Point,
    breakdown_chart,
    district_chart,
    rag_chart,
    trend_chart,
)
from exports.report_print import print_pdf

TEMPLATES = Path(__file__).parent / "templates"
SYNTHETIC_NOTICE = "SYNTHETIC DEMO DATA: not the partnership's figures"


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    working_group: str
    toc_level: str
    name: str
    metric_id: str
    actual: Point  # text "7.38", interval_text "7.32 to 7.45"
    baseline: str
    line: str  # on track this year at or beyond this value
    target: str
    rag: str  # a key of labels.RAG_NAMES
    data_quality: str

    @property
    def rag_name(self) -> str:
        return RAG_NAMES[self.rag]


@dataclass(frozen=True)
class Headline:
    metric_id: str
    name: str
    family: str
    unit: str
    value: Point  # the year's county value as shown, with its interval
    change: Change  # against the year before
    note: str  # the caveats metrics.csv carries, and why there is no data
    trend: tuple[Point, ...]  # county value per reporting year, oldest first
    districts: tuple[Point, ...]  # the year's district values, by district name
    county: Point


@dataclass(frozen=True)
class Breakdown:
    metric_id: str
    title: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class ReportContent:
    title: str
    subtitle: str
    reporting_year: str
    gate_status: str
    synthetic: bool
    marker: str
    produced_at: datetime
    summary: Summary
    indicators: tuple[Indicator, ...]
    headlines: tuple[Headline, ...]
    breakdowns: tuple[Breakdown, ...]
    appendix: list[tuple[str, Any]]  # technical details: run, code version, gate, sources
    reference_data: list[dict[str, str]]  # name, version, source: what the reference seeds are

    @property
    def area(self) -> str:
        """The partnership's area as the metrics name it (a county, a combined authority)."""
        return self.headlines[0].county.label if self.headlines else "the area"

    @property
    def notice(self) -> str:
        return SYNTHETIC_NOTICE if self.synthetic else ""

    @property
    def rag_counts(self) -> list[tuple[str, str, int]]:
        return [(s, label, sum(i.rag == s for i in self.indicators)) for s, label in RAG_LABELS.items()]

    @property
    def rag_meanings(self) -> list[tuple[str, str, str]]:
        return [(s, RAG_NAMES[s], RAG_MEANINGS[s]) for s in RAG_LABELS]

    @property
    def years(self) -> list[str]:
        return sorted({p.label for h in self.headlines for p in h.trend})

    @property
    def families(self) -> list[str]:
        return sorted({h.family for h in self.headlines})

    def in_family(self, family: str) -> list[Headline]:
        return [h for h in self.headlines if h.family == family]

    def district_table(self, family: str) -> tuple[list[str], list[tuple[Headline, list[Point]]]]:
        """District names, and per metric of the family with districts its point for each."""
        broken_down = [h for h in self.in_family(family)
                       if any(p.text != "no data" for p in h.districts)]
        areas = sorted({p.label for h in broken_down for p in h.districts})
        empty = Point("", None, "")
        cells = [(h, [next((p for p in h.districts if p.label == a), empty) for a in areas])
                 for h in broken_down]
        return areas, cells


def build_report(
    *, title: str, subtitle: str, reporting_year: str, gate_status: str, synthetic: bool,
    appendix: list[tuple[str, Any]], reference_data: list[dict[str, str]], metrics: pd.DataFrame,
    trend: pd.DataFrame, toc: pd.DataFrame, breakdowns: pd.DataFrame, catalogue: pd.DataFrame,
    marker: str, produced_at: datetime,
) -> ReportContent:
    """`metrics` is the year's masked metrics, `trend` the masked metrics of every year up to it."""
    names = catalogue.set_index("metric_id")
    units = {m: _text(u) for m, u in names["unit"].items()}
    year = metrics[metrics["reporting_year"] == reporting_year]
    county = year[year["geography_level"] == "county"].sort_values("metric_id")
    previous_year = sorted(y for y in trend["reporting_year"].unique() if y < reporting_year)[-1:]
    previous = trend[(trend["reporting_year"].isin(previous_year)) & (trend["geography_level"] == "county")]
    before = {r["metric_id"]: r for r in previous.to_dict("records")}
    headlines = []
    for row in county.to_dict("records"):
        metric_id, unit = row["metric_id"], row["unit"]
        history = trend[(trend["metric_id"] == metric_id) & (trend["geography_level"] == "county")]
        districts = year[(year["metric_id"] == metric_id) & (year["geography_level"] == "district")]
        headlines.append(Headline(
            metric_id=metric_id,
            name=_text(names["name"].get(metric_id)) or metric_id,
            family=human(_text(names["family"].get(metric_id)) or "other", FAMILIES),
            unit=unit,
            value=_point(row, "value", unit, marker, reporting_year),
            change=county_change(row, before.get(metric_id), unit, marker,
                                 previous_year[0] if previous_year else "the year before"),
            note=_note(row, marker),
            trend=_from_first_data([_point(r, "value", unit, marker, r["reporting_year"])
                                    for r in history.sort_values("reporting_year").to_dict("records")]),
            districts=tuple(_point(r, "value", unit, marker, _text(r["geography_name"]))
                            for r in districts.sort_values("geography_name").to_dict("records")),
            county=_point(row, "value", unit, marker, _text(row["geography_name"]) or "County"),
        ))
    return ReportContent(
        title=title, subtitle=subtitle, reporting_year=reporting_year, gate_status=gate_status,
        synthetic=synthetic, marker=marker, produced_at=produced_at,
        summary=summary(year=reporting_year, toc=toc, county=county, previous=previous, units=units,
                        marker=marker, synthetic=synthetic),
        indicators=_indicators(toc, units, marker), headlines=tuple(headlines),
        breakdowns=_breakdowns(breakdowns, reporting_year, marker),
        appendix=appendix, reference_data=reference_data,
    )


def _note(row: dict, marker: str) -> str:
    """The caveats the metric carries in metrics.csv, and why it has no value."""
    parts = [_text(row.get("no_data_reason")), _text(row.get("notes"))]
    return "; ".join(p for p in parts if p and p != marker)


def _from_first_data(points: list[Point]) -> tuple[Point, ...]:
    """The years from the first one with a value or a marker: years before a metric was measured
    (before its feed existed) are not gaps in its trend, and never zeros."""
    first = next((i for i, p in enumerate(points) if p.text != "no data"), len(points) - 1)
    return tuple(points[max(first, 0):])


def _indicators(toc: pd.DataFrame, units: dict[str, str], marker: str) -> tuple[Indicator, ...]:
    if toc.empty:
        return ()
    rows = []
    for r in toc.sort_values("indicator_id").to_dict("records"):
        unit = units.get(_text(r.get("metric_id"))) or "ratio"
        rag = _text(r.get("rag_status"))
        rows.append(Indicator(
            indicator_id=_text(r["indicator_id"]),
            working_group=human(r.get("working_group"), WORKING_GROUPS),
            toc_level=human(r.get("toc_level"), TOC_LEVELS), name=_text(r.get("indicator_name")),
            metric_id=_text(r.get("metric_id")),
            actual=_point(r, "actual", unit, marker, "", ci=("actual_ci_low", "actual_ci_high"),
                          code="county"),
            baseline=_labelled(r, "baseline_value", "baseline_year", unit),
            line=_figure(r.get("trajectory_value"), unit),
            target=_labelled(r, "target_value", "target_year", unit),
            rag=rag if rag in RAG_NAMES else "grey",
            data_quality="" if _text(r.get("data_quality")) in ("", "ok") else human(r.get("data_quality")),
        ))
    return tuple(rows)


def _breakdowns(frame: pd.DataFrame, year: str, marker: str) -> tuple[Breakdown, ...]:
    if frame is None or frame.empty:
        return ()
    rows = frame[frame["reporting_year"] == year]
    out = []
    for (metric_id, breakdown), group in rows.groupby(["metric_id", "breakdown"], sort=True):
        group = group.sort_values("sort_order")
        points = tuple(_point(r, "value", "count", marker, _text(r.get("category_name")),
                              code=f"{breakdown}:{r['category']}") for r in group.to_dict("records"))
        out.append(Breakdown(metric_id, f"{metric_id} {human(breakdown, BREAKDOWNS)}, {year}", points))
    return tuple(out)


def _labelled(row: dict, value: str, year: str, unit: str) -> str:
    text = _figure(row.get(value), unit)
    return f"{text} ({row[year]})" if _text(row.get(year)) and text != "–" else text


def _figure(cell: object, unit: str) -> str:
    number = _number(cell)
    return "–" if number is None else format_value(number, unit)


def _number(cell: object) -> float | None:
    if isinstance(cell, str) and not cell.strip():
        return None
    number = pd.to_numeric(pd.Series([cell]), errors="coerce").iloc[0]
    return None if pd.isna(number) else float(number)


def _point(row: dict, column: str, unit: str, marker: str, label: str, *,
           ci: tuple[str, str] = ("ci_low", "ci_high"), code: str | None = None) -> Point:
    fact = "|".join([_text(row.get("reporting_year")), _text(row.get("metric_id")),
                     code or _text(row.get("geography_code")), "value"])
    cell = row.get(column)
    if isinstance(cell, str) and cell == marker:
        return Point(label, None, marker, fact=fact)
    number = _number(cell)
    if number is None:
        return Point(label, None, "no data", fact=fact)
    low, high = _number(row.get(ci[0])), _number(row.get(ci[1]))
    text, interval = format_estimate(number, low, high, unit)
    return Point(label, number, text, low if interval else None, high if interval else None,
                 fact=fact, interval_text=interval)


def _text(x: Any) -> str:
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


@dataclass(frozen=True)
class Charts:
    rag: Chart
    trends: dict[str, Chart]  # by metric id
    districts: dict[str, Chart]  # by metric id, metrics with a district breakdown only
    breakdowns: dict[str, Chart]  # by breakdown title


def draw_charts(content: ReportContent) -> Charts:
    return Charts(
        rag=rag_chart(content.rag_counts),
        trends={h.metric_id: trend_chart(f"{h.metric_id} {h.name}", h.unit, h.trend)
                for h in content.headlines},
        districts={h.metric_id: district_chart(f"{h.metric_id} {h.name}", h.unit, h.districts,
                                               h.county)
                   for family in content.families for h, _ in content.district_table(family)[1]},
        breakdowns={b.title: breakdown_chart(b.title, b.points) for b in content.breakdowns},
    )


def render_html(content: ReportContent, charts: Charts) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("report.html.j2").render(
        c=content, charts=charts, inline=_inline_svg, css_string=_css_string)


def _inline_svg(chart: Chart) -> Markup:
    """The chart's SVG, labelled for screen readers with its alt text."""
    return Markup(chart.svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(chart.alt)}" ', 1))


def _css_string(text: str) -> Markup:
    """`text` as a quoted CSS string for the template's <style> (page margin boxes): quotes,
    backslashes, angle brackets and ampersands as CSS escapes, so no name can end the rule or the
    element."""
    return Markup('"' + "".join(f"\\{ord(ch):06x}" if ch in '"\\<>&' or not ch.isprintable()
                                else ch for ch in text) + '"')


def write_report(folder: Path, content: ReportContent) -> dict[str, int]:
    """Write impact-report-<year>.html and .pdf; returns, per file, the headline metrics it shows
    (the manifest's row count)."""
    charts = draw_charts(content)
    html_name = f"impact-report-{content.reporting_year}.html"
    pdf_name = f"impact-report-{content.reporting_year}.pdf"
    html = render_html(content, charts)
    (Path(folder) / html_name).write_text(html, encoding="utf-8")
    print_pdf(html, Path(folder) / pdf_name)
    return {html_name: len(content.headlines), pdf_name: len(content.headlines)}
