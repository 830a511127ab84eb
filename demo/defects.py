"""Deliberately bad rows planted in the demo landing files, so quarantine is exercised.

The positions are fixed (they do not depend on the seed or the scale): every file named here
exists at any scale and has enough rows before the planted row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from demo.area import OXFORDSHIRE, DemoArea
from demo.tables import LandingFile


@dataclass(frozen=True)
class PlantedDefect:
    feed: str
    file_name: str  # name of the file inside landing/<feed>/
    row_number: int  # 1-based line (CSV, first line of the file = 1) or Excel row (XLSX)
    column: str  # canonical contract column name
    kind: str
    description: str
    entity: str = ""
    sheet: str | None = None  # XLSX sheet, None for CSV
    raw_value: str = ""
    row_loads: bool = False  # True: the value is nulled and recorded, the row still loads


_D = PlantedDefect


def _specs(area: DemoArea) -> list[tuple[PlantedDefect, str, str]]:
    """(defect, header label of the column in that file, action: "set" a value or "insert" a row).
    The spend and programme files are named after the area's anchors and providers."""
    county, city, trust = (a.slug for a in area.spend_anchors)
    slugs = {p.code: p.slug for p in area.providers}
    return [
        (_D("spend", f"{county}-spend-2024-02.csv", 12, "payment_date",
            "invalid_date", "Paid Date 31/02/2024 does not exist; never dated by guess",
            "payments", None, "31/02/2024"), "Paid Date", "set"),
        (_D("spend", f"{city}-payments-over-500-2023-11.csv", 9, "amount_gbp",
            "invalid_money", "Net Amount typed with a letter O for a zero",
            "payments", None, "£12,34O.00"), "Net Amount", "set"),
        (_D("spend", f"{trust}-supplier-payments-jun-2024.csv", 8, "amount_gbp", "missing_required",
            "Amount GBP blank on a payment line (file has 2 preamble lines, header on line 3); "
            "a blank Vendor Name, by contrast, is a withheld payee and loads",
            "payments", None, ""), "Amount GBP", "set"),
        (_D("programme", f"{slugs['TPW']}-return-2023-24-Q3.xlsx", 2, "outcome_type",
            "invalid_enum", "Outcome 'job offer' is not an outcome type of the contract "
            "(an extra row; note 'job start!' would canonicalise to job_start and load)",
            "outcomes", "Outcomes", "job offer"), "Outcome", "insert"),
        (_D("programme", f"{slugs['OWH']}-return-2024-25-Q1.xlsx", 3, "participant_ref",
            "missing_required", "Participant row with a blank Client ID",
            "participants", "Participants", ""), "Client ID", "insert"),
        (_D("programme", f"{slugs['TPW']}-return-2023-24-Q2.xlsx", 4, "enrolled_on",
            "invalid_date", "Enrolment Date 31/09/2023 (typed as text) does not exist",
            "participants", "Participants", "31/09/2023"), "Enrolment Date", "set"),
        (_D("charter", "charter-signatories-2025-04-07.csv", 11, "signed_on", "invalid_date",
            "Date Signed given as 'TBC'", "signatories", None, "TBC"), "Date Signed", "set"),
        (_D("charter", "charter-pledge-updates-2025-04-07.csv", 6, "priority_area", "invalid_enum",
            "Priority 'world_peace' is not one of the Charter's eight priority areas",
            "pledge_updates", None, "world_peace"), "Priority", "set"),
        (_D("charter", "charter-pledge-updates-2025-04-07.csv", 15, "status", "invalid_enum",
            "Status 'done?' is not a pledge status", "pledge_updates", None, "done?"),
         "Status", "set"),
        (_D("wellbeing", "resident-panel-2023-24-annual.csv", 6, "life_satisfaction",
            "out_of_scale", "ONS4 life satisfaction 11 on a 0-10 scale: item nulled, response kept",
            "responses", None, "11", True), "ONS4 Life Satisfaction", "set"),
        (_D("wellbeing", "programme-wellbeing-survey-2023-24.csv", 4, "swemwbs_optimistic",
            "out_of_scale", "SWEMWBS item 7 on a 1-5 scale: item nulled, response kept",
            "responses", None, "7", True), "optmstc", "set"),
    ]



def planted_defects(area: DemoArea = OXFORDSHIRE) -> list[PlantedDefect]:
    return [spec[0] for spec in _specs(area)]


PLANTED_DEFECTS: list[PlantedDefect] = planted_defects(OXFORDSHIRE)


def _inserted_row(d: PlantedDefect, f: LandingFile, template: list, col: int) -> list:
    row = list(template)
    if d.entity == "outcomes":
        # An extra outcome for the first participant enrolled in this quarter.
        participant = f.sheet("Participants").rows[0]
        enrolled = participant[2]
        if isinstance(enrolled, str):
            enrolled = dt.datetime.strptime(enrolled, "%d/%m/%Y").date()
        row = [participant[0], participant[1], d.raw_value,
               enrolled + dt.timedelta(days=20), 30, 12.5] + [""] * (len(template) - 6)
    elif d.entity == "participants":
        row[3:8] = ["Sam Example", row[4], "QQ000000A", "sam.example@example.com",
                    "07700 900000"]
        row[col] = d.raw_value
    return row


def plant(files: list[LandingFile], area: DemoArea = OXFORDSHIRE) -> None:
    by_name = {f.name: f for f in files}
    for d, label, action in _specs(area):
        f = by_name[d.file_name]
        sheet = f.sheet(d.sheet)
        col = sheet.header.index(label)
        index = d.row_number - f.header_line() - 1
        if action == "insert":
            template = sheet.rows[0] if sheet.rows else [""] * len(sheet.header)
            if d.entity == "outcomes" and not f.sheet("Participants").rows:
                raise RuntimeError(f"no participant to attach a defect to in {f.name}")
            if index > len(sheet.rows):
                raise RuntimeError(f"{f.name}: too few rows to insert at row {d.row_number}")
            sheet.rows.insert(index, _inserted_row(d, f, template, col))
        else:
            if index >= len(sheet.rows):
                raise RuntimeError(f"{f.name}: too few rows for a defect at row {d.row_number}")
            sheet.rows[index][col] = d.raw_value
