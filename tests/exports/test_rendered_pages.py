"""The demo pack as the steering group sees it on paper: the workbook printed by LibreOffice
(XLSX -> PDF -> PNG with pdftoppm), the HTML report printed by headless Chromium, and the report's
own PDF. Each is checked for the first page's key messages, the synthetic-data marking on every
page, and the smallest type on any page (no text below 8 pt, measured from the PDF's text: font
size times the text and page matrices). Skipped where LibreOffice, Chromium or pdftoppm is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from test_report_in_chromium import run_chromium

from exports.workbook import (
    BREAKDOWN_COLUMNS,
    CHARTER_COLUMNS,
    DATA_LOG_COLUMNS,
    DEFINITION_COLUMNS,
    HEADLINE_COLUMNS,
    TOC_COLUMNS,
)

pytestmark = pytest.mark.e2e
YEAR = "2024-25"
NOTICE = "SYNTHETIC DEMO DATA"
MIN_PT = 7.95  # 8 pt, less the rounding of a PDF's text matrix


@pytest.fixture(scope="module")
def pack(demo_data_dir) -> Path:
    """The 2024-25 pack `impact demo` published (the orchestration marks it synthetic)."""
    return sorted((demo_data_dir[0] / "exports" / YEAR).glob("r*"))[-1]


def smallest_type(page) -> float:
    """The smallest printed size (pt) of any text on the page."""
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            sizes.append(size * (c * c + d * d) ** 0.5)

    page.extract_text(visitor_text=visit)
    return min(sizes, default=99.0)


def png_of_first_page(pdf: Path, out: Path) -> Path:
    tool = shutil.which("pdftoppm")
    if not tool:
        pytest.skip("pdftoppm not installed (apt-get install poppler-utils)")
    subprocess.run([tool, "-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(out)],
                   check=True, capture_output=True, timeout=120)
    png = out.with_suffix(".png")
    with Image.open(png) as image:
        assert image.width > image.height  # A4 landscape
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20, "a blank page"
    return png


def check_pages(reader: PdfReader, where: str) -> None:
    for number, page in enumerate(reader.pages, start=1):
        assert NOTICE in page.extract_text(), f"{where} page {number} is not marked synthetic"
        assert smallest_type(page) >= MIN_PT, f"{where} page {number}: {smallest_type(page):.2f} pt"


def test_workbook_printed_by_libreoffice(pack: Path, tmp_path: Path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc)")
    workbook = next(pack.glob("*.xlsx"))
    subprocess.run([office, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
                   check=True, capture_output=True, timeout=300)
    printed = tmp_path / f"{workbook.stem}.pdf"
    reader = PdfReader(printed)
    first = reader.pages[0].extract_text()
    for text in ("What improved", "Did not improve:", "Cannot be said:", "Mean life satisfaction"):
        assert text in first, text
    check_pages(reader, "workbook")
    # every table sheet prints one page wide: each page repeats the heading row, last column included
    last = {"Headline metrics": HEADLINE_COLUMNS[-1][1], "Theory of Change": TOC_COLUMNS[-1][1],
            "Charter breakdowns": CHARTER_COLUMNS[-1][1], "Definitions": DEFINITION_COLUMNS[-1][1],
            "Data log": DATA_LOG_COLUMNS[-1][1]}
    for family in ("Employment", "Inequality", "Partnership", "Procurement", "Wellbeing"):
        last[family] = BREAKDOWN_COLUMNS[-1][1]
    checked = 0
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        sheet = next((name for name in last if f"figures {name}" in text.splitlines()[0]), None)
        if sheet:
            assert last[sheet] in text, f"workbook page {number} ({sheet}) lacks its last column"
            checked += 1
    assert checked > 10
    png_of_first_page(printed, tmp_path / "workbook-page-1")


def test_report_printed_by_chromium(pack: Path, tmp_path: Path):
    printed = tmp_path / "report.pdf"
    run_chromium(tmp_path, f"--print-to-pdf={printed}", "--no-pdf-header-footer",
                 (pack / f"impact-report-{YEAR}.html").as_uri())
    reader = PdfReader(printed)
    first = reader.pages[0].extract_text()
    for text in ("At a glance", "Improved:", "Did not improve:", "Cannot be said:", "What improved",
                 "no clear change"):
        assert text in first, text
    check_pages(reader, "report printed by Chromium")
    shot = tmp_path / "report.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600",
                 (pack / f"impact-report-{YEAR}.html").as_uri())
    with Image.open(shot) as image:
        top = image.convert("RGB").crop((0, 0, 1280, 40))
        banner = max(top.getcolors(maxcolors=1 << 16))[1]
    assert banner == (127, 29, 29)  # the synthetic banner heads the page on screen too


def test_report_pdf_has_the_key_messages_first_and_no_orphan_page(pack: Path):
    reader = PdfReader(pack / f"impact-report-{YEAR}.pdf")
    first = reader.pages[0].extract_text()
    assert first.index("At a glance") < first.index("Improved:") < first.index("What improved")
    check_pages(reader, "report PDF")
    for number, page in enumerate(reader.pages, start=1):
        lines = [line for line in page.extract_text().splitlines()
                 if NOTICE not in line and "page " not in line]
        assert len(lines) >= 6 or page.images, f"page {number} holds only {lines}"
