"""The report's PDF: the HTML report printed by WeasyPrint, so the report is laid out once.

The template's print CSS (`@page` and `@media print` in templates/report.html.j2) makes the pages:
A4, the synthetic-data banner and the page numbers in the page margins, each section on a new page,
table headings repeated on every page a table runs onto, headings kept with what follows them. This
module adds only what a printed file needs and the self-contained HTML must not carry: the fonts,
loaded from the DejaVu Sans files matplotlib ships (the charts' font, and Unicode, so "£", "–" and
"−" print and stay extractable), so the PDF does not depend on the fonts a machine has installed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FACES = {  # (weight, style): matplotlib's file
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}

LOG = logging.getLogger("weasyprint")


class _SvgPresentation(logging.Filter):
    """Drops WeasyPrint's "Ignored `fill: ...`, unknown property" for the charts' inline SVG (the
    HTML stylesheet reader does not know SVG properties; its SVG renderer applies them) and for
    `print-color-adjust`, which tells browsers to print backgrounds, as WeasyPrint always does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.getMessage().startswith("Ignored `")
                    and record.getMessage().endswith("unknown property.")
                    and record.getMessage().split("`")[1].split(":")[0] in SVG_PROPERTIES)


SVG_PROPERTIES = frozenset({"fill", "fill-opacity", "stroke", "stroke-width", "stroke-linecap",
                            "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
                            "stroke-opacity", "stroke-miterlimit", "text-anchor", "clip-path",
                            "print-color-adjust"})


def print_pdf(html: str, path: Path) -> None:
    """Print the report's HTML to `path` as a tagged A4 PDF (title, author, language and date come
    from the HTML's <title>, <meta> and lang)."""
    from weasyprint import CSS, HTML  # here: half a second to import, needed only to print a pack
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    faces = "\n".join(
        f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(FONT_DIR / name).as_uri()}"); }}' for (weight, style), name in FACES.items())
    quiet = _SvgPresentation()
    LOG.addFilter(quiet)
    try:
        HTML(string=html, base_url=str(Path(path).parent)).write_pdf(
            path, stylesheets=[CSS(string=faces, font_config=fonts)], font_config=fonts, pdf_tags=True)
    finally:
        LOG.removeFilter(quiet)
