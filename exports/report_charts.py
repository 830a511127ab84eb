"""The report's charts, drawn with matplotlib on the Agg canvas (no display, no pyplot state).

Each chart is drawn once and saved twice: SVG for the HTML report, PNG for the PDF. Charts take
points that are already disclosure-checked: a point is (label, value, text) where value is None
when the cell is suppressed or has no data, and text is what the reader sees ("44.0%", "[c]",
"no data"). A None value is never drawn as a number: it gets its text instead of a bar or point.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

# Accessible RAG colours (fills as in the workbook, darker edges for bars); labels always say it too.
RAG_COLOURS = {"green": "#1A9850", "amber": "#F4A93B", "red": "#C2362B", "grey": "#9E9E9E"}
RAG_LABELS = {"green": "Green: on track", "amber": "Amber: improving, behind the line",
              "red": "Red: not improving", "grey": "Grey: no data or suppressed"}
INK, MUTED, ACCENT = "#1F2933", "#6B7280", "#1F4E78"
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.edgecolor": "#9CA3AF",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 8.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "svg.fonttype": "none",  # text stays text: smaller files, selectable and searchable
    "svg.hashsalt": "impact-report",  # ids from content, not random: same data, same file
    "figure.dpi": 100,
}
PNG_DPI = 150
ZERO_BASED = frozenset({"gbp", "count", "pct"})  # trends of these start at zero; bars always do
# Rates: the county value is a level to compare each district with. Counts and money are often
# (not always) the districts' sum, so their county value is stated, not drawn.
RATES = frozenset({"pct", "mean", "score", "ratio"})
LABEL_BOX = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}


@dataclass(frozen=True)
class Point:
    label: str  # a year or an area
    value: float | None  # None: suppressed or no data, never drawn as a number
    text: str  # what the reader sees


@dataclass(frozen=True)
class Chart:
    svg: str  # an <svg> element, ready to inline (no XML declaration)
    png: bytes
    alt: str
    width_in: float
    height_in: float


def rag_chart(counts: Sequence[tuple[str, str, int]]) -> Chart:
    """Horizontal bars of indicators per RAG status: (status, label, count)."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.4, 1.9))
        ax = fig.add_subplot()
        labels = [f"{label} ({count})" for _, label, count in counts]
        y = list(range(len(counts)))[::-1]
        ax.barh(y, [c for _, _, c in counts], color=[RAG_COLOURS[s] for s, _, _ in counts],
                edgecolor=INK, linewidth=0.4, height=0.65)
        ax.set_yticks(y, labels)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Indicators")
        ax.set_xlim(0, max([c for _, _, c in counts] + [1]) * 1.1)
        ax.set_title("Theory of Change indicators by RAG status")
        fig.tight_layout()
        alt = "Bar chart of Theory of Change indicators by RAG status: " + ", ".join(
            f"{label} {count}" for _, label, count in counts) + "."
        return _render(fig, alt, "rag")


