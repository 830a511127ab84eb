"""The report as an A4 PDF (fpdf2), from the same content model and charts as the HTML.

fpdf2's core fonts are Latin-1 only; matplotlib ships DejaVu Sans, a Unicode font, so "£", "–"
and "−" render and the text is extractable. No text is set below 8 pt; tables are paginated
without stray rows (`exports.report_pdf_tables`). A synthetic (demo) report says so at the top
of every page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from fpdf import FPDF

from exports.report_pdf_tables import FONT, TEXT, table

if TYPE_CHECKING:
    from exports.report import Charts, ReportContent
    from exports.report_charts import Chart

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
ACCENT = (31, 78, 120)
MUTED = (75, 85, 99)
WARNING = (127, 29, 29)
RAG_FILLS = {"green": (198, 239, 206), "amber": (255, 235, 156), "red": (255, 199, 206),
             "no_clear_change": (219, 229, 241), "grey": (217, 217, 217)}
FAMILY_FILL = (238, 242, 247)


class _ReportPDF(FPDF):
    def __init__(self, title: str, notice: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title, self.notice = title, notice
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(14, 16 if notice else 14, 14)
        self.set_auto_page_break(True, margin=16)

    def header(self) -> None:
        if not self.notice:
            return
        self.set_xy(0, 4)
        self.set_fill_color(*WARNING)
        self.set_text_color(255, 255, 255)
        self.set_font(FONT, "B", 9)
        self.cell(self.w, 6, self.notice, align="C", fill=True)
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", TEXT)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.report_title} — page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def write_pdf(path: Path, content: ReportContent, charts: Charts) -> None:
    pdf = _ReportPDF(content.title, content.notice)
    pdf.set_title(content.title)
    pdf.set_author("Impact warehouse")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(content.produced_at)
    _summary(pdf, content)
    _indicators(pdf, content, charts)
    _headlines(pdf, content)
    _trends(pdf, content, charts)
    _districts(pdf, content, charts)
    _charter(pdf, content, charts)
    _appendix(pdf, content)
    pdf.output(str(path))


def _summary(pdf: _ReportPDF, content: ReportContent) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, content.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    _paragraph(pdf, content.subtitle, size=10, colour=(0, 0, 0))
    _heading(pdf, f"At a glance: {content.reporting_year}", size=13, keep=20)
    _paragraph(pdf, content.summary.lede, size=9.5, colour=(0, 0, 0))
    for point in content.summary.key_points:
        pdf.set_fill_color(238, 242, 247)
        pdf.set_font(FONT, "B", 9.5)
        pdf.multi_cell(0, 5, point, align="L", fill=True, new_x="LMARGIN", new_y="NEXT", padding=(0.6, 2))
    pdf.ln(1)
    for section in content.summary.sections:
        _heading(pdf, section.title, size=11, keep=14)
        _paragraph(pdf, section.explanation)
        for message in section.messages or ():
            _bullet(pdf, message.text, message.caveat)
        if not section.messages:
            _paragraph(pdf, "None this year.")
    _heading(pdf, "Read with care", size=11, keep=14)
    for caveat in content.summary.caveats:
        _bullet(pdf, caveat, "", size=TEXT + 0.5)


def _indicators(pdf: _ReportPDF, content: ReportContent, charts: Charts) -> None:
    pdf.add_page()
    _heading(pdf, f"Theory of Change indicators, {content.reporting_year}")
    if not content.indicators:
        _paragraph(pdf, "No Theory of Change indicators in this snapshot.")
        return
    _chart_grid(pdf, [charts.rag], columns=1, width=150)
    table(pdf, ["Rating", "Meaning", "Indicators"],
           [[name, meaning, str(content.rag_counts[i][2])] for i, (_, name, meaning) in
            enumerate(content.rag_meanings)],
           (0.22, 0.63, 0.15), fills={(i, 0): RAG_FILLS[s] for i, (s, _, _) in
                                       enumerate(content.rag_meanings)}, numeric={2})
    rows = [[i.indicator_id, i.working_group, i.name + (f" ({i.data_quality})" if i.data_quality else ""),
             i.actual.spoken, i.baseline, i.line, i.target, i.rag_name] for i in content.indicators]
    table(pdf, ["Indicator", "Working group", "Name", "Actual (95% CI)", "Baseline", "On track at",
                 "Target", "Rating"], rows, (0.1, 0.13, 0.21, 0.14, 0.1, 0.08, 0.1, 0.14),
           fills={(r, 7): RAG_FILLS[i.rag] for r, i in enumerate(content.indicators)},
           numeric={3, 4, 5, 6})


def _headlines(pdf: _ReportPDF, content: ReportContent) -> None:
    pdf.add_page()
    _heading(pdf, f"Headline metrics, {content.reporting_year}")
    _paragraph(pdf, f"Values for {content.area} as a whole, with 95% confidence intervals for survey "
                    f"figures. {content.marker} marks a value withheld to protect confidentiality.")
    rows, fills = [], {}
    for family in content.families:
        fills[(len(rows), 0)] = FAMILY_FILL
        rows.append([family])  # one cell spanning the row
        rows += [[h.metric_id, h.name, h.value.spoken, h.change.previous,
                  f"{h.change.change}: {h.change.verdict}" if h.change.change else h.change.verdict,
                  h.note] for h in content.in_family(family)]
    table(pdf, ["Metric", "Name", "Value (95% CI)", "Last year", "Change on last year", "Note"], rows,
           (0.12, 0.19, 0.15, 0.09, 0.19, 0.26), fills=fills, numeric={2, 3})


def _trends(pdf: _ReportPDF, content: ReportContent, charts: Charts) -> None:
    pdf.add_page()
    _heading(pdf, "Headline metrics across years")
    _paragraph(pdf, f"County value in each reporting year up to {content.reporting_year}, from the "
                    "first year with data; whiskers show 95% confidence intervals. A year marked "
                    f"{content.marker} is withheld and not plotted; 'no data' is not zero.")
    for family in content.families:
        family_charts = [charts.trends[h.metric_id] for h in content.in_family(family)]
        _heading(pdf, family, size=11, keep=_row_height(pdf, family_charts))
        _chart_grid(pdf, family_charts)
    years = content.years
    rows = [[h.metric_id, *[next((_with_interval(p) for p in h.trend if p.label == y), "") for y in years]]
            for h in content.headlines]
    _heading(pdf, "Headline metrics by reporting year", size=11)
    table(pdf, ["Metric", *years], rows, (0.12, *[0.88 / max(len(years), 1)] * len(years)),
           numeric=set(range(1, 1 + len(years))))


def _districts(pdf: _ReportPDF, content: ReportContent, charts: Charts) -> None:
    pdf.add_page()
    _heading(pdf, f"Districts compared, {content.reporting_year}")
    _paragraph(pdf, "Each district's value, with 95% confidence intervals as whiskers for survey "
                    "figures; for percentages, means and ratios the dashed line is the county value. "
                    f"A district marked {content.marker} is withheld and has no bar.")
    for family in content.families:
        areas, cells = content.district_table(family)
        if not cells:
            continue
        family_charts = [charts.districts[h.metric_id] for h, _ in cells]
        _heading(pdf, family, size=11, keep=_row_height(pdf, family_charts))
        _chart_grid(pdf, family_charts)
        share = 0.76 / (len(areas) + 1)
        table(pdf, ["Metric", *areas, "County"],
               [[h.metric_id, *[_with_interval(p) for p in points], _with_interval(h.county)]
                for h, points in cells],
               (0.24, *[share] * (len(areas) + 1)), numeric=set(range(1, len(areas) + 2)))


def _charter(pdf: _ReportPDF, content: ReportContent, charts: Charts) -> None:
    if not content.breakdowns:
        return
    pdf.add_page()
    _heading(pdf, f"Charter breakdowns, {content.reporting_year}")
    _paragraph(pdf, "Charter signatories by sector and by size, and active pledges by the Charter's "
                    f"eight priority areas, for {content.area}. Zero means none; {content.marker} marks "
                    "a value withheld.")
    _chart_grid(pdf, [charts.breakdowns[b.title] for b in content.breakdowns])


def _appendix(pdf: _ReportPDF, content: ReportContent) -> None:
    pdf.add_page()
    _heading(pdf, "Technical details")
    _paragraph(pdf, "How this pack was produced, for the partnership's analysts and auditors.")
    rows = [[label, "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)]
            for label, value in content.appendix]
    table(pdf, ["", ""], rows, (0.24, 0.76), show_headings=False)
    _heading(pdf, "Reference data", size=11, keep=12)
    if content.reference_data:
        keys = list(content.reference_data[0])
        widths = {"Dataset": 0.18, "Edition": 0.2, "Source": 0.42, "Synthetic": 0.12, "Rows": 0.08}
        table(pdf, keys, [[str(r.get(k, "")) for k in keys] for r in content.reference_data],
              [widths.get(k, 0.1) for k in keys], numeric={keys.index("Rows")} if "Rows" in keys else set())
    else:
        _paragraph(pdf, "The snapshot does not record the provenance of its reference data (district "
                        "and LSOA lists, IMD 2019, WELLBY values, Real Living Wage rates); see "
                        "definitions.csv for what each metric uses.")


def _with_interval(point) -> str:
    """A table cell: the value, and its 95% interval on the line below where it has one."""
    return f"{point.text}\n({point.interval_text})" if point.interval_text else point.text


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


def _paragraph(pdf: _ReportPDF, text: str, *, size: float = 8.5, colour: tuple = MUTED) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.53, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)


def _bullet(pdf: _ReportPDF, text: str, caveat: str, *, size: float = 9) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_x(pdf.l_margin + 2)
    pdf.cell(4, size * 0.5, "•")
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    if caveat:
        pdf.set_x(pdf.l_margin + 6)
        pdf.set_font(FONT, "", TEXT)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, TEXT * 0.5, f"Note: {caveat}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(0.8)


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
