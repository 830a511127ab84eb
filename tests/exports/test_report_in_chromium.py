"""The report opened by a real browser: headless Chromium takes a screenshot and prints it to PDF.
Skipped where Chromium is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pack_snapshot import YEAR
from PIL import Image
from pypdf import PdfReader

HTML = f"impact-report-{YEAR}.html"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if not found:
        pytest.skip("chromium not installed: apt-get install chromium")
    return found


def run_chromium(tmp_path: Path, *args: str) -> None:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=180)


def test_chromium_renders_the_report(report_pack, tmp_path: Path):
    shot = tmp_path / "report.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2400",
                 (report_pack.folder / HTML).as_uri())
    assert shot.stat().st_size > 20_000
    with Image.open(shot) as image:
        assert image.size == (1280, 2400)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # text, tables and charts, not a blank page


def test_chromium_prints_the_report_to_a4_pages(report_pack, tmp_path: Path):
    printed = tmp_path / "printed.pdf"
    run_chromium(tmp_path, f"--print-to-pdf={printed}", "--no-pdf-header-footer",
                 (report_pack.folder / HTML).as_uri())
    reader = PdfReader(printed)
    assert len(reader.pages) >= 4  # the print CSS starts each section on a new page
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points, from @page
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert f"impact report {YEAR}" in text and "[c]" in text
    first = reader.pages[0].extract_text()
    # the contents list is screen only, and the indicators start a page of their own
    assert "At a glance" in first and "Theory of Change indicators" not in first
    assert any("Theory of Change indicators" in page.extract_text() for page in reader.pages[1:3])
