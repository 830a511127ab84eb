"""Wellbeing survey exports: the resident panel's annual wave and the programme's surveys.

Two export styles, as two survey tools would give: the panel tool writes ISO datetimes, long
question headers and an e-mail column; the programme tool writes dd/mm/yyyy and short item codes.
Respondent references of the programme survey are the providers' participant_ref strings, so the
keyed hashes link baseline, follow-up and the participant's outcomes.
"""

from __future__ import annotations

import datetime as dt
import random

from demo.places import Places, Postcode
from demo.programme import Participant
from demo.tables import PERIOD_END, YEARS, LandingFile, Sheet, fy_label, fy_start, scaled

PANEL_HEADER = [
    "Response ID", "Panel ID", "Survey Type", "Survey Wave", "Submitted At", "Email",
    "Postcode", "District", "Age Group", "Gender", "ONS4 Life Satisfaction", "ONS4 Worthwhile",
    "ONS4 Happiness", "ONS4 Anxiety", "Optimistic about the future", "Feeling useful",
    "Feeling relaxed", "Dealing with problems well", "Thinking clearly",
    "Feeling close to other people", "Able to make up own mind",
]
PROGRAMME_HEADER = [
    "Submission ID", "Participant ID", "Survey Name", "Timepoint", "Date Completed", "Post Code",
    "Age Range", "Sex", "ons_ls", "ons_worth", "ons_happy", "ons_anx", "optmstc", "useful",
    "relxed", "problems", "think_clr", "close_othrs", "own_mnd",
]
PANEL_AGES = (["18-24", "25-34", "35-49", "50-64", "65+"], [8, 15, 25, 27, 25])
PANEL_GENDERS = (["female", "male", "non_binary", "prefer_not_to_say"], [53, 44, 1, 2])
FOLLOW_UP_GAIN = 0.6  # mean life-satisfaction gain at follow-up


def panel_file(year: str) -> str:
    return f"resident-panel-{year}-annual.csv"


def programme_file(year: str) -> str:
    return f"programme-wellbeing-survey-{year}.csv"


def _clip(x: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(x)))


def _items(rng: random.Random, decile: int, shift: float = 0.0, swem_shift: float = 0.0,
           missing: float = 0.02) -> list:
    """ONS4 (0-10) then SWEMWBS x7 (1-5); deprived areas score lower, anxiety higher."""
    dep = (decile - 7.5) * 0.1
    z = rng.gauss(0, 1)

    def part(w: float = 0.8) -> float:
        return w * z + (1 - w * w) ** 0.5 * rng.gauss(0, 1)

    ons = [
        _clip(7.4 + dep + shift + 1.6 * part(), 0, 10),
        _clip(7.7 + dep + shift + 1.5 * part(), 0, 10),
        _clip(7.3 + dep + shift + 1.9 * part(0.6), 0, 10),
        _clip(3.0 - 1.5 * dep - shift + 2.6 * part(-0.5), 0, 10),
    ]
    swem = [_clip(3.5 + dep * 0.5 + swem_shift + 0.8 * part(0.7), 1, 5) for _ in range(7)]
    return [None if rng.random() < missing else v for v in ons + swem]


def _panel(rng: random.Random, places: Places, scale: float) -> list[LandingFile]:
    per_year = scaled(2500, scale, floor=30)
    members = []
    for i in range(int(per_year * 1.6)):
        members.append((f"RP-{i + 1:05d}", places.any_postcode(rng), rng.choices(*PANEL_AGES)[0],
                        rng.choices(*PANEL_GENDERS)[0]))
    files = []
    for year in YEARS:
        start = fy_start(year) + dt.timedelta(days=183)  # fieldwork from 1 October
        rows = []
        for n, (ref, pc, age, gender) in enumerate(rng.sample(members, per_year), start=1):
            at = dt.datetime.combine(start, dt.time(7)) + dt.timedelta(
                seconds=rng.randint(0, 60 * 86400))
            give_pc = rng.random() > 0.06
            rows.append([
                f"RPA-{year[:4]}-{n:06d}", ref, "resident_panel", "annual",
                at.isoformat(timespec="seconds"), f"panel.{ref[3:]}@example.org",
                pc.pcds if give_pc else "", pc.lsoa.district_name, age, gender,
                *_items(rng, pc.lsoa.imd_decile),
            ])
        rows.sort(key=lambda r: r[4])
        files.append(LandingFile("wellbeing", panel_file(year),
                                 [Sheet("responses", PANEL_HEADER, rows, "responses")]))
    return files


def _programme(rng: random.Random, participants: list[Participant]) -> list[LandingFile]:
    events: list[tuple[dt.date, str, Participant, list]] = []
    for pt in participants:
        if rng.random() >= 0.6:
            continue
        base_on = pt.enrolled + dt.timedelta(days=rng.randint(0, 14))
        if base_on > PERIOD_END:
            continue
        decile = pt.postcode.lsoa.imd_decile
        # Participants start lower than residents; follow-ups gain ~FOLLOW_UP_GAIN on average.
        person_shift = rng.gauss(-1.4, 0.5)
        events.append((base_on, "baseline", pt, _items(rng, decile, person_shift, -0.5, 0.03)))
        if rng.random() < 0.6:
            follow_on = base_on + dt.timedelta(days=rng.randint(168, 200))
            if follow_on <= PERIOD_END:
                items = _items(rng, decile, person_shift + FOLLOW_UP_GAIN, -0.3, 0.03)
                events.append((follow_on, "follow_up", pt, items))
    events.sort(key=lambda e: (e[0], e[2].ref, e[1]))
    by_year: dict[str, list[list]] = {y: [] for y in YEARS}
    for n, (on, wave, pt, items) in enumerate(events, start=1):
        pc: Postcode = pt.postcode
        by_year[fy_label(on)].append([
            f"PS-{n:06d}", pt.ref, "programme", wave, on, pc.pcds, pt.age_band, pt.gender, *items,
        ])
    return [LandingFile("wellbeing", programme_file(y),
                        [Sheet("responses", PROGRAMME_HEADER, rows, "responses")])
            for y, rows in by_year.items()]


def build(rng: random.Random, places: Places, participants: list[Participant],
          scale: float) -> list[LandingFile]:
    return _panel(rng, places, scale) + _programme(rng, participants)
