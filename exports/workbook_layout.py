"""How the pack's workbook looks on screen and on paper: cell formats, column widths, the print
scale that keeps every printed character at 8 pt or more, and the synthetic-data banner.

Spreadsheet clients do not size rows of wrapped text on opening, and "fit to one page wide"
shrinks a wide sheet to whatever it takes (the headline sheet printed at about 5 pt). Instead
each sheet prints one page wide, and its columns are chosen so that the scale that takes stays at
`MIN_PRINT_SCALE` or more: a sheet too wide for it is a layout error here (`print_scale`), not a
smaller font on paper. The rendered-page test measures the printed sizes in LibreOffice.
"""

from __future__ import annotations

import math
from typing import Any

import xlsxwriter

FONT_NAME = "Arial"  # in every office suite (LibreOffice maps it to the metric-compatible Liberation Sans)
FONT_SIZE = 10  # body text; printed at FONT_SIZE x scale
MIN_PRINTED_PT = 8.0
MIN_PRINT_SCALE = math.ceil(100 * MIN_PRINTED_PT / FONT_SIZE)  # 80%
BOOK_OPTIONS = {"nan_inf_to_errors": True,
                "default_format_properties": {"font_name": FONT_NAME, "font_size": FONT_SIZE}}
PAGE_WIDTH_IN = 11.69 - 2 * 0.4  # A4 landscape less the side margins
RAG_FILLS = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE", "no_clear_change": "#DBE5F1",
             "grey": "#D9D9D9"}
UNIT_FORMATS = {"gbp": "£#,##0", "pct": "0.0%", "count": "#,##0", "mean": "0.00",
                "score": "0.00", "wellby": "#,##0", "ratio": "0.0"}
# money estimated from a survey sample is not meant to the pound: thousands of pounds
ESTIMATE_FORMATS = {**UNIT_FORMATS, "gbp": '£#,##0,"k"'}
CHANGE_FORMATS = {"gbp": '+£#,##0;-£#,##0;£0', "pct": '+0.0" points";-0.0" points";0.0" points"',
                  "count": "+#,##0;-#,##0;0", "mean": "+0.00;-0.00;0.00", "score": "+0.00;-0.00;0.00",
                  "wellby": "+#,##0;-#,##0;0", "ratio": "+0.0;-0.0;0.0"}
LINE_PT = 13  # height of a line of 10 pt text
MAX_ROW_PT = 409  # the tallest row a spreadsheet allows
CHARS_PER_LINE = 1.1  # characters of 10 pt text per unit of column width, roughly


class Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        def add(**spec: Any) -> Any:
            return book.add_format({"font_name": FONT_NAME, "font_size": FONT_SIZE, "valign": "top", **spec})

        self.header = add(bold=True, bg_color="#1F4E78", font_color="white", text_wrap=True)
        self.title = add(bold=True, font_size=16, valign="vcenter")
        self.heading = add(bold=True, font_size=13, font_color="#1F4E78")
        self.banner = add(bold=True, font_size=12, font_color="white", bg_color="#7F1D1D",
                          valign="vcenter")
        self.label = add(bold=True)
        self.label_wrap = add(bold=True, text_wrap=True, bg_color="#EEF2F7")
        self.text = add()
        self.wrap = add(text_wrap=True)
        self.muted = add(text_wrap=True, font_color="#4B5563")
        self.marker = add(align="right")
        self.centre = add(align="center")
        self.integer = add(num_format="#,##0")
        self.units = {unit: add(num_format=f) for unit, f in UNIT_FORMATS.items()}
        self.estimates = {unit: add(num_format=f) for unit, f in ESTIMATE_FORMATS.items()}
        self.changes = {unit: add(num_format=f) for unit, f in CHANGE_FORMATS.items()}
        self.share = add(num_format="0%")
        self.rag = {k: add(bg_color=c, border=1, text_wrap=True) for k, c in RAG_FILLS.items()}


def print_scale(widths: list[float]) -> int:
    """The largest print scale (%) at which columns of these widths fit the page's width."""
    # LibreOffice lays a unit of width out at up to about 8.6 px with Arial 10 (Excel at 7): the
    # wider of the two decides, so the sheet fits either at the scale computed here
    pixels = sum(8.6 * w + 5 for w in widths)
    return max(10, min(100, math.floor(100 * PAGE_WIDTH_IN * 96 / pixels)))


def lines_needed(text: str, width: float) -> int:
    """Rows of wrapped text a cell of `width` needs (each paragraph on its own lines)."""
    per_line = max(1, int(width * CHARS_PER_LINE))
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def set_columns(sheet: Any, widths: list[float]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.impact_widths = list(widths)  # read back by print_setup


def banner(sheet: Any, fmt: Formats, notice: str, columns: int) -> int:
    """The synthetic-data banner across the sheet's first row; returns the first free row."""
    if not notice:
        return 0
    if columns > 1:
        sheet.merge_range(0, 0, 0, columns - 1, notice, fmt.banner)
    else:
        sheet.write(0, 0, notice, fmt.banner)
    sheet.set_row(0, 20)
    return 1


def print_setup(sheet: Any, title: str, notice: str, header_rows: int) -> None:
    """A4 landscape at a scale where 10 pt prints at 8 pt or more; the heading rows repeat on each
    page; the header says what the pack is (and that it is synthetic, for a demo)."""
    widths = getattr(sheet, "impact_widths", [])
    scale = print_scale(widths) if widths else 100
    if scale < MIN_PRINT_SCALE:
        raise ValueError(f"sheet {sheet.name!r} is too wide to print at {MIN_PRINTED_PT} pt "
                         f"({scale}% scale): narrow its columns")
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide: columns never spill onto pages of their own
    sheet.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    left = (notice or title).replace("&", "&&")  # a demo says it is synthetic on every page
    sheet.set_header(f"&L&9&B{left}&R&9&A", {"scale_with_doc": False})
    sheet.set_footer("&R&9Page &P of &N", {"scale_with_doc": False})
