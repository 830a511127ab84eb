"""Anchor institutions' monthly payment files, the supplier register and the contracts register.

Three anchors, each with its own header spellings, encoding and line endings; money is printed as
`£1,234.56` / `-£250.00`, dates as dd/mm/yyyy. The hospital trust's files carry two preamble
lines and a final Total row.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, replace

from demo.area import DemoArea
from demo.names import national_supplier, org_name
from demo.places import Places
from demo.tables import LandingFile, Sheet, gbp, month_end, months, scaled

REGISTER_FILE = "supplier-register.csv"
CONTRACTS_FILE = "contracts-register.csv"


@dataclass(frozen=True)
class Anchor:
    """One of three styles of payment file; the publisher's name and file slug come from the area."""

    name: str
    code: str
    rows_per_month: int
    header: list[str]
    encoding: str
    newline: str
    categories: list[str]
    non_influenceable: list[str]
    services: list[str]
    slug: str = ""


ANCHORS = [
    Anchor("Oxfordshire County Council", "occ", 1300,
           ["Body Name", "Organisational Unit", "Expenditure Category", "Paid Date", "Trans No",
            "Amount", "Type", "Supplier ID", "Supplier Name"],
           "utf-8", "\n",
           ["Highways Maintenance", "Adult Social Care - Residential", "Home Care",
            "Children's Placements", "Home to School Transport", "Professional Services",
            "IT Software", "Building Repairs", "Waste Disposal", "Catering", "Agency Staff",
            "Grants to Voluntary Organisations", "Equipment", "Training"],
           ["Payroll", "Pensions", "HMRC", "Inter-authority transfers", "Refunds"],
           ["Adult Services", "Children's Services", "Environment & Place", "Resources",
            "Public Health", "Fire & Rescue"]),
    Anchor("Oxford City Council", "city", 600,
           ["Organisation Name", "Service Area", "Expenditure Catergory", "Date Paid",
            "Transaction Number", "Net Amount", "Type of Expenditure", "Supplier Number",
            "Supplier", "Supplier Postcode"],
           "utf-8-sig", "\r\n",
           ["Reactive Maintenance & Minor Repairs", "General Contracted Services", "Grants",
            "Pitch & Site Rents", "Subscriptions", "Consultants Fees",
            "Day to Day Repairs - Occupied", "Vehicle Hire", "Cleaning", "Printing & Stationery"],
           ["Precepts", "HMRC", "Pensions", "Refunds"],
           ["Housing Services", "Community Services", "Direct Services", "Regeneration",
            "Finance", "General Fund", "HRA"]),
    Anchor("Oxford University Hospitals NHS Foundation Trust", "ouh", 600,
           ["Publisher", "Department", "Expense Type", "Transaction Date", "Payment Ref",
            "Amount GBP", "Cap Rev", "Vendor ID", "Vendor Name"],
           "cp1252", "\r\n",
           ["Drugs", "Medical and Surgical Equipment", "Clinical Supplies",
            "Premises - Maintenance", "Agency Staff - Nursing", "IT Services",
            "Patients' Transport", "Catering Provisions", "Laundry", "Professional Fees"],
           ["Payroll", "Pensions", "HMRC"],
           ["Surgery & Oncology", "Medicine", "Clinical Support", "Estates & Facilities",
            "Corporate", "Neurosciences"]),
]


def anchors_of(area: DemoArea) -> list[Anchor]:
    """The three file styles published by the area's three spend anchors, in order."""
    return [replace(style, name=anchor.name, slug=anchor.slug)
            for style, anchor in zip(ANCHORS, area.spend_anchors, strict=True)]


CAPITAL_CATEGORIES = {"Highways Maintenance", "Building Repairs", "Premises - Maintenance",
                      "Reactive Maintenance & Minor Repairs", "Medical and Surgical Equipment"}
REDACTED = "Redacted personal data"

# Register entries that receive the non-influenceable payments: DemoArea.public_payees.


def file_name(a: Anchor, month: dt.date) -> str:
    if a.code == "occ":
        return f"{a.slug}-spend-{month:%Y-%m}.csv"
    if a.code == "city":
        return f"{a.slug}-payments-over-500-{month:%Y-%m}.csv"
    return f"{a.slug}-supplier-payments-{month:%b-%Y}.csv".lower()


