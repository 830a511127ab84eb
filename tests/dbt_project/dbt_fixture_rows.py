"""Hand-made raw rows for the dbt tests. Reporting years run April-March; the rows span
2022-23 (first signatory) to 2025-26. Comments give what each row exercises."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# LSOAs of the IMD 2019 seed: Cherwell decile 2, Oxford decile 10, South Oxfordshire decile 10,
# Cherwell decile 2 (another)
CHERWELL_D2 = "E01028435"
OXFORD_D10 = "E01028534"
SOUTH_OXON_D10 = "E01028599"
CHERWELL_D2_B = "E01028448"
# for IN01 (quintile = ceil(decile / 2)): Oxford decile 1 and 2 (quintile 1), Oxford decile 9 (quintile 5)
OXFORD_D1 = "E01028568"
OXFORD_D2 = "E01028518"
OXFORD_D9 = "E01028531"


def _payment(day: date, name: str, ref: str | None, amount: str, category: str | None) -> dict:
    return {
        "anchor": "Oxfordshire County Council",
        "payment_date": day,
        "supplier_name": name,
        "supplier_ref": ref,
        "amount_gbp": Decimal(amount),
        "expense_category": category,
    }


SUPPLIERS = [
    {
        "supplier_ref": "S1",
        "supplier_name": "Banbury Builders Ltd",
        "lsoa_code": CHERWELL_D2,
        "district_code": "E07000177",
        "is_sme": True,
        "organisation_type": "private",
        "real_living_wage_employer": True,
        "carbon_reduction_plan": True,
    },
    {
        "supplier_ref": "S2",
        "supplier_name": "Oxford Catering",
        "lsoa_code": OXFORD_D10,
        "district_code": "E07000178",
        "is_sme": False,
        "organisation_type": "cooperative",
        "real_living_wage_employer": True,
        "carbon_reduction_plan": False,
    },
    {
        "supplier_ref": "S3",
        "supplier_name": "London Consultancy PLC",
        "lsoa_code": None,
        "district_code": "E09000001",
        "is_sme": True,
        "organisation_type": "private",
        "carbon_reduction_plan": True,
    },
    # two register entries share a name: a payment naming them only must not match either
    {
        "supplier_ref": "S4",
        "supplier_name": "Twin Name Ltd",
        "lsoa_code": OXFORD_D10,
        "district_code": "E07000178",
        "is_sme": True,
        "organisation_type": "private",
    },
    {
        "supplier_ref": "S5",
        "supplier_name": "Twin Name Ltd",
        "lsoa_code": CHERWELL_D2,
        "district_code": "E07000177",
        "is_sme": True,
        "organisation_type": "private",
    },
]

PAYMENTS = [
    _payment(date(2024, 5, 10), "Banbury Builders Ltd", "S1", "1000.00", "Building repairs"),
    _payment(date(2024, 6, 1), "Oxford Catering", "S2", "500.50", "Catering"),
    # no supplier_ref: matched on the name, ignoring case and spaces around it
    _payment(date(2024, 7, 1), " london consultancy plc ", None, "2000.00", "Consultancy"),
    # a credit note is kept and netted
    _payment(date(2024, 8, 1), "Banbury Builders Ltd", "S1", "-200.00", "Building repairs"),
    # non-procurement: left out of analysed spend
    _payment(date(2024, 9, 1), "HMRC", None, "5000.00", "PAYE and NI - HMRC"),
    _payment(date(2024, 10, 1), "Local Pension Fund", None, "3000.00", "Employer PENSION contributions"),
    # no category: stays in analysed spend; supplier unknown to the register
    _payment(date(2025, 2, 1), "Unknown Supplier", None, "300.00", None),
    _payment(date(2024, 11, 1), "Twin Name Ltd", None, "100.00", "Stationery"),
    # last day of 2024-25, then first day of 2025-26
    _payment(date(2025, 3, 31), "Oxford Catering", "S2", "99.99", "Catering"),
    _payment(date(2025, 4, 1), "Banbury Builders Ltd", "S1", "700.00", "Building repairs"),
]

PARTICIPANTS = [
    {
        "participant_key": "P1",
        "provider": "A",
        "enrolled_on": date(2024, 5, 1),
        "lsoa_code": CHERWELL_D2,
        "district": None,
    },
    {
        "participant_key": "P2",
        "provider": "A",
        "enrolled_on": date(2024, 6, 1),
        "lsoa_code": OXFORD_D10,
        "district": "Oxford",
    },
    {
        "participant_key": "P3",
        "provider": "A",
        "enrolled_on": date(2024, 7, 1),
        "lsoa_code": None,
        "district": "Vale of White Horse",
    },
    {"participant_key": "P4", "provider": "B", "enrolled_on": date(2024, 8, 1), "lsoa_code": None, "district": None},
    {
        "participant_key": "P5",
        "provider": "B",
        "enrolled_on": date(2023, 9, 1),
        "lsoa_code": SOUTH_OXON_D10,
        "district": "South Oxfordshire",
    },
    {
        "participant_key": "P6",
        "provider": "B",
        "enrolled_on": date(2025, 1, 15),
        "lsoa_code": CHERWELL_D2_B,
        "district": "Cherwell District Council",
    },
]

OUTCOMES = [
    # pay against the Real Living Wage in force on the day (announced_on): GBP 12.00 until 2024-10-21,
    # GBP 12.60 from 2024-10-22
    {
        "participant_key": "P1",
        "provider": "A",
        "outcome_type": "job_start",
        "outcome_on": date(2024, 9, 1),
        "hourly_pay_gbp": Decimal("11.50"),
    },
    {"participant_key": "P1", "provider": "A", "outcome_type": "job_sustained_26w", "outcome_on": date(2025, 3, 1)},
    {
        "participant_key": "P2",
        "provider": "A",
        "outcome_type": "job_start",
        "outcome_on": date(2024, 10, 1),
        "hourly_pay_gbp": Decimal("12.00"),
    },
    {
        "participant_key": "P3",
        "provider": "A",
        "outcome_type": "job_start",
        "outcome_on": date(2025, 2, 1),
        "hourly_pay_gbp": Decimal("12.59"),
    },
    # sustained after the year end: still counts for the 2024-25 job start it follows
    {"participant_key": "P2", "provider": "A", "outcome_type": "job_sustained_26w", "outcome_on": date(2025, 4, 5)},
    {"participant_key": "P6", "provider": "B", "outcome_type": "apprenticeship_start", "outcome_on": date(2025, 3, 1)},
    {"participant_key": "PX", "provider": "A", "outcome_type": "apprenticeship_start", "outcome_on": date(2024, 6, 1)},
    {"participant_key": "P5", "provider": "B", "outcome_type": "job_start", "outcome_on": date(2024, 4, 15)},
    {"participant_key": "P6", "provider": "B", "outcome_type": "training_start", "outcome_on": date(2025, 2, 1)},
    {"participant_key": "P4", "provider": "B", "outcome_type": "job_start", "outcome_on": date(2025, 4, 10)},
    # a participant missing from the participants return: counts for the county only
    {
        "participant_key": "PX",
        "provider": "A",
        "outcome_type": "job_start",
        "outcome_on": date(2024, 12, 1),
        "hourly_pay_gbp": Decimal("13.00"),
    },
]

COSTS = [
    {
        "provider": "A",
        "period_start": date(2024, 4, 1),
        "period_end": date(2024, 6, 30),
        "spend_gbp": Decimal("10000.00"),
    },
    {
        "provider": "A",
        "period_start": date(2024, 7, 1),
        "period_end": date(2025, 3, 31),
        "spend_gbp": Decimal("5000.50"),
    },
    {
        "provider": "B",
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 3, 31),
        "spend_gbp": Decimal("3000.00"),
    },
    {
        "provider": "B",
        "period_start": date(2025, 4, 1),
        "period_end": date(2025, 6, 30),
        "spend_gbp": Decimal("999.99"),
    },
]

CONTRACTS = [
    {
        "contract_ref": "C1",
        "anchor": "Oxfordshire County Council",
        "supplier_ref": "S1",
        "awarded_on": date(2024, 6, 1),
        "social_value_committed_gbp": Decimal("1000.00"),
        "social_value_delivered_gbp": Decimal("400.50"),
    },
    # delivery not reported yet: left out of both sums
    {
        "contract_ref": "C2",
        "anchor": "Oxfordshire County Council",
        "supplier_ref": "S2",
        "awarded_on": date(2024, 12, 1),
        "social_value_committed_gbp": Decimal("500.00"),
        "social_value_delivered_gbp": None,
    },
    # over-delivered, the year before
    {
        "contract_ref": "C3",
        "anchor": "Oxfordshire County Council",
        "supplier_ref": "S3",
        "awarded_on": date(2023, 5, 1),
        "social_value_committed_gbp": Decimal("300.00"),
        "social_value_delivered_gbp": Decimal("350.25"),
    },
]

SWEMWBS = [
    "swemwbs_optimistic",
    "swemwbs_useful",
    "swemwbs_relaxed",
    "swemwbs_problems",
    "swemwbs_thinking",
    "swemwbs_close",
    "swemwbs_own_mind",
]


def _response(rid: str, survey: str, ls: int | None, items: list[int | None], **where) -> dict:
    row = {
        "response_id": rid,
        "respondent_key": f"K{rid}",
        "survey": survey,
        "wave": "annual" if survey == "resident_panel" else "baseline",
        "completed_on": date(2024, 11, 1),
        "life_satisfaction": ls,
    }
    row.update(dict(zip(SWEMWBS, items, strict=True)))
    row.update(where)
    return row


RESPONSES = [
    _response("R1", "resident_panel", 7, [3] * 7, district="Oxford"),
    _response("R2", "resident_panel", 8, [4] * 7, lsoa_code=CHERWELL_D2),
    _response("R3", "resident_panel", 5, [3, 3, 3, None, 3, 3, 3], district="oxford"),
    _response("R4", "resident_panel", None, [5] * 7, district="E07000178"),
    _response("R5", "resident_panel", 9, [1, 2, 3, 4, 5, 1, 2]),
    # programme survey: not a population measure, left out of WB01/WB04
    _response("R6", "programme", 2, [1] * 7, district="Oxford"),
    # IMD quintiles 1 and 5 for IN01 (no SWEMWBS items, so WB04 is unchanged); anxiety for WB03
    _response("R7", "resident_panel", 4, [None] * 7, lsoa_code=OXFORD_D1, anxiety=7),
    _response("R8", "resident_panel", 6, [None] * 7, lsoa_code=OXFORD_D2, anxiety=2),
    _response("R9", "resident_panel", 9, [None] * 7, lsoa_code=OXFORD_D10, anxiety=6),
    _response("R10", "resident_panel", 7, [None] * 7, lsoa_code=OXFORD_D9),
    _response("R11", "resident_panel", 8, [None] * 7, lsoa_code=SOUTH_OXON_D10, anxiety=0),
]


def _wave(rid: str, key: str, wave: str, on: date, ls: int | None, **where) -> dict:
    return _response(rid, "programme", ls, [None] * 7, respondent_key=key, wave=wave, completed_on=on, **where)


# programme baseline / follow-up waves for WB05 and WB06 (a pair belongs to its follow-up's year)
PROGRAMME_WAVES = [
    _wave("W1", "KA", "baseline", date(2024, 5, 1), 4, district="Oxford"),
    _wave("W2", "KA", "follow_up", date(2024, 11, 1), 7, district="Oxford"),
    _wave("W3", "KB", "baseline", date(2024, 6, 1), 6, lsoa_code=CHERWELL_D2),
    _wave("W4", "KB", "follow_up", date(2025, 1, 10), 6),
    # two follow-ups: the latest one counts
    _wave("W5", "KC", "baseline", date(2024, 7, 1), 5),
    _wave("W6", "KC", "follow_up", date(2024, 9, 1), 3),
    _wave("W7", "KC", "follow_up", date(2025, 2, 1), 7),
    # a pair of 2023-24
    _wave("W8", "KD", "baseline", date(2023, 12, 1), 3),
    _wave("W9", "KD", "follow_up", date(2024, 3, 15), 4),
    # no baseline; a follow-up without life satisfaction: not pairs
    _wave("W10", "KE", "follow_up", date(2024, 12, 1), 9),
    _wave("W11", "KF", "baseline", date(2024, 8, 1), 8),
    _wave("W12", "KF", "follow_up", date(2024, 12, 1), None),
]

SIGNATORIES = [
    {"organisation_id": "O1", "organisation_name": "Org One", "district": "Oxford", "signed_on": date(2022, 6, 1),
     "sector": "vcse", "size_band": "small"},
    {"organisation_id": "O2", "organisation_name": "Org Two", "district": "E07000177", "signed_on": date(2023, 5, 1),
     "sector": "private", "size_band": "small"},
    {"organisation_id": "O3", "organisation_name": "Org Three", "district": None, "signed_on": date(2024, 7, 1)},
    {"organisation_id": "O4", "organisation_name": "Org Four", "district": "West Oxon", "signed_on": date(2025, 5, 1)},
]


def _update(pledge: str, org: str, on: date, status: str, area: str = "local_spend", due: date | None = None) -> dict:
    return {
        "due_on": due or DUE[pledge],
        "pledge_id": pledge,
        "organisation_id": org,
        "priority_area": area,
        "pledge_title": f"Pledge {pledge}",
        "update_on": on,
        "status": status,
    }


DUE = {
    "PL1": date(2025, 3, 31),
    "PL2": date(2024, 12, 31),
    "PL3": date(2025, 6, 30),
    "PL4": date(2025, 9, 30),
    "PL5": date(2024, 10, 1),
}

PLEDGE_UPDATES = [
    _update("PL1", "O1", date(2023, 1, 10), "pledged"),
    _update("PL1", "O1", date(2024, 2, 1), "in_progress"),
    _update("PL1", "O1", date(2024, 6, 1), "achieved"),
    _update("PL2", "O2", date(2023, 6, 1), "pledged", "skills_and_jobs"),
    _update("PL2", "O2", date(2025, 3, 31), "withdrawn", "skills_and_jobs"),
    _update("PL3", "O3", date(2024, 8, 1), "in_progress", "place_based"),
    _update("PL4", "O2", date(2025, 4, 1), "pledged"),
    # due in 2024-25, achieved only after the year end
    _update("PL5", "O3", date(2024, 5, 1), "in_progress"),
    _update("PL5", "O3", date(2025, 4, 15), "achieved"),
]

RAW_ROWS = {
    "spend__suppliers": SUPPLIERS,
    "spend__payments": PAYMENTS,
    "programme__participants": PARTICIPANTS,
    "programme__outcomes": OUTCOMES,
    "wellbeing__responses": RESPONSES + PROGRAMME_WAVES,
    "programme__costs": COSTS,
    "spend__contracts": CONTRACTS,
    "charter__signatories": SIGNATORIES,
    "charter__pledge_updates": PLEDGE_UPDATES,
}
