"""Charter platform export: signatories and pledge updates (two CSVs, UTF-8 with BOM, CRLF)."""

from __future__ import annotations

import datetime as dt
import random

from demo.area import DemoArea
from demo.names import org_name
from demo.places import Places
from demo.tables import PERIOD_END, PERIOD_START, LandingFile, Sheet, scaled

EXPORT_DATE = "2025-04-07"
SIGNATORIES_FILE = f"charter-signatories-{EXPORT_DATE}.csv"
PLEDGES_FILE = f"charter-pledge-updates-{EXPORT_DATE}.csv"

SIGNATORY_HEADER = [
    "Organisation ID", "Organisation Name", "Sector", "Size", "Local Authority", "Postcode",
    "Date Signed", "Anchor",
]
PLEDGE_HEADER = [
    "Pledge ID", "Organisation ID", "Priority", "Pledge", "Measure of success", "Target",
    "Due date", "Update date", "Status", "Progress", "Case study",
]

SECTORS = (["private", "vcse", "public", "education", "health"], [55, 22, 9, 8, 6])
SIZES = (["micro", "small", "medium", "large"], [30, 35, 22, 13])

# priority area -> (pledge title, measure, target range)
PLEDGE_TEMPLATES: dict[str, list[tuple[str, str, tuple[float, float]]]] = {
    "local_spend": [
        ("Increase spend with {area} suppliers", "% of addressable spend local", (25, 60)),
        ("Buy from local SMEs and social enterprises", "number of new local suppliers", (3, 25)),
    ],
    "community_ownership": [
        ("Support community-owned assets", "assets supported", (1, 5)),
        ("Help set up a community energy cooperative", "members recruited", (20, 150)),
    ],
    "place_based": [
        ("Volunteer in our neighbourhood", "staff volunteering hours", (100, 1500)),
        ("Open our premises to community groups", "bookings per year", (10, 120)),
    ],
    "skills_and_jobs": [
        ("Offer apprenticeships to local young people", "apprentices recruited", (2, 20)),
        ("Guaranteed interviews for Social Contract participants", "interviews", (5, 40)),
        ("Work placements for people facing barriers", "placements", (3, 30)),
    ],
    "infrastructure_social_value": [
        ("Apply social value weighting in tenders", "% weighting applied", (10, 20)),
        ("Social value commitments in capital contracts", "£k committed", (50, 900)),
    ],
    "affordable_workspace": [
        ("Provide affordable workspace for start-ups", "sq m offered", (50, 600)),
    ],
    "housing_affordability": [
        ("Key-worker housing for our staff", "homes", (5, 60)),
        ("Affordable homes on our land", "homes", (10, 120)),
    ],
    "responsible_business": [
        ("Become an accredited Real Living Wage employer", "staff on at least RLW (%)", (100, 100)),
        ("Publish a carbon reduction plan", "plan published (1 = yes)", (1, 1)),
        ("Pay suppliers within 30 days", "% invoices paid in 30 days", (90, 98)),
    ],
}
PRIORITY_AREAS = list(PLEDGE_TEMPLATES)

CASE_STUDIES = [
    "Two apprentices from Blackbird Leys started in September, both still in post.",
    "We changed our cleaning contract to a local social enterprise, saving travel too.",
    "Staff volunteered at the food bank, reading scheme and a park clean-up.",
    "Board agreed the policy; first tenders scored on social value this quarter.",
]


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def build_signatories(rng: random.Random, places: Places, scale: float, area: DemoArea) -> list[dict]:
    n = scaled(100, scale, floor=20)
    first, span = dt.date(2019, 1, 15), (PERIOD_END - dt.date(2019, 1, 15)).days
    orgs: list[dict] = []
    for i in range(n):
        if i < len(area.charter_anchors):
            name, sector, district = area.charter_anchors[i]
            size, anchor = "large", True
            signed = _rand_date(rng, first, dt.date(2019, 12, 31))
        else:
            sector = rng.choices(*SECTORS)[0]
            size = rng.choices(*SIZES)[0]
            district = rng.choice(list(places.districts))
            name = org_name(rng, sector, district)
            anchor = False
            # Cumulative growth: density rising over time (sqrt of a uniform draw).
            signed = first + dt.timedelta(days=int(span * rng.random() ** 0.6))
        pc = places.postcode_in(rng, district)
        orgs.append({
            "id": f"OIEP-{i + 1:04d}", "name": name, "sector": sector, "size": size,
            "district": district, "postcode": pc.pcds, "signed": signed, "anchor": anchor,
        })
    orgs.sort(key=lambda o: (o["signed"], o["id"]))
    return orgs