def build_register(rng: random.Random, places: Places, scale: float, public_payees: dict[str, str]) -> list[dict]:
    n = scaled(1500, scale, floor=80)
    types = (["private", "vcse", "social_enterprise", "cooperative", "employee_owned",
              "public_body", "individual"], [70, 11, 4, 1, 2, 7, 5])
    suppliers = []
    for payee in public_payees.values():
        suppliers.append({"name": payee, "type": "public_body", "local": True})
    for s in suppliers:
        s["postcode"] = places.any_postcode(rng).pcds
    while len(suppliers) < n:
        local = rng.random() < 0.40
        pc = places.any_postcode(rng) if local else None
        district = pc.lsoa.district_code if pc else None
        t = rng.choices(*types)[0]
        if t == "individual":
            name = "Sole trader (name withheld)"
        elif t == "public_body":
            name = org_name(rng, "public", district)
        elif t in ("vcse", "social_enterprise", "cooperative"):
            name = org_name(rng, "vcse", district)
        else:
            name = org_name(rng, "private", district) if local else national_supplier(rng)
        postcode = pc.pcds if pc else places.out_of_area_postcode(rng)
        suppliers.append({"name": name, "type": t, "local": local, "postcode": postcode})
    yn = ["Y", "N"]
    for i, s in enumerate(suppliers):
        s["ref"] = f"S{100001 + i}"
        if s["type"] in ("private", "social_enterprise", "cooperative", "employee_owned"):
            s["company"] = f"{rng.randint(1_000_000, 15_999_999):08d}"
        elif s["type"] == "vcse":
            s["company"] = f"{rng.randint(200_000, 1_199_999)}"
        else:
            s["company"] = ""
        small = s["local"] and rng.random() < 0.85 or rng.random() < 0.35
        s["sme"] = "" if s["type"] == "public_body" else yn[not small]
        s["rlw"] = yn[rng.random() > (0.35 if s["local"] else 0.2)]
        s["crp"] = "" if rng.random() < 0.2 else yn[rng.random() > (0.25 if small else 0.7)]
    return suppliers


def _register_file(suppliers: list[dict]) -> LandingFile:
    header = ["Supplier ID", "Supplier Name", "Company No", "Post Code", "SME", "Supplier Type",
              "Living Wage Employer", "Carbon Reduction Plan"]
    rows = [[s["ref"], s["name"], s["company"], s["postcode"], s["sme"], s["type"], s["rlw"],
             s["crp"]] for s in suppliers]
    return LandingFile("spend", REGISTER_FILE, [Sheet("suppliers", header, rows, "suppliers")])


def _contracts_file(rng: random.Random, suppliers: list[dict], scale: float, anchors: list[Anchor]) -> LandingFile:
    header = ["Contract ID", "Buyer", "Supplier ID", "Award Date", "Contract Value",
              "SV Weighting", "SV Committed", "SV Delivered"]
    rows = []
    pool = [s for s in suppliers if s["type"] not in ("individual", "public_body")]
    for i in range(scaled(150, scale, floor=10)):
        a = rng.choice(anchors)
        awarded = dt.date(2020, 4, 1) + dt.timedelta(days=rng.randint(0, 1825))
        value = round(min(8e6, math.exp(rng.gauss(math.log(250_000), 1.1))), -2)
        weight = rng.choice([10, 10, 15, 20]) if awarded.year >= 2021 else None
        committed = round(value * rng.uniform(0.02, 0.12), 2) if weight else None
        elapsed = (dt.date(2025, 3, 31) - awarded).days / 1095
        delivered = (round(committed * min(1.1, elapsed * rng.uniform(0.5, 1.1)), 2)
                     if committed and elapsed > 0.15 else None)
        rows.append([f"{a.code.upper()}-C{awarded:%Y}-{i + 1:04d}", a.name, rng.choice(pool)["ref"],
                     awarded, gbp(value), weight, committed and gbp(committed),
                     delivered and gbp(delivered)])
    rows.sort(key=lambda r: r[3])
    return LandingFile("spend", CONTRACTS_FILE, [Sheet("contracts", header, rows, "contracts")])


def _amount(rng: random.Random, category: str, anchor: Anchor) -> float:
    big = 1.0 if anchor.code != "city" else 0.3
    if category == "Payroll":
        return round(rng.uniform(1e5, 1e6) * big, 2)
    if category in ("Pensions", "HMRC", "Precepts", "Inter-authority transfers"):
        return round(rng.uniform(2e4, 5e5) * big, 2)
    if rng.random() < 0.02:
        return -round(rng.uniform(50, 2500), 2)  # credit note
    return round(min(2e6, math.exp(rng.gauss(math.log(3000), 1.6))), 2)