def trend_chart(title: str, unit: str, points: Sequence[Point]) -> Chart:
    """One headline metric across reporting years (a small multiple)."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(3.3, 2.2))
        ax = fig.add_subplot()
        x = list(range(len(points)))
        shown = [(i, p) for i, p in zip(x, points, strict=True) if p.value is not None]
        if shown:
            ax.plot([i for i, _ in shown], [p.value for _, p in shown], color=ACCENT,
                    marker="o", markersize=4, linewidth=1.6)
            last_i, last = shown[-1]
            below = len(shown) > 1 and last.value < shown[-2][1].value  # keep off the line
            ax.annotate(last.text, (last_i, last.value), xytext=(0, -7 if below else 6),
                        textcoords="offset points", ha="center", va="top" if below else "bottom",
                        fontsize=7.5, color=INK, bbox=LABEL_BOX)
        _value_axis(ax, unit, [p.value for _, p in shown], axis="y", zero=unit in ZERO_BASED)
        gaps = ax.get_xaxis_transform()  # x in data, y in axes fraction
        for i, p in zip(x, points, strict=True):
            if p.value is None:
                ax.text(i, 0.06, p.text, transform=gaps, ha="center", fontsize=7, color=MUTED)
        if not shown:
            ax.text(0.5, 0.55, "no published values", transform=ax.transAxes, ha="center",
                    color=MUTED)
        short = len(points) > 4  # "2018-19" -> "18-19", so seven years fit side by side
        ax.set_xticks(x, [p.label[2:] if short else p.label for p in points], fontsize=7)
        ax.set_xlim(-0.5, len(points) - 0.5)
        _title(fig, title, 40)
        ax.grid(axis="y", color="#E5E7EB", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        alt = f"Line chart of {title} by reporting year: " + ", ".join(
            f"{p.label} {p.text}" for p in points) + "."
        return _render(fig, alt, f"trend {title}")


def district_chart(title: str, unit: str, districts: Sequence[Point], county: Point | None) -> Chart:
    """One metric compared across districts for the year; for a rate, the county value as a line."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(4.2, 1.0 + 0.34 * max(len(districts), 2)))
        ax = fig.add_subplot()
        y = list(range(len(districts)))[::-1]
        drawn = [(yi, p.value) for yi, p in zip(y, districts, strict=True) if p.value is not None]
        ax.barh([yi for yi, _ in drawn], [v for _, v in drawn], color=ACCENT, height=0.6)
        limits = [v for _, v in drawn]
        if county is not None:  # said under the axis, where no bar or title can cover it
            line = county.value is not None and unit in RATES
            if line:
                limits.append(county.value)
                ax.axvline(county.value, color=INK, linestyle="--", linewidth=1)
            ax.set_xlabel(f"{county.label}{' (dashed line)' if line else ''}: {county.text}",
                          fontsize=7.5, color=INK)
        _value_axis(ax, unit, limits, axis="x", zero=True)  # bars always start at zero
        low, high = ax.get_xlim()
        span = (high - low) or 1.0
        if limits:  # ticks over the data only, not over the room made for the labels
            ax.set_xticks([t for t in ax.get_xticks() if low <= t <= high])
        ax.set_xlim(low - (0.22 * span if low < 0 else 0), high + 0.22 * span)
        for yi, p in zip(y, districts, strict=True):
            left = p.value is None or p.value >= 0
            ax.annotate(p.text, (p.value or 0.0, yi), xytext=(3 if left else -3, 0),
                        textcoords="offset points", va="center", ha="left" if left else "right",
                        fontsize=7.5, color=INK if p.value is not None else MUTED, bbox=LABEL_BOX)
        ax.set_yticks(y, [p.label for p in districts])
        _title(fig, title, 54)
        ax.grid(axis="x", color="#E5E7EB", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        alt = f"Bar chart of {title} by district: " + ", ".join(
            f"{p.label} {p.text}" for p in districts) + (
            f"; {county.label} {county.text}." if county is not None else ".")
        return _render(fig, alt, f"districts {title}")


def _value_axis(ax, unit: str, values: Sequence[float], *, axis: str, zero: bool) -> None:
    """Ticks in the metric's unit, with as many decimals as their spacing needs."""
    value_axis = ax.yaxis if axis == "y" else ax.xaxis
    value_axis.set_major_locator(MaxNLocator(nbins=5, integer=unit == "count"))
    value_axis.set_major_formatter(_UnitFormatter(unit))
    limits = ax.set_ylim if axis == "y" else ax.set_xlim
    if not values:
        limits(0, 1)
        (ax.set_yticks if axis == "y" else ax.set_xticks)([])
        return
    low, high = min(values), max(values)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    else:  # a change of 0.03 in a mean of 7.4 should not fill the chart's height
        widen = max(0.0, 0.1 * max(abs(low), abs(high)) - (high - low)) / 2
        low, high = low - widen, high + widen
    pad = (high - low) * 0.12 or abs(high) * 0.1 or 1.0
    limits(low if zero and low == 0 else low - pad, high + pad)


class _UnitFormatter(Formatter):
    def __init__(self, unit: str) -> None:
        self.unit = unit

    def __call__(self, value: float, pos: int | None = None) -> str:
        steps = [b - a for a, b in zip(self.locs, self.locs[1:], strict=False) if b > a]
        return axis_label(value, self.unit, min(steps, default=1.0))


def axis_label(value: float, unit: str, step: float = 1.0) -> str:
    """A tick label: `step` (the tick spacing) decides the decimals, so 7.25 and 7.30 differ."""
    if value == 0:
        return "£0" if unit == "gbp" else "0%" if unit == "pct" else "0"
    if unit == "gbp":
        scale, suffix = (1e6, "m") if max(abs(value), step) >= 1e6 else (
            (1e3, "k") if max(abs(value), step) >= 1e3 else (1.0, ""))
        return f"£{value / scale:,.{_decimals(step / scale)}f}{suffix}"
    label = f"{value:,.{_decimals(step)}f}"
    return f"{label}%" if unit == "pct" else label


def _decimals(step: float) -> int:
    return 0 if step >= 1 else min(4, max(0, -math.floor(math.log10(step) + 1e-9)))


def _title(fig: Figure, title: str, width: int) -> None:
    """At the figure's left edge, so a long title has the figure's width, not the axes'."""
    lines = textwrap.wrap(title, width)
    fig.suptitle("\n".join(lines[:2]) + ("…" if len(lines) > 2 else ""), x=0.02, ha="left",
                 fontsize=8.5, fontweight="bold")


def _render(fig: Figure, alt: str, name: str) -> Chart:
    """Save as SVG and PNG. The SVG's element ids get a prefix made from `name`: an id must be unique
    in the HTML page that inlines every chart, and stay the same for the same chart."""
    FigureCanvasAgg(fig)  # the Agg canvas, set explicitly: no display backend is consulted
    svg_buffer, png_buffer = io.StringIO(), io.BytesIO()
    # no RDF metadata block: it would only add links to vocabularies and a date
    fig.savefig(svg_buffer, format="svg",
                metadata={"Date": None, "Format": None, "Type": None, "Creator": None})
    fig.savefig(png_buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    svg = svg_buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and DOCTYPE to inline it
    prefix = f"c{hashlib.sha256(name.encode()).hexdigest()[:8]}-"
    svg = re.sub(r'(\sid="|url\(#|href="#)', lambda m: m.group(1) + prefix, svg)
    width, height = fig.get_size_inches()
    return Chart(svg=svg, png=png_buffer.getvalue(), alt=alt, width_in=float(width),
                 height_in=float(height))