def _signatory_row(rng: random.Random, o: dict, districts: dict[str, str]) -> list:
    give = rng.random()
    district = districts[o["district"]] if give > 0.15 else ""
    postcode = o["postcode"] if give < 0.85 else ""
    return [o["id"], o["name"], o["sector"], o["size"], district, postcode, o["signed"],
            "Yes" if o["anchor"] else "No"]


def _pledge_updates(rng: random.Random, pledge_id: str, org: dict, area_name: str) -> list[list]:
    area = rng.choice(PRIORITY_AREAS)
    title, measure, (lo, hi) = rng.choice(PLEDGE_TEMPLATES[area])
    title = title.format(area=area_name)
    target = round(rng.uniform(lo, hi)) if hi > 1 else 1
    earliest = max(org["signed"], PERIOD_START)
    start = _rand_date(rng, earliest, min(earliest + dt.timedelta(days=400), PERIOD_END))
    due = start + dt.timedelta(days=rng.choice([365, 540, 730, 1095]))
    status, progress, on = "pledged", 0.0, start
    rows: list[list] = []
    while True:
        value = None if status == "pledged" else round(progress, 1)
        story = rng.choice(CASE_STUDIES) if status == "achieved" and rng.random() < 0.4 else ""
        rows.append([pledge_id, org["id"], area, title, measure, target, due, on, status,
                     value, story])
        if status in ("achieved", "lapsed", "withdrawn"):
            break
        on = on + dt.timedelta(days=rng.randint(90, 240))
        if on > PERIOD_END:
            break
        u = rng.random()
        if status == "pledged":
            status = "in_progress" if u < 0.8 else ("withdrawn" if u < 0.85 else "pledged")
        elif on > due and u < 0.5:
            status = "lapsed"
        elif u < 0.3 + 0.4 * min(progress / max(target, 1), 1.0):
            status = "achieved"
        elif u > 0.97:
            status = "withdrawn"
        if status == "in_progress":
            progress = min(target * 0.95, progress + target * rng.uniform(0.1, 0.4))
        elif status == "achieved":
            progress = target * rng.uniform(1.0, 1.2)
    return rows


def build(rng: random.Random, places: Places, scale: float, area: DemoArea) -> list[LandingFile]:
    orgs = build_signatories(rng, places, scale, area)
    sig_rows = [_signatory_row(rng, o, places.districts) for o in orgs]
    pledge_rows: list[list] = []
    n = 0
    for o in orgs:
        if o["signed"] > dt.date(2025, 3, 1):
            continue  # signed too late to have pledged anything yet
        for _ in range(rng.randint(3, 9)):
            n += 1
            pledge_rows.extend(_pledge_updates(rng, f"PL-{n:05d}", o, area.name))
    pledge_rows.sort(key=lambda r: (r[0], r[7]))
    encoding, newline = "utf-8-sig", "\r\n"
    return [
        LandingFile("charter", SIGNATORIES_FILE,
                    [Sheet("signatories", SIGNATORY_HEADER, sig_rows, "signatories")],
                    encoding=encoding, newline=newline),
        LandingFile("charter", PLEDGES_FILE,
                    [Sheet("pledge_updates", PLEDGE_HEADER, pledge_rows, "pledge_updates")],
                    encoding=encoding, newline=newline),
    ]
