"""Tables in the report's PDF, paginated by measured row heights so that no page carries a stray
few rows of a table: a table starts on a new page rather than leave fewer than `MIN_ROWS` of its
rows at the foot of one, and its last page gets at least `MIN_ROWS` rows (fewer only when the whole
table is shorter). Row heights come from fpdf2's own line breaking (`multi_cell(dry_run=True)`).
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT = "DejaVu"  # registered by the report's PDF class
ACCENT = (31, 78, 120)
TEXT = 8.0  # the smallest type on any page
MIN_ROWS = 4
GAP_AFTER = 3.0  # mm below every table
PADDING = (1.2, 1.2)  # mm: vertical, horizontal (scaled with the font size)


def table(pdf: FPDF, headings: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float], *, fills: dict[tuple[int, int], tuple] | None = None,
           numeric: set[int] = frozenset(), show_headings: bool = True, size: float = TEXT) -> None:
    """Draw a table, split into pages (see the module docstring)."""
    def draw(start: int, chunk: Sequence[Sequence[str]]) -> None:
        _draw_table(pdf, headings, chunk, widths, fills={(r - start, c): f for (r, c), f in (
            fills or {}).items() if start <= r < start + len(chunk)}, numeric=numeric,
            show_headings=show_headings, size=size)

    heights = [_measure(pdf, row, widths, size) for row in rows]
    head = (_measure(pdf, headings, widths, size, bold=True) if show_headings else 0.0) + GAP_AFTER
    for start, chunk in _pages(pdf, heights, head):
        draw(start, rows[start:start + chunk])
        if start + chunk < len(rows):
            pdf.add_page()


def _measure(pdf: FPDF, cells: Sequence[str], widths: Sequence[float], size: float, *,
             bold: bool = False) -> float:
    """A row's height in mm as the table will draw it: its tallest cell's wrapped lines."""
    pdf.set_font(FONT, "B" if bold else "", size)
    lines = 1
    for col, text in enumerate(cells):
        share = sum(widths[col:]) if col == len(cells) - 1 else widths[col]  # the last cell spans
        width = pdf.epw * share - 2 * PADDING[1] * size / 7.5
        lines = max(lines, len(pdf.multi_cell(width, size * 0.53, str(text), dry_run=True,
                                              output="LINES")))
    return lines * size * 0.53 + 2 * PADDING[0] + 0.4


def _pages(pdf: FPDF, heights: list[float], head: float, *, moved: bool = False) -> list[tuple[int, int]]:
    """(first row, rows) per page: greedy, then balanced so that no page holds fewer than
    MIN_ROWS rows; a table that would leave fewer at the foot of this page starts on the next."""
    page_room = pdf.page_break_trigger - pdf.t_margin - head
    room = pdf.page_break_trigger - pdf.get_y() - head
    pages: list[list[int]] = [[]]
    for i, h in enumerate(heights):
        if room < h and (pages[-1] or len(pages) == 1):
            pages.append([])
            room = page_room
        pages[-1].append(i)
        room -= h
    if not moved and len(pages) > 1 and len(pages[0]) < min(MIN_ROWS, len(heights)):
        pdf.add_page()
        return _pages(pdf, heights, head, moved=True)
    pages = [page for page in pages if page]
    while len(pages) > 1 and len(pages[-1]) < MIN_ROWS and len(pages[-2]) > MIN_ROWS:
        pages[-1].insert(0, pages[-2].pop())
    return [(page[0], len(page)) for page in pages]


def _draw_table(pdf: FPDF, headings: Sequence[str], rows: Sequence[Sequence[str]],
                widths: Sequence[float], *, fills: dict[tuple[int, int], tuple] | None,
                numeric: set[int], show_headings: bool, size: float) -> None:
    pdf.set_font(FONT, "", size)
    heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
    with pdf.table(col_widths=tuple(widths), width=pdf.epw, text_align="LEFT",
                   first_row_as_headings=show_headings, headings_style=heading_style,
                   line_height=size * 0.53, padding=(PADDING[0], PADDING[1] * size / 7.5), v_align="TOP") as table:
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
    pdf.ln(GAP_AFTER)
