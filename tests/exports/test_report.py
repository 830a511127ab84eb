"""The pack's HTML and PDF report, written by write_pack and read back (html.parser, pypdf)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from pack_snapshot import CATALOGUE, TOC, YEAR
from pypdf import PdfReader
from report_snapshot import EARLIER, HIDDEN

from exports.disclosure import suppression_flags
from exports.report import format_value
from exports.report_charts import ACCENT, Point, district_chart

HTML = f"impact-report-{YEAR}.html"
PDF = f"impact-report-{YEAR}.pdf"
RAG = {indicator[0]: indicator[-1] for indicator in TOC}


class ReportParser(HTMLParser):
    """Collects every URL-bearing attribute, the tags used, and each table as rows of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "action")]
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption or f"table {len(self.tables) + 1}"] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        if self._cell is not None:
            self._cell.append(data)


def parse(path: Path) -> ReportParser:
    parser = ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def table(parser: ReportParser, caption: str) -> list[dict[str, str]]:
    """The table's rows as dicts by column heading; group headings (one spanning cell) left out."""
    rows = parser.tables[caption]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if len(row) > 1]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts += [v or "" for k, v in attrs if k in ("aria-label", "title", "alt", "data-fact")]

    def handle_data(self, data):
        self.parts.append(data)