def _month_rows(rng: random.Random, a: Anchor, month: dt.date, n: int, pool: list[dict],
                weights: list[float], by_name: dict[str, dict], seq: list[int],
                public_payees: dict[str, str]) -> list[list]:
    rows = []
    last = month_end(month)
    for _ in range(n):
        paid = month + dt.timedelta(days=rng.randint(0, (last - month).days))
        if rng.random() < 0.06:
            cat = rng.choice(a.non_influenceable)
        else:
            cat = rng.choice(a.categories)
        if cat in public_payees:
            sup = by_name[public_payees[cat]]
        elif cat == "Refunds" or (cat == "Grants" and rng.random() < 0.2):
            sup = None  # a personal payee, redacted
        else:
            sup = rng.choices(pool, weights)[0]
        amount = _amount(rng, cat, a)
        caprev = "Capital" if cat in CAPITAL_CATEGORIES and rng.random() < 0.3 else "Revenue"
        service = rng.choice(a.services)
        ref, name = (sup["ref"], sup["name"]) if sup else ("", REDACTED)
        seq[0] += 1
        if a.code == "occ":
            row = [a.name, service, cat, paid, f"51{seq[0]:08d}", gbp(amount), caprev, ref, name]
        elif a.code == "city":
            row = [a.name, service, cat, paid, f"{46300000 + seq[0]} - {rng.randint(0, 3)}",
                   gbp(amount), caprev, ref, name, sup["postcode"] if sup else ""]
        else:
            row = [a.name, service, cat, paid, f"OUH/{month:%y%m}/{seq[0]:06d}", gbp(amount),
                   caprev, ref, name]
        rows.append(row)
        if rng.random() < 0.002:
            rows.append(list(row))  # a genuinely repeated line (kept by ingest)
    rows.sort(key=lambda r: r[3])
    return rows


def build(rng: random.Random, places: Places, scale: float, area: DemoArea) -> list[LandingFile]:
    payees, anchors = area.public_payees, anchors_of(area)
    suppliers = build_register(rng, places, scale, payees)
    by_name = {s["name"]: s for s in suppliers if s["type"] == "public_body"}
    files = [_register_file(suppliers), _contracts_file(rng, suppliers, scale, anchors)]
    trading = [s for s in suppliers if s["name"] not in payees.values()]
    for a in anchors:
        pool = rng.sample(trading, k=min(len(trading), max(20, int(len(trading) * 0.45))))
        weights = [1 / (k + 5) ** 0.9 for k in range(len(pool))]  # a few suppliers get most
        seq = [rng.randint(1000, 9000)]
        for month in months():
            season = 1.3 if month.month == 3 else rng.uniform(0.85, 1.1)
            n = scaled(a.rows_per_month * season, scale, floor=15)
            rows = _month_rows(rng, a, month, n, pool, weights, by_name, seq, payees)
            f = LandingFile("spend", file_name(a, month),
                            [Sheet("payments", a.header, rows, "payments")],
                            encoding=a.encoding, newline=a.newline)
            if a.code == "ouh":
                f.preamble = [a.name, f"Payments to suppliers: {month:%B %Y}"]
            files.append(f)
    return files


def add_total_footers(files: list[LandingFile]) -> None:
    """The trust's files end with a Total row (the file total); call after defects are planted."""
    for f in files:
        if f.feed == "spend" and f.preamble:
            amounts = [float(r[5].replace("£", "").replace(",", "")) for r in f.sheets[0].rows
                       if r[5].strip()]  # a planted blank amount is not part of the total
            f.footer = [["Total", "", "", "", "", gbp(round(sum(amounts), 2)), "", "", ""]]


def month_files(seed: int, scale: float, month: dt.date, places: Places, area: DemoArea) -> list[LandingFile]:
    """One more month of payment files, one per anchor, for a month after the demo's period (a
    steward's monthly drop). Suppliers come from the demo's own register (same seed and scale)."""
    payees = area.public_payees
    suppliers = build_register(random.Random(f"oiep-demo:{seed}:spend"), places, scale, payees)
    by_name = {s["name"]: s for s in suppliers if s["type"] == "public_body"}
    trading = [s for s in suppliers if s["name"] not in payees.values()]
    rng = random.Random(f"oiep-demo:{seed}:spend:{month:%Y-%m}")
    files = []
    for a in anchors_of(area):
        pool = rng.sample(trading, k=min(len(trading), max(20, int(len(trading) * 0.45))))
        weights = [1 / (k + 5) ** 0.9 for k in range(len(pool))]
        seq = [10_000_000 + (month.year * 12 + month.month) * 10_000]  # references unlike the demo's
        rows = _month_rows(rng, a, month, scaled(a.rows_per_month, scale, floor=15), pool, weights, by_name,
                           seq, payees)
        f = LandingFile("spend", file_name(a, month), [Sheet("payments", a.header, rows, "payments")],
                        encoding=a.encoding, newline=a.newline)
        if a.code == "ouh":
            f.preamble = [a.name, f"Payments to suppliers: {month:%B %Y}"]
        files.append(f)
    add_total_footers(files)
    return files
