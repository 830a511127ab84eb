"""The report as an A4 PDF (fpdf2), from the same content model and charts as the HTML.

fpdf2's core fonts are Latin-1 only; matplotlib ships DejaVu Sans, a Unicode font, so "£", "–"
and "—" render and the text is extractable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from exports.report_charts import RAG_LABELS

if TYPE_CHECKING:
    from exports.report import Charts, ReportContent
    from exports.report_charts import Chart

FONT = "DejaVu"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
ACCENT = (31, 78, 120)
MUTED = (91, 100, 112)
RAG_FILLS = {"green": (198, 239, 206), "amber": (255, 235, 156), "red": (255, 199, 206),
             "grey": (217, 217, 217)}
FAMILY_FILL = (238, 242, 247)


class _ReportPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(True, margin=16)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.report_title} — page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def write_pdf(path: Path, content: ReportContent, charts: Charts) -> None:
    pdf = _ReportPDF(content.title)
    pdf.set_title(content.title)
    pdf.set_author("Impact warehouse")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(content.produced_at)
    _cover(pdf, content)
    _summary(pdf, content, charts)
    _headlines(pdf, content)
    _trends(pdf, content, charts)
    _districts(pdf, content, charts)
    pdf.output(str(path))


def _cover(pdf: _ReportPDF, content: ReportContent) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 20)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 9, content.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, f"Reporting year {content.reporting_year} — quality gate: "
                         f"{content.gate_status}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    _heading(pdf, "About this report")
    rows = [[label, "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)]
            for label, value in content.cover]
    _table(pdf, ["", ""], rows, (0.24, 0.76), show_headings=False)


def _summary(pdf: _ReportPDF, content: ReportContent, charts: Charts) -> None:
    pdf.add_page()
    _heading(pdf, "Theory of Change: RAG summary")
    if not content.indicators:
        _paragraph(pdf, "No Theory of Change indicators in this snapshot.")
        return
    _chart_grid(pdf, [charts.rag], columns=1, width=150)
    _table(pdf, ["Status", "Meaning", "Indicators"],
           [[s.capitalize(), RAG_LABELS[s].split(": ", 1)[1], str(n)] for s, _, n in
            content.rag_counts],
           (0.2, 0.6, 0.2), fills={(i, 0): RAG_FILLS[s] for i, (s, _, _) in
                                   enumerate(content.rag_counts)}, numeric={2})
    rows = [[i.indicator_id, i.working_group, i.toc_level, i.name, i.metric_id, i.actual,
             i.baseline, i.target, i.rag.capitalize()] for i in content.indicators]
    _table(pdf, ["Indicator", "Working group", "Level", "Name", "Metric", "Actual", "Baseline",
                 "Target", "RAG"], rows,
           (0.1, 0.14, 0.08, 0.2, 0.07, 0.09, 0.12, 0.12, 0.08),
           fills={(r, 8): RAG_FILLS[i.rag] for r, i in enumerate(content.indicators)},
           numeric={5, 6, 7})


def _headlines(pdf: _ReportPDF, content: ReportContent) -> None:
    pdf.add_page()
    _heading(pdf, f"Headline metrics, {content.reporting_year}")
    _paragraph(pdf, f"County-level values. {content.marker} marks a value withheld to protect "
                    "confidentiality (see About this report).")
    rows, fills = [], {}
    for family in content.families:
        fills[(len(rows), 0)] = FAMILY_FILL
        rows.append([family])  # one cell spanning the row
        rows += [[h.metric_id, h.name, h.value, h.interval, h.note]
                 for h in content.in_family(family)]
    _table(pdf, ["Metric", "Name", "Value", "95% CI", "Note"], rows,
           (0.14, 0.38, 0.15, 0.18, 0.15), fills=fills, numeric={2, 3})


def _trends(pdf: _ReportPDF, content: ReportContent, charts: Charts) -> None:
    pdf.add_page()
    _heading(pdf, "Headline metrics across years")
    _paragraph(pdf, f"County value in each reporting year up to {content.reporting_year}. A year "
                    f"marked {content.marker} is withheld and not plotted.")
    for family in content.families:
        family_charts = [charts.trends[h.metric_id] for h in content.in_family(family)]
        _heading(pdf, family, size=11, keep=_row_height(pdf, family_charts))
        _chart_grid(pdf, family_charts)
    years = content.years
    rows = [[h.metric_id, h.name, *[next((p.text for p in h.trend if p.label == y), "")
                                    for y in years]] for h in content.headlines]
    share = 0.72 / max(len(years), 1)
    _heading(pdf, "Headline metrics by reporting year", size=11)
    _table(pdf, ["Metric", "Name", *years], rows, (0.11, 0.17, *[share] * len(years)),
           numeric=set(range(2, 2 + len(years))), size=6.5)


def _districts(pdf: _ReportPDF, content: ReportContent, charts: Charts) -> None:
    pdf.add_page()
    _heading(pdf, f"Districts compared, {content.reporting_year}")
    _paragraph(pdf, "Each district's value; for percentages, means and ratios the dashed line is "
                    f"the county value. A district marked {content.marker} is withheld and has "
                    "no bar.")
    for family in content.families:
        areas, cells = content.district_table(family)
        if not cells:
            continue
        family_charts = [charts.districts[h.metric_id] for h, _ in cells]
        _heading(pdf, family, size=11, keep=_row_height(pdf, family_charts))
        _chart_grid(pdf, family_charts)
        share = 0.7 / (len(areas) + 1)
        _table(pdf, ["Metric", *areas, "County"],
               [[f"{h.metric_id} {h.name}", *texts, h.county.text] for h, texts in cells],
               (0.3, *[share] * (len(areas) + 1)), numeric=set(range(1, len(areas) + 2)))


def _heading(pdf: _ReportPDF, text: str, *, size: float = 14, keep: float = 30) -> None:
    """A heading, on a new page unless `keep` mm of what follows it fit below it."""
    if pdf.get_y() + size * 0.5 + 4 + keep > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, "B", size)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)


def _paragraph(pdf: _ReportPDF, text: str) -> None:
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)


def _row_height(pdf: _ReportPDF, charts: Sequence[Chart], columns: int = 2, gap: float = 4) -> float:
    w = (pdf.epw - gap * (columns - 1)) / columns
    return max((w * c.height_in / c.width_in for c in charts[:columns]), default=0.0)


def _chart_grid(pdf: _ReportPDF, charts: Sequence[Chart], *, columns: int = 2,
                width: float | None = None, gap: float = 4) -> None:
    """Charts as PNG images, `columns` to a row, starting a new page when a row would not fit."""
    w = width or (pdf.epw - gap * (columns - 1)) / columns
    for start in range(0, len(charts), columns):
        row = charts[start:start + columns]
        h = max(w * c.height_in / c.width_in for c in row)
        if pdf.get_y() + h > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        for i, chart in enumerate(row):
            pdf.image(io.BytesIO(chart.png), x=pdf.l_margin + i * (w + gap), y=y, w=w,
                      alt_text=chart.alt)
        pdf.set_y(y + h + gap)


def _table(pdf: _ReportPDF, headings: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float], *, fills: dict[tuple[int, int], tuple] | None = None,
           numeric: set[int] = frozenset(), show_headings: bool = True, size: float = 7.5) -> None:
    pdf.set_font(FONT, "", size)
    heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
    with pdf.table(col_widths=tuple(widths), width=pdf.epw, text_align="LEFT",
                   first_row_as_headings=show_headings, headings_style=heading_style,
                   line_height=size * 0.53, padding=(1.2, 1.2 * size / 7.5), v_align="TOP") as table:
        if show_headings:
            heading = table.row()
            for text in headings:
                heading.cell(text)
        for r, cells in enumerate(rows):
            row = table.row()
            for col, text in enumerate(cells):
                fill = (fills or {}).get((r, col))
                row.cell(text, align="RIGHT" if col in numeric else "LEFT",
                         style=FontFace(fill_color=fill) if fill else None,
                         colspan=len(widths) - col if col == len(cells) - 1 else 1)
    pdf.ln(3)
