"""Who and where the demo is about: the area's local authorities (chosen by code, as in impact.toml
[area]) and a cast of anchors, programme providers and public payees.

Oxfordshire, the first partnership, keeps its hand-written cast, so its demo files stay exactly
what they were. Any other configured area gets a cast derived from its local authorities and its
declared in-area anchors: the demo's spend files are published by anchors the configuration
declares, so the ingest's publisher check lets them in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field


class DemoAreaError(ValueError):
    """The configured area cannot be given a demo; the message says what to change."""


@dataclass(frozen=True)
class SpendAnchor:
    """An anchor whose monthly payment files the demo writes; `slug` starts its file names."""

    name: str
    slug: str


@dataclass(frozen=True)
class Provider:
    """A Social Contract Programme provider. `districts`: weight of each local authority where its
    participants live (empty: every authority of the area alike)."""

    name: str
    slug: str
    code: str
    share: float
    districts: dict[str, float]
    alt_headers: bool  # uses the second set of header spellings
    text_dates: bool  # types dates as dd/mm/yyyy text instead of date cells


@dataclass(frozen=True)
class DemoArea:
    name: str
    local_authorities: tuple[str, ...]  # ONS codes of the IMD edition's local authority districts
    spend_anchors: tuple[SpendAnchor, SpendAnchor, SpendAnchor]  # county-, city- and trust-style files
    charter_anchors: tuple[tuple[str, str, str], ...]  # (name, sector, local authority code)
    providers: tuple[Provider, ...]
    public_payees: dict[str, str] = field(default_factory=dict)  # expense category -> payee


OXFORDSHIRE_AUTHORITIES = ("E07000177", "E07000178", "E07000179", "E07000180", "E07000181")

OXFORDSHIRE = DemoArea(
    name="Oxfordshire",
    local_authorities=OXFORDSHIRE_AUTHORITIES,
    spend_anchors=(SpendAnchor("Oxfordshire County Council", "oxfordshire-county-council"),
                   SpendAnchor("Oxford City Council", "oxford-city-council"),
                   SpendAnchor("Oxford University Hospitals NHS Foundation Trust", "ouh")),
    charter_anchors=(
        ("Oxfordshire County Council", "public", "E07000178"),
        ("Oxford City Council", "public", "E07000178"),
        ("Oxford University Hospitals NHS Foundation Trust", "health", "E07000178"),
        ("University of Oxford", "education", "E07000178"),
        ("Oxford Brookes University", "education", "E07000178"),
        ("Oxford Health NHS Foundation Trust", "health", "E07000178"),
        ("Cherwell District Council", "public", "E07000177"),
    ),
    providers=(
        Provider("Ridgeway Employment Trust", "ridgeway-employment-trust", "RET", 0.30, {}, False, False),
        Provider("Cherwell Futures CIC", "cherwell-futures", "CHF", 0.20,
                 {"E07000177": 0.8, "E07000181": 0.2}, True, False),
        Provider("Thames Pathways", "thames-pathways", "TPW", 0.20,
                 {"E07000179": 0.5, "E07000180": 0.5}, False, True),
        Provider("Oxford Works Hub", "oxford-works-hub", "OWH", 0.30, {"E07000178": 1.0}, True, False),
    ),
    public_payees={
        "Payroll": "Staff Payroll (BACS)",
        "Pensions": "Oxfordshire Pension Fund",
        "HMRC": "HM Revenue & Customs",
        "Inter-authority transfers": "Cherwell District Council",
        "Precepts": "Thames Valley Police and Crime Commissioner",
    },
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _sector(name: str) -> str:
    lowered = name.lower()
    if any(w in lowered for w in ("nhs", "hospital", "health", "clinical commissioning")):
        return "health"
    if any(w in lowered for w in ("university", "college", "school")):
        return "education"
    return "public"


def _home(anchor: str, la_names: dict[str, str]) -> str | None:
    """The authority whose name the anchor's name contains (the longest such name), if any."""
    named = [(len(n), code) for code, n in la_names.items() if n.lower() in anchor.lower()]
    return max(named)[1] if named else None


def derived_area(name: str, local_authorities: Sequence[str], la_names: dict[str, str],
                 in_area_anchors: Sequence[str], most_deprived: str) -> DemoArea:
    """A cast for any area: the first three declared in-area anchors publish the spend files;
    providers are named after the area and its authorities."""
    las = tuple(local_authorities)
    if len(in_area_anchors) < 3:
        raise DemoAreaError(
            f"the demo writes spend files for three anchors of {name}, and only "
            f"{len(in_area_anchors)} in-area anchor(s) are declared: declare at least three "
            "[[anchors]] with in_area = true in the configuration")
    first, last = las[0], las[-1]
    second, third = las[1 % len(las)], las[2 % len(las)]
    county, city, trust = (SpendAnchor(a, slug(a)) for a in in_area_anchors[:3])

    def provider(label: str, code: str, share: float, districts: dict[str, float], alt: bool, text: bool):
        return Provider(label, slug(label), code, share, districts, alt, text)

    return DemoArea(
        name=name,
        local_authorities=las,
        spend_anchors=(county, city, trust),
        charter_anchors=tuple((a, _sector(a), _home(a, la_names) or las[i % len(las)])
                              for i, a in enumerate(in_area_anchors[:7])),
        providers=(
            provider(f"{name} Employment Trust", "RET", 0.30, {}, False, False),
            provider(f"{la_names[first]} Futures CIC", "CHF", 0.20,
                     {first: 0.8, last: 0.2} if first != last else {first: 1.0}, True, False),
            provider(f"{la_names[second]} Pathways", "TPW", 0.20,
                     {second: 0.5, third: 0.5} if second != third else {second: 1.0}, False, True),
            provider(f"{la_names[most_deprived]} Works Hub", "OWH", 0.30, {most_deprived: 1.0}, True, False),
        ),
        public_payees={
            "Payroll": "Staff Payroll (BACS)",
            "Pensions": f"{name} Pension Fund",
            "HMRC": "HM Revenue & Customs",
            "Inter-authority transfers": f"{la_names[first]} Council",
            "Precepts": f"{name} Police and Crime Commissioner",
        },
    )


def demo_area(name: str, local_authorities: Sequence[str], in_area_anchors: Sequence[str]) -> DemoArea:
    """The cast for a configured area: Oxfordshire's own when the area is Oxfordshire's five
    districts and its three spend anchors are declared, else one derived from the configuration."""
    from demo.places import load_lsoas

    if (sorted(local_authorities) == sorted(OXFORDSHIRE.local_authorities)
            and {a.name for a in OXFORDSHIRE.spend_anchors} <= set(in_area_anchors)):
        return OXFORDSHIRE
    lsoas = load_lsoas(local_authorities=local_authorities)
    present = {x.district_code for x in lsoas}
    if missing := [code for code in local_authorities if code not in present]:
        raise DemoAreaError(f"no LSOA of the IMD seed lies in {', '.join(missing)}: not a local "
                            "authority code of the IMD edition in use")
    la_names = {x.district_code: x.district_name for x in lsoas}
    deprived = {code: sum(1 for x in lsoas if x.district_code == code and x.imd_decile <= 2)
                for code in local_authorities}
    most_deprived = max(local_authorities, key=lambda code: (deprived[code], code))
    return derived_area(name, sorted(local_authorities), la_names, in_area_anchors, most_deprived)