def html_text(path: Path) -> str:
    """What a reader of the HTML sees or hears (text, chart labels, alt text), not SVG geometry."""
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(parser.parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_html_is_self_contained(report_pack):
    html = (report_pack.folder / HTML).read_text(encoding="utf-8")
    parser = parse(report_pack.folder / HTML)
    assert parser.urls, "the contents links should have been found"
    for url in parser.urls:
        assert url.startswith(("#", "data:")), url
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert not re.search(r"url\((?!#)|@import|https?://(?!www\.w3\.org/)", html)  # SVG xmlns only
    assert html.count("<svg") == 1 + 6 + 6  # RAG, a trend and a district chart per headline
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # the inlined charts do not share element ids


def test_html_has_headlines_indicators_gate_and_markers(report_pack):
    parser = parse(report_pack.folder / HTML)
    html = (report_pack.folder / HTML).read_text(encoding="utf-8")
    assert "passed with 1 warning" in html and "year-on-year change is at most 50%" in html
    headline = {r["Metric"]: r for r in table(parser, f"Headline metrics for Oxfordshire as a whole, {YEAR}")}
    for metric_id, name, *_ in CATALOGUE:
        assert headline[metric_id]["Name"] == name
    # money by magnitude, shares to 0.1%, a mean with its interval (the interval in its own span)
    assert headline["PP01"]["Value (95% CI)"] == "£1.2m" and headline["PP02"]["Value (95% CI)"] == "44.0%"
    assert headline["WB01"]["Value (95% CI)"] == "7.37.1 to 7.5"  # 7.3, then "7.1 to 7.5"
    assert headline["PP01"]["Last year"] == "£988k"
    assert headline["PP01"]["Change on last year"].startswith("+£247k: up")
    assert headline["WB01"]["Change on last year"].startswith("not comparable: withheld")
    trend = {r["Metric"]: r for r in table(parser, "Headline metrics by reporting year (the data "
                                                   "in the charts above)")}
    assert trend["PP01"][EARLIER] == "£988k" and trend["PP01"][YEAR] == "£1.2m"
    assert trend["WB01"][EARLIER] == "[c]" and trend["WB01"][YEAR] == "7.37.1 to 7.5"  # with its interval

    toc = {r["Indicator"]: r for r in table(parser, f"Theory of Change indicators, {YEAR}")}
    names = {"green": "On track", "amber": "Improving, behind the line", "red": "Not improving",
             "grey": "No data"}
    assert {i: r["Rating"] for i, r in toc.items()} == {i: names[s] for i, s in RAG.items()}
    assert toc["T2"]["Working group"] == "Inclusive employment"  # a label, not inclusive_employment
    counts = {r["Rating"]: r["Indicators"] for r in table(parser, "What the ratings mean")}
    assert counts == {"On track": "1", "Improving, behind the line": "1", "Not improving": "1",
                      "No clear change": "0", "No data": "1"}

    # every district cell that the masked metrics.csv shows as [c] is [c] in the report too
    with (report_pack.folder / "metrics.csv").open(encoding="utf-8", newline="") as f:
        masked = [r for r in csv.DictReader(f) if r["geography_level"] == "district"]
    districts = {}
    for family in ("Employment", "Procurement", "Wellbeing"):
        for row in table(parser, f"{family}: values by district (the data in the charts above)"):
            districts[row["Metric"].split()[0]] = row
    withheld = [(r["metric_id"], r["geography_name"]) for r in masked if r["value"] == "[c]"]
    assert len(withheld) >= 5
    for metric_id, area in withheld:
        assert districts[metric_id][area] == "[c]", (metric_id, area)
    assert districts["FE01"]["Cherwell"] == "0" and districts["FE01"]["Oxfordshire"] == "100"  # the area, by name


def test_first_page_gives_key_messages_in_plain_english(report_pack):
    """The first thing a steering group reads: what improved, what did not, what cannot be said
    and why, against the Theory of Change, with changes on last year; no run id, no ISO date."""
    first = PdfReader(report_pack.folder / PDF).pages[0].extract_text()
    for text in ("At a glance", "Improved: 2 of 4 indicators", "Did not improve: Enrolled",
                 "Cannot be said: Wellbeing (no data", "What improved", "Local spend: 44.0%"):
        assert text in first, text
    assert "run-1" not in first and "T00:00" not in first and "+00:00" not in first
    appendix = PdfReader(report_pack.folder / PDF).pages[-1].extract_text()
    assert "Technical details" in appendix and "run-1" in appendix and "abc123" in appendix
    assert "Reference data" in appendix


def hidden_strings(snapshot: Path) -> set[str]:
    """Every suppressed value as the report would print it, where that text is distinctive."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        metrics = con.sql("select * from marts.metrics").df()
        catalogue = con.sql("select * from marts.metric_catalogue").df()
    flagged = suppression_flags(metrics, catalogue)
    texts = set()
    for r in flagged[flagged["suppression"].notna() & flagged["value"].notna()].itertuples():
        texts |= {format_value(r.value, r.unit), f"{r.value:g}"}
    return {t for t in texts if len(t.strip("%£")) >= 4}


def test_no_suppressed_value_reaches_the_html_or_the_pdf(report_pack):
    snapshot = report_pack.folder.parents[2] / "published.duckdb"
    hidden = hidden_strings(snapshot)
    assert {"4,321", "6.83", "5.87", "33.3%"} <= hidden, hidden  # the test can fail
    assert {format_value(v, "count" if m == "FE01" else "mean") for (m, _, _), v in HIDDEN.items()
            } <= hidden
    html = html_text(report_pack.folder / HTML)
    text = pdf_text(report_pack.folder / PDF)
    assert "£1.2m" in html and "£1.2m" in text  # a published value is found in both
    for value in hidden:
        assert value not in html, value
        assert value not in text, value
    assert "210.0" not in html and "210.0" not in text  # the gate's observed values stay out


def test_pdf_opens_with_pages_title_and_year(report_pack):
    reader = PdfReader(report_pack.folder / PDF)
    assert len(reader.pages) > 1
    first = reader.pages[0].extract_text()
    assert "Oxfordshire Inclusive Economy Partnership" in first and YEAR in first
    assert reader.metadata.title == f"Oxfordshire Inclusive Economy Partnership: impact report {YEAR}"
    text = pdf_text(report_pack.folder / PDF)
    assert "[c]" in text and "£" in text and "—" in text  # DejaVu Sans: not Latin-1 only
    for indicator_id in RAG:
        assert indicator_id in text


def test_manifest_lists_the_report_files_with_sha256(report_pack):
    manifest = json.loads((report_pack.folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    for name in (HTML, PDF):
        assert (report_pack.folder / name) in report_pack.files
        assert listed[name]["sha256"] == hashlib.sha256(
            (report_pack.folder / name).read_bytes()).hexdigest()
        assert listed[name]["rows"] == len(CATALOGUE)  # headline metrics shown


def test_a_suppressed_district_gets_no_bar_and_the_marker():
    districts = [Point("Cherwell", 12.5, "12.5%"), Point("Oxford", None, "[c]"),
                 Point("South Oxfordshire", 40.0, "40.0%")]
    chart = district_chart("PP02 Spend", "pct", districts, Point("Oxfordshire", 30.0, "30.0%"))
    again = district_chart("PP02 Spend", "pct", districts, Point("Oxfordshire", 30.0, "30.0%"))
    assert chart.svg == again.svg  # stable ids: the same figures give the same file
    assert ">[c]<" in chart.svg and "Oxford [c]" in chart.alt
    assert chart.svg.count(f"fill: {ACCENT.lower()}") == 2  # one bar per published district
    assert chart.svg.startswith("<svg") and chart.width_in == pytest.approx(3.4)
