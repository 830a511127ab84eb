"""The report's charts, drawn with matplotlib on the Agg canvas (no display, no pyplot state).

Each chart is drawn once and saved twice: SVG for the HTML report, PNG for the PDF. Charts take
points that are already disclosure-checked: a point is (label, value, text) where value is None
when the cell is suppressed or has no data, and text is what the reader sees ("44.0%", "[c]",
"no data"). A None value is never drawn as a number: it gets its text instead of a bar or point.
A point with a 95% interval gets an error bar, so an estimate from a small sample does not read
as a fact. Axes of counts, shares, money, WELLBYs and ratios start at zero.
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
RAG_COLOURS = {"green": "#1A9850", "amber": "#F4A93B", "red": "#C2362B", "no_clear_change": "#8FA9C8",
               "grey": "#9E9E9E"}
RAG_LABELS = {"green": "Green: on track", "amber": "Amber: improving, behind the line",
              "red": "Red: not improving", "no_clear_change": "No clear change: interval holds the baseline",
              "grey": "Grey: no data or withheld"}
INK, MUTED, ACCENT = "#1F2933", "#6B7280", "#1F4E78"
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.edgecolor": "#9CA3AF",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "svg.fonttype": "none",  # text stays text: smaller files, selectable and searchable
    "svg.hashsalt": "impact-report",  # ids from content, not random: same data, same file
    "figure.dpi": 100,
}
ZERO_BASED = frozenset({"gbp", "count", "pct", "wellby", "ratio"})  # trends start at zero; bars always do
# Rates: the county value is a level to compare each district with. Counts and money are often
# (not always) the districts' sum, so their county value is stated, not drawn.
RATES = frozenset({"pct", "mean", "score", "ratio"})
LABEL_BOX = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}


def _style():
    """The charts' matplotlib settings for one figure (the stubs want literal rc keys; RC's are)."""
    return matplotlib.rc_context(RC)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Point:
    label: str  # a year or an area
    value: float | None  # None: suppressed or no data, never drawn as a number
    text: str  # what the reader sees
    low: float | None = None  # 95% interval, drawn as an error bar
    high: float | None = None
    fact: str = ""  # year|metric|geography|part: what the disclosure auditor reads this cell as
    interval_text: str = ""  # the interval as printed ("7.32 to 7.45")

    @property
    def spoken(self) -> str:
        """The point for alt text and tables: its text, and its interval where it has one."""
        return f"{self.text} (95% CI {self.interval_text})" if self.interval_text else self.text

    @property
    def interval(self) -> tuple[float, float] | None:
        return None if self.low is None or self.high is None else (self.low, self.high)

    @property
    def drawn(self) -> float:
        """The value of a point that is drawn (callers draw only points with a value)."""
        if self.value is None:
            raise ValueError(f"{self.label}: a point without a value is not drawn")
        return self.value


@dataclass(frozen=True)
class Chart:
    svg: str  # an <svg> element, ready to inline (no XML declaration)
    alt: str
    width_in: float
    height_in: float


def rag_chart(counts: Sequence[tuple[str, str, int]]) -> Chart:
    """Horizontal bars of indicators per RAG status: (status, label, count)."""
    with _style():
        fig = Figure(figsize=(6.4, 2.2))
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
    with _style():
        fig = Figure(figsize=(3.4, 2.3))
        ax = fig.add_subplot()
        x = list(range(len(points)))
        shown = [(i, p) for i, p in zip(x, points, strict=True) if p.value is not None]
        if shown:
            ax.plot([i for i, _ in shown], [p.drawn for _, p in shown], color=ACCENT,
                    marker="o", markersize=4, linewidth=1.6)
            _error_bars(ax, [(i, p) for i, p in shown if p.interval], vertical=True)
            last_i, last = shown[-1]
            below = len(shown) > 1 and last.drawn < shown[-2][1].drawn  # keep off the line
            beside = last.interval is not None  # an error bar takes the space above and below
            ax.annotate(last.text, (last_i, last.value),
                        xytext=(5, 0) if beside else (0, -7 if below else 6), textcoords="offset points",
                        ha="left" if beside else "center",
                        va="center" if beside else "top" if below else "bottom",
                        fontsize=8, color=INK, bbox=LABEL_BOX)
        _value_axis(ax, unit, _extent(p for _, p in shown), axis="y", zero=unit in ZERO_BASED)
        gaps = ax.get_xaxis_transform()  # x in data, y in axes fraction
        for i, p in zip(x, points, strict=True):
            if p.value is None:
                ax.text(i, 0.06, p.text, transform=gaps, ha="center", fontsize=8, color=MUTED)
        if not shown:
            ax.text(0.5, 0.55, "no published values", transform=ax.transAxes, ha="center",
                    color=MUTED)
        short = len(points) > 4  # "2018-19" -> "18-19", so seven years fit side by side
        ax.set_xticks(x, [p.label[2:] if short else p.label for p in points], fontsize=8)
        room = 0.45 if shown and shown[-1][1].interval else 0.0  # for a label beside the last point
        ax.set_xlim(-0.5, len(points) - 0.5 + room)
        _title(fig, title, 38)
        ax.grid(axis="y", color="#E5E7EB", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        alt = f"Line chart of {title} by reporting year: " + ", ".join(
            f"{p.label} {p.spoken}" for p in points) + "."
        return _render(fig, alt, f"trend {title}")


def district_chart(title: str, unit: str, districts: Sequence[Point], county: Point | None) -> Chart:
    """One metric compared across districts for the year; for a rate, the county value as a line."""
    with _style():
        fig = Figure(figsize=(3.4, 1.1 + 0.36 * max(len(districts), 2)))
        ax = fig.add_subplot()
        y = list(range(len(districts)))[::-1]
        drawn = [(yi, p.value) for yi, p in zip(y, districts, strict=True) if p.value is not None]
        ax.barh([yi for yi, _ in drawn], [v for _, v in drawn], color=ACCENT, height=0.6)
        _error_bars(ax, [(yi, p) for yi, p in zip(y, districts, strict=True)
                         if p.value is not None and p.interval], vertical=False)
        limits = _extent(p for p in districts if p.value is not None)
        if county is not None:  # said under the axis, where no bar or title can cover it
            line = county.value is not None and unit in RATES
            if line:
                limits.append(county.drawn)
                ax.axvline(county.drawn, color=INK, linestyle="--", linewidth=1)
            ax.set_xlabel(f"{county.label}{' (dashed line)' if line else ''}: {county.text}",
                          fontsize=8, color=INK)
        _value_axis(ax, unit, limits, axis="x", zero=True)  # bars always start at zero
        low, high = ax.get_xlim()
        span = (high - low) or 1.0
        if limits:  # ticks over the data only, not over the room made for the labels
            ax.set_xticks([t for t in ax.get_xticks() if low <= t <= high])
        ax.set_xlim(low - (0.22 * span if low < 0 else 0), high + 0.22 * span)
        for yi, p in zip(y, districts, strict=True):
            left = p.value is None or p.value >= 0
            anchor = (p.high if left else p.low) if p.interval else p.value
            ax.annotate(p.text, (anchor or 0.0, yi), xytext=(3 if left else -3, 0),
                        textcoords="offset points", va="center", ha="left" if left else "right",
                        fontsize=8, color=INK if p.value is not None else MUTED, bbox=LABEL_BOX)
        ax.set_yticks(y, [p.label for p in districts])
        _title(fig, title, 38)
        ax.grid(axis="x", color="#E5E7EB", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        alt = f"Bar chart of {title} by district: " + ", ".join(
            f"{p.label} {p.spoken}" for p in districts) + (
            f"; {county.label} {county.spoken}." if county is not None else ".")
        return _render(fig, alt, f"districts {title}")


def breakdown_chart(title: str, points: Sequence[Point]) -> Chart:
    """Counts by category (a Charter breakdown), bars from zero, the count beside each bar."""
    with _style():
        fig = Figure(figsize=(3.4, 1.1 + 0.3 * max(len(points), 2)))
        ax = fig.add_subplot()
        y = list(range(len(points)))[::-1]
        drawn = [(yi, p.value) for yi, p in zip(y, points, strict=True) if p.value is not None]
        ax.barh([yi for yi, _ in drawn], [v for _, v in drawn], color=ACCENT, height=0.6)
        _value_axis(ax, "count", [v for _, v in drawn], axis="x", zero=True)
        low, high = ax.get_xlim()
        ax.set_xlim(low, high + 0.18 * ((high - low) or 1.0))
        for yi, p in zip(y, points, strict=True):
            ax.annotate(p.text, (p.value or 0.0, yi), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8, color=INK if p.value is not None else MUTED,
                        bbox=LABEL_BOX)
        ax.set_yticks(y, [textwrap.shorten(p.label, 34, placeholder="…") for p in points])
        _title(fig, title, 38)
        ax.grid(axis="x", color="#E5E7EB", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        alt = f"Bar chart of {title}: " + ", ".join(f"{p.label} {p.text}" for p in points) + "."
        return _render(fig, alt, f"breakdown {title}")


def _error_bars(ax, points: Sequence[tuple[float, Point]], *, vertical: bool) -> None:
    """95% intervals as whiskers: the reader sees how far the estimate could be from the truth."""
    for position, p in points:
        if p.interval is None:
            continue
        low, high = p.interval
        value = p.drawn
        if vertical:
            ax.errorbar([position], [value], yerr=[[value - low], [high - value]], fmt="none",
                        ecolor=INK, elinewidth=0.9, capsize=2.5)
        else:
            ax.errorbar([value], [position], xerr=[[value - low], [high - value]], fmt="none",
                        ecolor=INK, elinewidth=0.9, capsize=2.5)


def _extent(points) -> list[float]:
    """The values a value axis must show: each point, and its interval where it has one."""
    out: list[float] = []
    for p in points:
        out.append(p.value)
        if p.interval:
            out += list(p.interval)
    return out


def _value_axis(ax, unit: str, values: Sequence[float], *, axis: str, zero: bool) -> None:
    """Ticks in the metric's unit, with as many decimals as their spacing needs."""
    value_axis = ax.yaxis if axis == "y" else ax.xaxis
    value_axis.set_major_locator(MaxNLocator(nbins=3 if unit == "gbp" and axis == "x" else 5,
                                             integer=unit == "count"))
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
        text = f"£{abs(value) / scale:,.{_decimals(step / scale)}f}{suffix}"
        return f"\u2212{text}" if value < 0 else text
    label = f"{value:,.{_decimals(step)}f}"
    return f"{label}%" if unit == "pct" else label


