"""The checks: a pack fails the audit on any small count of people it shows or lets be worked out.

Rules (threshold t; a "people" metric is of the employment, wellbeing or inequality family, or a
count the catalogue flags as people):
- small count: below county, a count of people from 1 to t-1 that is shown or can be worked out:
  a count's value, a share's numerator, the rest of its base (denominator less numerator), the
  people it leaves out (its notes, or its parent count less its base);
- small base: a rate, mean or money-per-people figure shown (or worked out) on a base under t, at
  any level: its denominator or n, or a group its notes give ("(n=3)");
- withheld notes: a withheld row whose notes hold a number;
- counts in notes: below county, a note counting 1 to t-1 people;
- agreement: a cell withheld in one file and shown in another;
- text: any text in any file giving "n=" 1 to t-1; the PDF showing a number the HTML report does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from exports.audit.facts import Fact, Pack, Row, Where, parse_shown
from exports.audit.knowledge import Knowledge
from exports.audit.readers import read_pack

PEOPLE_FAMILIES = frozenset({"employment", "wellbeing", "inequality"})
RATE_UNITS = frozenset({"pct", "mean", "score", "ratio", "wellby"})
LEFT_OUT_NOTE = re.compile(r"(\d[\d,]*) (?:job starts|participants) (?:too recent|without)")
GROUP_N = re.compile(r"\bn\s*=\s*(\d[\d,]*)")
DIGIT_RUNS = re.compile(r"\d+")
DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Finding:
    file: str
    cell: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file} {self.cell}: {self.rule}: {self.detail}"


@dataclass
class AuditReport:
    pack: str
    findings: list[Finding] = field(default_factory=list)
    facts: int = 0  # published numbers read
    withheld: int = 0  # cells shown as the marker
    worked_out: int = 0  # withheld cells the relations give back (each then judged by the rules)
    published: list[Fact] = field(default_factory=list)  # the numbers the pack's files show, as read

    @property
    def passed(self) -> bool:
        return not self.findings

    def summary(self) -> dict[str, object]:
        return {"passed": self.passed, "facts_read": self.facts, "cells_withheld": self.withheld,
                "withheld_cells_worked_out": self.worked_out,
                "findings": [str(f) for f in self.findings[:50]]}


def audit_pack(folder: Path, *, threshold: int = 10, marker: str = "[c]",
               earlier: list[Fact] | None = None) -> AuditReport:
    """Audit every file of the pack in `folder` against itself and the facts of earlier packs."""
    return audit(read_pack(Path(folder), marker=marker), threshold=threshold, earlier=earlier or [])


def audit(pack: Pack, *, threshold: int, earlier: list[Fact]) -> AuditReport:
    """Earlier packs' values of cells this pack does not publish at all (last year's figures) are
    known outright. A cell this pack withholds that an earlier pack showed may have changed since:
    each such value is tried on its own, as an attacker would try "what if it did not change"."""
    report = AuditReport(pack.name, published=list(pack.facts))
    pack.facts += _note_facts(pack)
    current = {f.key for f in pack.facts}
    withheld_now = {f.key for f in pack.facts if f.value is None}
    knowledge = Knowledge(pack, [f for f in earlier if f.key not in current])
    knowledge.derive()
    report.facts = sum(f.value is not None for f in pack.facts)
    report.withheld = len(knowledge.hidden)
    report.worked_out = sum(k in knowledge.known for k in knowledge.hidden)
    found = report.findings
    found += _recovered(pack, knowledge, threshold)
    for stale in [f for f in earlier if f.key in withheld_now and f.value is not None]:
        trial = Knowledge(pack, [f for f in earlier if f.key not in current] + [stale])
        trial.derive()
        found += [f for f in _recovered(pack, trial, threshold) if f.cell != knowledge.hidden[stale.key].cell]
    found += _notes(pack, threshold)
    found += _agreement(pack)
    found += _texts(pack, threshold)
    unique = {(f.file, f.cell, f.rule): f for f in reversed(found)}  # one per cell and rule, the first
    report.findings = [f for f in found if unique[(f.file, f.cell, f.rule)] is f]
    return report


def _recovered(pack: Pack, knowledge: Knowledge, threshold: int) -> list[Finding]:
    return _small_counts(pack, knowledge, threshold) + _small_bases(pack, knowledge, threshold)


def _people(pack: Pack, metric: str) -> bool:
    return pack.family.get(metric) in PEOPLE_FAMILIES or metric in pack.person_counts


def _note_facts(pack: Pack) -> list[Fact]:
    out = []
    for row in pack.rows:
        match = LEFT_OUT_NOTE.search(row.notes)
        if match and not row.hidden:
            out.append(Fact((row.year, row.metric, row.geography, "left_out"),
                            float(match.group(1).replace(",", "")), True, row.where))
    return out


def _is_count(pack: Pack, key) -> bool:
    """A part of a people metric below county that counts people."""
    _, metric, geography, part = key
    if pack.levels.get(geography, "district") == "county" or not _people(pack, metric):
        return False
    return part in ("numerator", "left_out") or (
        part == "value" and pack.units.get(metric) == "count") or (
        part == "n" and metric in pack.person_counts)


def _places(pack: Pack, knowledge: Knowledge, key) -> list[tuple[Where, str]]:
    """Every cell that gives `key` away, and how: each cell showing it, or the withheld cell and
    the cells it was worked out from."""
    shown = [(f.where, "shown") for f in pack.facts if f.key == key and f.value is not None]
    if shown:
        return shown
    known = knowledge.known[key]
    sources = "; ".join(str(s) for s in known.sources[:6])
    if key in knowledge.hidden:
        return [(knowledge.hidden[key], f"withheld, but worked out from {sources}")]
    return [(known.sources[0], f"worked out from {sources}")]


def _small_counts(pack: Pack, knowledge: Knowledge, threshold: int) -> list[Finding]:
    out = []
    for key, known in knowledge.known.items():
        if _is_count(pack, key) and 1 <= known.value < threshold:
            year, metric, geography, part = key
            out += [Finding(w.file, w.cell, "small count of people",
                            f"{metric} {part} for {geography} in {year} is {known.value:g} ({how})")
                    for w, how in _places(pack, knowledge, key)]
    for (year, metric, geography, part), known in list(knowledge.known.items()):
        if part != "numerator" or pack.units.get(metric) != "pct" or not _people(pack, metric):
            continue
        base = knowledge.known.get((year, metric, geography, "denominator"))
        if base is None or pack.levels.get(geography, "district") == "county":
            continue
        rest = base.value - known.value
        if 1 <= rest < threshold:
            key = (year, metric, geography, "denominator")
            for where, how in _places(pack, knowledge, key):
                out.append(Finding(where.file, where.cell, "small count of people",
                                   f"{metric} for {geography} in {year}: denominator less numerator is "
                                   f"{rest:g} (denominator {how}; numerator from {known.sources[0]})"))
    return out


def _small_bases(pack: Pack, knowledge: Knowledge, threshold: int) -> list[Finding]:
    out = []
    for key in list(knowledge.known):
        year, metric, geography, part = key
        unit = pack.units.get(metric, "")
        money_of_people = unit == "gbp" and pack.family.get(metric) in PEOPLE_FAMILIES
        if part != "value" or not (unit in RATE_UNITS or money_of_people):
            continue
        for base_part in ("denominator", "n"):
            base = knowledge.known.get((year, metric, geography, base_part))
            if base is not None and base.value < threshold:
                out += [Finding(w.file, w.cell, "figure on a small base",
                                f"{metric} for {geography} in {year} ({how}) rests on {base_part} "
                                f"{base.value:g} (from {base.sources[0]})")
                        for w, how in _places(pack, knowledge, key)]
                break
    shown = {(r.year, r.metric, r.geography) for r in pack.rows if not r.hidden}
    for row in pack.rows:
        if (row.year, row.metric, row.geography) not in shown:
            continue
        for match in GROUP_N.finditer(row.notes):
            if int(match.group(1).replace(",", "")) < threshold:
                out.append(Finding(row.where.file, row.where.cell, "figure on a small base",
                                   f"{row.metric} for {row.geography} in {row.year} is shown, and its "
                                   f"notes give a group of {match.group(1)}: '{row.notes[:120]}'"))
    return out


def _notes(pack: Pack, threshold: int) -> list[Finding]:
    out = []
    for row in pack.rows:
        if row.hidden and row.notes.strip() and row.notes != pack.marker and DIGITS.search(row.notes):
            out.append(Finding(row.where.file, row.where.cell, "withheld row with numbers in its notes",
                               f"{row.metric} for {row.geography} in {row.year} is withheld but its "
                               f"notes say '{row.notes[:120]}'"))
        elif not row.hidden and row.level != "county" and _people(pack, row.metric):
            out += _counted_in_note(row, threshold)
    return out


def _counted_in_note(row: Row, threshold: int) -> list[Finding]:
    people = re.compile(r"(\d[\d,]*) (?:job starts|participants|people|responses|respondents|pairs)\b")
    return [Finding(row.where.file, row.where.cell, "small count of people in a note",
                    f"{row.metric} for {row.geography} in {row.year}: '{m.group(0)}'")
            for m in people.finditer(row.notes) if 1 <= int(m.group(1).replace(",", "")) < threshold]


def _agreement(pack: Pack) -> list[Finding]:
    hidden = {f.key for f in pack.facts if f.value is None}
    return [Finding(f.where.file, f.where.cell, "withheld elsewhere",
                    f"{'|'.join(f.key)} is shown here as {f.value:g} but withheld in another file")
            for f in pack.facts if f.value is not None and f.key in hidden]


def _texts(pack: Pack, threshold: int) -> list[Finding]:
    out = []
    for text in pack.texts:
        for match in GROUP_N.finditer(text.text):
            if 1 <= int(match.group(1).replace(",", "")) < threshold:
                out.append(Finding(text.where.file, text.where.cell, "figure on a small base",
                                   f"the text gives n={match.group(1)}: '{text.text[:120]}'"))
    if pack.html_numbers:
        for where, token in pack.pdf_numbers:
            value = parse_shown(token)
            normalised = "" if value is None else f"{abs(value):.6g}"
            # the HTML shows it: the same number, or its digits (a PDF cell may wrap it mid-number)
            shown = normalised in pack.html_numbers or all(
                d in pack.html_numbers for d in DIGIT_RUNS.findall(token))
            if not shown:
                out.append(Finding(where.file, where.cell, "PDF shows a number the HTML report does not",
                                   f"{token}: the HTML report is the audited twin of the PDF"))
    return out
