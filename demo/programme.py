"""Social Contract Programme: one XLSX return per provider per quarter.

Sheets: Participants (enrolments that quarter, with personal columns ingest must drop),
Outcomes (outcomes dated in that quarter), Costs (the quarter's spend), and in some workbooks an
empty Notes sheet. Each provider has its own header spellings (all from the contract aliases).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from demo.area import DemoArea, Provider
from demo.names import person
from demo.places import Places, Postcode
from demo.tables import PERIOD_END, LandingFile, Sheet, fy_label, quarters, scaled

RLW = {"2022-23": 10.90, "2023-24": 12.00, "2024-25": 12.60}
AGE_BANDS = (["16-17", "18-24", "25-34", "35-49", "50-64", "65+"], [4, 24, 26, 28, 16, 2])
AGE_RANGE = {"16-17": (16, 17), "18-24": (18, 24), "25-34": (25, 34), "35-49": (35, 49),
             "50-64": (50, 64), "65+": (65, 72)}
GENDERS = (["female", "male", "non_binary", "prefer_not_to_say"], [46, 50, 1.5, 2.5])
ETHNIC = (["White British", "White Other", "Asian or Asian British", "Black or Black British",
           "Mixed or Multiple", "Other ethnic group", "Prefer not to say"],
          [68, 9, 9, 6, 4, 2, 2])
BARRIERS = (["long_term_unemployed", "health_condition", "no_qualifications", "single_parent",
             "carer", "care_leaver", "prison_leaver", "refugee", "homelessness",
             "substance_misuse", "language", "other"],
            [30, 28, 20, 14, 8, 5, 5, 5, 6, 4, 6, 3])


HEADERS = {
    False: {
        "Participants": ["Participant ID", "Provider", "Enrolment Date", "Name", "Date of Birth",
                         "NI Number", "Email", "Phone", "Postcode", "District", "Age Band",
                         "Gender", "Ethnicity", "Disability", "UC Claimant", "Barriers"],
        "Outcomes": ["Participant ID", "Provider", "Outcome", "Outcome Date", "Hours per week",
                     "Hourly Pay"],
        "Costs": ["Provider", "Period From", "Period To", "Spend"],
    },
    True: {
        "Participants": ["Client ID", "Delivery Partner", "Start Date", "Name", "Date of Birth",
                         "NI Number", "Email", "Phone", "Home Postcode", "Local Authority",
                         "Age Group", "Sex", "Ethnic Origin", "Has Disability",
                         "Universal Credit", "Barriers to work"],
        "Outcomes": ["Client ID", "Delivery Partner", "Outcome Code", "Date Achieved",
                     "Contracted Hours", "Rate of Pay", "Employer Contact"],
        "Costs": ["Delivery Partner", "Quarter Start", "Quarter End", "Total Cost"],
    },
}


def file_name(p: Provider, year: str, q: int) -> str:
    return f"{p.slug}-return-{year}-Q{q}.xlsx"


@dataclass
class Participant:
    ref: str
    provider: Provider
    enrolled: dt.date
    postcode: Postcode
    age_band: str
    gender: str
    row: list  # the Participants sheet row


def _participant(rng: random.Random, places: Places, p: Provider, n: int,
                 enrolled: dt.date) -> Participant:
    ref = f"P-{p.code}-{n:06d}"
    pc = places.deprived_weighted_postcode(rng, p.districts)
    band = rng.choices(*AGE_BANDS)[0]
    lo, hi = AGE_RANGE[band]
    dob = enrolled - dt.timedelta(days=365 * rng.randint(lo, hi) + rng.randint(1, 360))
    first, last = person(rng)
    gender = rng.choices(*GENDERS)[0]
    k = rng.choices([0, 1, 2, 3], [15, 40, 30, 15])[0]
    barriers = sorted(set(rng.choices(*BARRIERS, k=k)))
    yn = ("Y", "N")
    row = [
        ref, p.name, enrolled, f"{first} {last}", dob,
        f"QQ{rng.randint(0, 999999):06d}{rng.choice('ABCD')}",
        f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@example.com",
        f"07700 900{rng.randint(0, 999):03d}", pc.pcds,
        pc.lsoa.district_name if rng.random() < 0.9 else "", band, gender,
        rng.choices(*ETHNIC)[0], yn[rng.random() > 0.27], yn[rng.random() > 0.55],
        ";".join(barriers),
    ]
    return Participant(ref, p, enrolled, pc, band, gender, row)


def _outcomes(rng: random.Random, pt: Participant) -> list[tuple[dt.date, list]]:
    """(outcome date, [type, hours, pay]) for one participant, possibly beyond the period."""
    e, out = pt.enrolled, []

    def after(lo: int, hi: int, base: dt.date = e) -> dt.date:
        return base + dt.timedelta(days=rng.randint(lo, hi))

    if rng.random() < 0.46:
        start = after(21, 270)
        hours = rng.choice([16, 20, 22.5, 25, 30, 35, 37.5, 40]) if rng.random() < 0.8 else None
        pay = None
        if rng.random() < 0.75:
            rlw = RLW.get(fy_label(start), 12.60)
            factor = rng.uniform(0.86, 0.995) if rng.random() < 0.2 else rng.uniform(1.0, 1.45)
            pay = round(rlw * factor, 2)
        out.append((start, ["job_start", hours, pay]))
        if rng.random() < 0.65:
            out.append((start + dt.timedelta(days=91), ["job_sustained_13w", None, None]))
            if rng.random() < 0.7:
                out.append((start + dt.timedelta(days=182), ["job_sustained_26w", None, None]))
    if rng.random() < 0.05:
        out.append((after(60, 300), ["apprenticeship_start", 30, None]))
    if rng.random() < 0.45:
        t0 = after(7, 120)
        out.append((t0, ["training_start", None, None]))
        if rng.random() < 0.7:
            t1 = after(30, 150, t0)
            out.append((t1, ["training_completed", None, None]))
            if rng.random() < 0.55:
                out.append((after(0, 60, t1), ["qualification_gained", None, None]))
    if rng.random() < 0.12:
        out.append((after(14, 200), ["volunteering_start", None, None]))
    if rng.random() < 0.04:
        out.append((after(60, 240), ["education_start", None, None]))
    return out


def build(rng: random.Random, places: Places, scale: float, area: DemoArea
          ) -> tuple[list[LandingFile], list[Participant]]:
    qs = quarters()
    per_quarter = 2000 / len(qs)
    participants: list[Participant] = []
    sheets: dict[tuple[str, str, int], dict[str, Sheet]] = {}
    for p in area.providers:
        h = HEADERS[p.alt_headers]
        dates = () if p.text_dates else (2,)
        n = 0
        for i, (year, q, start, end) in enumerate(qs):
            ramp = 0.7 + 0.6 * i / (len(qs) - 1)  # the programme grows over the three years
            count = scaled(per_quarter * p.share * ramp * rng.uniform(0.85, 1.15), scale, 3)
            days = sorted(rng.randint(0, (end - start).days) for _ in range(count))
            rows = []
            for d in days:
                n += 1
                pt = _participant(rng, places, p, n, start + dt.timedelta(days=d))
                participants.append(pt)
                rows.append(pt.row)
            sheets[(p.code, year, q)] = {
                "Participants": Sheet("Participants", h["Participants"], rows, "participants",
                                      dates + ((4,) if not p.text_dates else ())),
                "Outcomes": Sheet("Outcomes", h["Outcomes"], [], "outcomes",
                                  () if p.text_dates else (3,)),
            }
    # Outcomes go into the return of the quarter they happened in.
    events = []
    for pt in participants:
        for on, (kind, hours, pay) in _outcomes(rng, pt):
            if on <= PERIOD_END:
                events.append((on, pt, kind, hours, pay))
    events.sort(key=lambda x: (x[0], x[1].ref, x[2]))
    for on, pt, kind, hours, pay in events:
        label, q = fy_label(on), (on.month - 4) % 12 // 3 + 1
        row = [pt.ref, pt.provider.name, kind, on, hours, pay]
        if pt.provider.alt_headers:
            # Employer Contact: personal data that ingest must drop; given for some job starts.
            given = kind == "job_start" and rng.random() < 0.5
            row.append(f"recruitment{rng.randint(1, 400)}@employer.example.com" if given else "")
        sheets[(pt.provider.code, label, q)]["Outcomes"].rows.append(row)
    files = []
    for p in area.providers:
        h = HEADERS[p.alt_headers]
        for i, (year, q, start, end) in enumerate(qs):
            s = sheets[(p.code, year, q)]
            n_part = len(s["Participants"].rows)
            cost = round(rng.uniform(18_000, 26_000) + 950 * n_part * rng.uniform(0.8, 1.2), 2)
            costs = Sheet("Costs", h["Costs"], [[p.name, start, end, cost]], "costs",
                          () if p.text_dates else (1, 2))
            wb = [s["Participants"], s["Outcomes"], costs]
            if (i + len(p.code)) % 3 == 0:
                wb.append(Sheet("Notes", [], [], None))
            files.append(LandingFile("programme", file_name(p, year, q), wb, kind="xlsx"))
    return files, participants