def _decimals(step: float) -> int:
    return 0 if step >= 1 else min(4, max(0, -math.floor(math.log10(step) + 1e-9)))


def _title(fig: Figure, title: str, width: int) -> None:
    """At the figure's left edge, so a long title has the figure's width, not the axes'."""
    lines = textwrap.wrap(title, width)
    fig.suptitle("\n".join(lines[:2]) + ("…" if len(lines) > 2 else ""), x=0.02, ha="left",
                 fontsize=9, fontweight="bold")


def _render(fig: Figure, alt: str, name: str) -> Chart:
    """Save as SVG, the one form the HTML report inlines and the PDF prints (no PNG: nothing uses
    one). The SVG's element ids get a prefix made from `name`: an id must be unique in the HTML page
    that inlines every chart, and stay the same for the same chart."""
    FigureCanvasAgg(fig)  # the Agg canvas, set explicitly: no display backend is consulted
    svg_buffer = io.StringIO()
    # no RDF metadata block: it would only add links to vocabularies and a date
    fig.savefig(svg_buffer, format="svg",
                metadata={"Date": None, "Format": None, "Type": None, "Creator": None})
    svg = svg_buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and DOCTYPE to inline it
    prefix = f"c{hashlib.sha256(name.encode()).hexdigest()[:8]}-"
    svg = re.sub(r'(\sid="|url\(#|href="#)', lambda m: m.group(1) + prefix, svg)
    width, height = fig.get_size_inches()
    return Chart(svg=svg, alt=alt, width_in=float(width), height_in=float(height))
