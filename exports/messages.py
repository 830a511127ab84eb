"""The pack's first page in plain English: the year's key messages against the Theory of Change
(what improved, what did not, what cannot be said and why), each indicator's change on last year
with its uncertainty, and the caveats beside the figures they qualify.

Built from the masked frames only (`exports.disclosure`): a withheld figure is never an input,
so no sentence can say more than the tables. Changes on last year are county-level and computed
only where both years are published; a change between two survey estimates carries the interval
of a difference of independent estimates (half widths added in quadrature), and is called "within
the margin of error" when that interval includes zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from exports.labels import RAG_NAMES, RAG_ORDER, WORKING_GROUPS, human
from exports.numbers import format_change, format_estimate, format_value
from partnership.reporting_years import previous_year


@dataclass(frozen=True)
class Message:
    text: str
    caveat: str = ""  # printed beside the figure it qualifies


@dataclass(frozen=True)
class Section:
    title: str
    explanation: str
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class Change:
    """A county figure against the year before, as printed."""
    previous_year: str
    previous: str  # "7.37", "[c]", "no data"
    change: str  # "+0.02 (95% CI −0.07 to 0.11)", or "" when not comparable
    verdict: str  # "up", "down", "within the margin of error", "not comparable: ..."


@dataclass(frozen=True)
class Summary:
    lede: str
    counts: tuple[tuple[str, str, int], ...]  # status, name, indicators
    sections: tuple[Section, ...]
    caveats: tuple[str, ...] = field(default_factory=tuple)
    key_points: tuple[str, ...] = field(default_factory=tuple)  # the whole picture in three lines


def _number(cell: object) -> float | None:
    if cell is None or isinstance(cell, str) and not cell.strip():
        return None
    value = pd.to_numeric(pd.Series([cell]), errors="coerce").iloc[0]
    return None if pd.isna(value) else float(value)


def _text(cell: object) -> str:
    return "" if cell is None or (not isinstance(cell, str) and pd.isna(cell)) else str(cell)


def county_change(current: dict, previous: dict | None, unit: str, marker: str, previous_year: str) -> Change:
    """This year's county row against last year's (both masked rows of marts.metrics)."""
    if previous is None:
        return Change(previous_year, "no data", "", "not comparable: no figure for the year before")
    before, now = _number(previous.get("value")), _number(current.get("value"))
    shown_before = marker if _text(previous.get("value")) == marker else (
        "no data" if before is None else format_estimate(
            before, _number(previous.get("ci_low")), _number(previous.get("ci_high")), unit)[0])
    if before is None or now is None:
        why = "withheld" if marker in (_text(previous.get("value")), _text(current.get("value"))) else "no data"
        return Change(previous_year, shown_before, "", f"not comparable: {why} in one of the years")
    diff = now - before
    halves = [_half(row) for row in (current, previous)]
    half_now, half_before = halves
    if half_now is None or half_before is None:
        return Change(previous_year, shown_before, format_change(diff, unit),
                      _direction(diff, _text(current.get("direction"))))
    half = math.sqrt(half_now ** 2 + half_before ** 2)
    low, high = format_estimate(diff, diff - half, diff + half, unit)[1].split(" to ")
    text = f"{format_change(diff, unit, half)} (95% CI {low} to {high})"
    if abs(diff) <= half:
        return Change(previous_year, shown_before, text, "within the margin of error")
    return Change(previous_year, shown_before, text, _direction(diff, _text(current.get("direction"))))


def _direction(diff: float, direction: str) -> str:
    """'up (better)', 'down (worse)' ... for a metric with a desired direction; else up or down."""
    if diff == 0:
        return "no change"
    way = "up" if diff > 0 else "down"
    if direction not in ("up", "down"):
        return way
    return f"{way} ({'better' if way == direction else 'worse'})"


def _half(row: dict) -> float | None:
    low, high = _number(row.get("ci_low")), _number(row.get("ci_high"))
    return None if low is None or high is None else (high - low) / 2


def summary(*, year: str, toc: pd.DataFrame, county: pd.DataFrame, previous: pd.DataFrame,
            units: dict[str, str], marker: str, synthetic: bool) -> Summary:
    """The first page. `county` and `previous` are this year's and last year's masked county rows."""
    now = {r["metric_id"]: r for r in county.to_dict("records")}
    before = {r["metric_id"]: r for r in previous.to_dict("records")}
    rows = toc.sort_values("indicator_id").to_dict("records") if not toc.empty else []
    counts = tuple((s, RAG_NAMES[s], sum(_status(r) == s for r in rows)) for s in RAG_ORDER)
    groups = sorted({_text(r.get("working_group")) for r in rows} - {""})
    lede = (f"This report sets the partnership's {year} figures against its Theory of Change: "
            f"{len(rows)} indicators across {len(groups)} working groups "
            f"({', '.join(human(g, WORKING_GROUPS) for g in groups)}). "
            + "; ".join(f"{n} {name.lower()}" for s, name, n in counts if n) + "."
            if rows else f"This report gives the partnership's {year} figures; no Theory of Change "
                         "indicators are in this snapshot.")

    seen: set[str] = set()

    def messages(statuses: Iterable[str]) -> tuple[Message, ...]:
        out = []
        for r in rows:
            if _status(r) not in statuses:
                continue
            message = _indicator_message(r, now.get(_text(r.get("metric_id"))),
                                         before.get(_text(r.get("metric_id"))), units, marker, year)
            if message.caveat in seen:  # a caveat once, beside the first figure it qualifies
                message = Message(message.text, "")
            seen.add(message.caveat)
            out.append(message)
        return tuple(out)

    sections = (
        Section("What improved", "Indicators better than their baseline: on track (green), or improving "
                "but behind the straight line to the target (amber).", messages(("green", "amber"))),
        Section("What did not improve", "Indicators no better than their baseline (red).", messages(("red",))),
        Section("What cannot be said, and why", "Indicators whose interval includes the baseline (no clear "
                "change), with no data this year, or withheld to protect confidentiality.",
                messages(("no_clear_change", "grey"))),
    )
    return Summary(lede, counts, sections, tuple(_caveats(rows, synthetic, marker)), _key_points(rows, marker))


def _key_points(rows: list[dict], marker: str) -> tuple[str, ...]:
    """What improved, what did not, what cannot be said: one line each, naming the indicators."""
    def names(statuses: tuple[str, ...], withheld: bool | None = None) -> list[str]:
        return [_text(r.get("indicator_name")) for r in rows if _status(r) in statuses
                and (withheld is None or (_text(r.get("actual")) == marker) == withheld)]

    if not rows:
        return ()
    better, green = names(("green", "amber")), names(("green",))
    worse, unclear = names(("red",)), names(("no_clear_change",))
    withheld, missing = names(("grey",), True), names(("grey",), False)
    points = [f"Improved: {len(better)} of {len(rows)} indicators are better than their baseline "
              f"({len(green)} on track, {len(better) - len(green)} behind the line to the target)."]
    points.append("Did not improve: " + (_listed(worse) if worse else "none") + ".")
    cannot = []
    if unclear:
        cannot.append(f"{_listed(unclear)} (the interval includes the baseline: no clear change)")
    if withheld:
        cannot.append(f"{_listed(withheld)} (withheld to protect confidentiality)")
    if missing:
        cannot.append(f"{_listed(missing)} (no data for the year, or before the baseline)")
    points.append("Cannot be said: " + ("; ".join(cannot) if cannot else "nothing this year") + ".")
    return tuple(points)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _status(row: dict) -> str:
    status = _text(row.get("rag_status"))
    return status if status in RAG_NAMES else "grey"


def _indicator_message(row: dict, metric: dict | None, previous: dict | None, units: dict[str, str],
                       marker: str, year: str) -> Message:
    unit = units.get(_text(row.get("metric_id")), "ratio")
    name = _text(row.get("indicator_name"))
    status = _status(row)
    caveat = _text(metric.get("notes")) if metric else ""
    caveat = "" if caveat == marker else caveat
    if _text(row.get("actual")) == marker:
        return Message(f"{name}: withheld this year to protect confidentiality (too few people behind it).")
    actual = _number(row.get("actual"))
    if actual is None:
        reason = _text(row.get("data_quality")).removeprefix("no data: ")
        reason = "no data" if reason in ("", "ok") else reason
        if metric and _text(metric.get("no_data_reason")):
            reason = _text(metric.get("no_data_reason"))
        return Message(f"{name}: no figure for {year} ({reason}).")
    value, interval = format_estimate(actual, _number(row.get("actual_ci_low")),
                                      _number(row.get("actual_ci_high")), unit)
    shown = f"{value} (95% CI {interval})" if interval else value
    frame = (f"baseline {_figure(row.get('baseline_value'), unit)} ({_text(row.get('baseline_year'))}), "
             f"target {_figure(row.get('target_value'), unit)} by {_text(row.get('target_year'))}")
    verdicts = {
        "grey": f"A year before the baseline year ({_text(row.get('baseline_year'))}).",
        "no_clear_change": "The interval includes the baseline: no clear change.",
        "red": "Not better than the baseline.",
        "amber": "Better than the baseline, behind the line to the target" + (
            f" (on track would be {_figure(row.get('trajectory_value'), unit)})."
            if _number(row.get("trajectory_value")) is not None else "."),
        "green": "On track.",
    }
    text = f"{name}: {shown}; {frame}. {verdicts[status]}"
    if metric is not None:
        change = county_change(metric, previous, unit, marker, previous_year(year))
        if change.change:
            text += f" Since {change.previous_year}: {change.change}, {change.verdict}."
    return Message(text, caveat)


def _figure(cell: object, unit: str) -> str:
    number = _number(cell)
    return "–" if number is None else format_value(number, unit)


def _caveats(rows: list[dict], synthetic: bool, marker: str) -> list[str]:
    out = []
    if synthetic:
        out.append("SYNTHETIC DEMO DATA: every figure in this pack is generated for demonstration; "
                   "none is the partnership's.")
    notes = {_text(r.get("values_note")) for r in rows} - {""}
    if any("ILLUSTRATIVE" in n.upper() or "placeholder" in n.lower() for n in notes):
        out.append("Baselines and targets are illustrative placeholders, not agreed by the partnership: "
                   "the RAG ratings show how the framework works, not how the partnership is doing.")
    out.append("RAG compares the value for the whole area with the straight line from baseline to target. Where a "
               "survey figure has a 95% confidence interval, green and red are called only when the "
               "interval clears the baseline (and, for green, the line); otherwise it is 'no clear change'.")
    out.append(f"{marker} marks a figure withheld to protect confidentiality: fewer than the threshold of "
               "people behind it, or one that would let a withheld figure be worked out.")
    return out
