"""What an attacker can work out from a pack (and the packs published before it): every published
number, then everything that follows from the relations between them, to a fixed point.

The relations are the auditor's own reading of the metric definitions (docs/metrics.md), kept
apart from the masking code on purpose: if the masking forgets a relation, this does not.
- districts add up to the county (the attacker's assumption; records without a district make the
  true county larger, so what this works out for a hidden district is never smaller than the truth);
  a breakdown's categories add up to the county; IN01's n (its smaller quintile) does not add up;
- a share: value x denominator = 100 x numerator (FE04, a ratio per 100, too); its n is its base;
- a count of people: its n is its value;
- shared parts: FE04 shows FE03's job starts over FE01's participants; WB02's base is WB01's
  responses; PO04's base is PO01's signatories; WB06 is WB05's mean times its pairs times the
  assumed duration, and its £ values are WB06 times the value per WELLBY, with the same pairs
  (duration and value as the published notes state them: nothing is assumed that the pack does
  not say);
- the people a share leaves out (in notes) are its parent count less its base;
- a change on last year is this year's value less last year's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from exports.audit.facts import Fact, Key, Pack, Where
from partnership.reporting_years import previous_year

ADDITIVE_VALUE_UNITS = frozenset({"count", "gbp", "wellby"})
SHARE_UNITS = frozenset({"pct", "ratio"})
NOT_ADDITIVE = frozenset({("IN01", "n")})
EQUAL_PARTS = (
    (("FE04", "numerator"), ("FE03", "value")),
    (("FE04", "denominator"), ("FE01", "value")),
    (("WB02", "denominator"), ("WB01", "n")),
    (("PO04", "denominator"), ("PO01", "value")),
    (("WB06", "n"), ("WB05", "n")),
    (("WB06_GBP", "n"), ("WB05", "n")),
    (("WB06_GBP_LOW", "n"), ("WB05", "n")),
    (("WB06_GBP_HIGH", "n"), ("WB05", "n")),
)
WELLBY_GBP = ("WB06_GBP", "WB06_GBP_LOW", "WB06_GBP_HIGH")
DURATION = re.compile(r"x pairs \(n\) x ([\d.]+) year")
PER_WELLBY = re.compile(r"GBP ([\d,.]+) per WELLBY")
LEFT_OUT_PARENT = {"FE02": "FE01", "FE05": "FE03", "FE07": "FE03", "IN02": "FE03"}
COUNT_PARTS = frozenset({"numerator", "denominator", "n", "left_out"})


@dataclass(frozen=True)
class Known:
    value: float
    sources: tuple[Where, ...]  # the published cells it was read or worked out from
    derived: bool


@dataclass(frozen=True)
class _Linear:
    """sum(coefficient x key) == 0"""
    terms: tuple[tuple[float, Key], ...]


@dataclass(frozen=True)
class _Product:
    """left == factor x a x b (b optional)"""
    left: Key
    factor: float
    a: Key
    b: Key | None


class Knowledge:
    def __init__(self, pack: Pack, earlier: list[Fact]) -> None:
        self.pack = pack
        self.known: dict[Key, Known] = {}
        self.hidden: dict[Key, Where] = {}
        for fact in pack.facts:
            if fact.value is None:
                self.hidden.setdefault(fact.key, fact.where)
            elif fact.exact and fact.key not in self.known:
                self.known[fact.key] = Known(fact.value, (fact.where,), False)
        for fact in earlier:  # values already published by earlier packs
            if fact.value is not None and fact.key not in self.known:
                self.known[fact.key] = Known(fact.value, (fact.where,), False)
        self.linear, self.products = _relations(pack, set(self.known) | set(self.hidden))

    def derive(self) -> None:
        for _ in range(200):
            if not (self._solve_linear() | self._solve_products()):
                return

    def _learn(self, key: Key, value: float, sources: tuple[Where, ...]) -> bool:
        if key in self.known:
            return False
        if key[3] in COUNT_PARTS or self.pack.units.get(key[1]) == "count" and key[3] == "value":
            if abs(value - round(value)) > 0.05:
                return False  # not a whole count: the assumption behind the relation failed
            value = float(round(value))
        self.known[key] = Known(value, tuple(dict.fromkeys(sources)), True)
        return True

    def _solve_linear(self) -> bool:
        changed = False
        for relation in self.linear:
            unknown = [(c, k) for c, k in relation.terms if k not in self.known]
            if len(unknown) != 1:
                continue
            coefficient, key = unknown[0]
            rest = sum(c * self.known[k].value for c, k in relation.terms if k != key)
            sources = tuple(w for c, k in relation.terms if k != key for w in self.known[k].sources)
            changed |= self._learn(key, -rest / coefficient, sources)
        return changed

    def _solve_products(self) -> bool:
        changed = False
        for p in self.products:
            keys = [p.left, p.a] + ([p.b] if p.b else [])
            unknown = [k for k in keys if k not in self.known]
            if len(unknown) != 1:
                continue
            value = {k: self.known[k].value for k in keys if k in self.known}
            sources = tuple(w for k in keys if k in self.known for w in self.known[k].sources)
            rest = p.factor * (value.get(p.b, 1.0) if p.b else 1.0)
            if unknown[0] == p.left:
                result = rest * value[p.a]
            else:
                other = p.a if unknown[0] == p.b else p.b
                divisor = p.factor * (value[other] if other else 1.0)
                if divisor == 0:
                    continue
                result = value[p.left] / divisor
            changed |= self._learn(unknown[0], result, sources)
        return changed


def _factors(pack: Pack) -> dict[tuple[str, str], float]:
    """(year, metric): WB06's assumed duration and each £ row's value per WELLBY, as the notes say."""
    out: dict[tuple[str, str], float] = {}
    for row in pack.rows:
        match = (DURATION if row.metric == "WB06" else PER_WELLBY).search(row.notes)
        if match and row.metric in ("WB06", *WELLBY_GBP):
            out[(row.year, row.metric)] = float(match.group(1).replace(",", ""))
    return out


def _relations(pack: Pack, keys: set[Key]) -> tuple[list[_Linear], list[_Product]]:
    factors = _factors(pack)
    linear: list[_Linear] = []
    products: list[_Product] = []
    by_part: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for key in keys:
        by_part[(key[0], key[1], key[3])].append(key)
    groups = {(y, m): {k[2] for k in keys if k[0] == y and k[1] == m} for y, m, _ in by_part}
    all_districts = sorted(g for g, level in pack.levels.items() if level == "district")
    for (year, metric), geographies in groups.items():
        unit = pack.units.get(metric, "")
        parts = ["numerator", "denominator", "n"] + (["value"] if unit in ADDITIVE_VALUE_UNITS else [])
        for part in parts:
            if (metric, part) in NOT_ADDITIVE or pack.county not in geographies:
                continue
            districts = all_districts  # a district without a row is an unknown term, not a zero
            if districts:
                linear.append(_Linear(((1.0, (year, metric, pack.county, part)),
                                       *((-1.0, (year, metric, g, part)) for g in districts))))
            by_breakdown: dict[str, list[str]] = defaultdict(list)
            for g in geographies:
                if pack.levels.get(g) == "category" and part in ("value", "n"):
                    by_breakdown[g.split(":", 1)[0]].append(g)
            for categories in by_breakdown.values():
                linear.append(_Linear(((1.0, (year, metric, pack.county, part)),
                                       *((-1.0, (year, metric, g, part)) for g in categories))))
        for geography in geographies:
            def cell(part: str, m: str = metric, g: str = geography, y: str = year) -> Key:
                return (y, m, g, part)
            if unit in SHARE_UNITS:  # value x denominator = 100 x numerator
                products.append(_Product(cell("numerator"), 0.01, cell("value"), cell("denominator")))
            if unit in SHARE_UNITS or (cell("denominator") in keys):
                linear.append(_Linear(((1.0, cell("n")), (-1.0, cell("denominator")))))
            if metric in pack.person_counts:
                linear.append(_Linear(((1.0, cell("n")), (-1.0, cell("value")))))
            for (m1, p1), (m2, p2) in EQUAL_PARTS:
                if metric == m1:
                    linear.append(_Linear(((1.0, cell(p1)), (-1.0, cell(p2, m2)))))
            if metric == "WB06" and (year, metric) in factors:
                products.append(_Product(cell("value"), factors[(year, metric)], cell("value", "WB05"),
                                         cell("n", "WB05")))
            if metric in WELLBY_GBP and (year, metric) in factors:
                products.append(_Product(cell("value"), factors[(year, metric)], cell("value", "WB06"), None))
            if metric in LEFT_OUT_PARENT:
                linear.append(_Linear(((1.0, cell("value", LEFT_OUT_PARENT[metric])),
                                       (-1.0, cell("denominator")), (-1.0, cell("left_out")))))
            if cell("change") in keys:  # this year = last year + change
                before = (previous_year(year), metric, geography, "value")
                linear.append(_Linear(((1.0, cell("value")), (-1.0, before), (-1.0, cell("change")))))
    return linear, products
