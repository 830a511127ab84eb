"""Invented names for organisations and people (all synthetic; any likeness is coincidence)."""

from __future__ import annotations

import random

PLACE_WORDS = [
    "Cherwell", "Isis", "Thames", "Ridgeway", "Cotswold", "Chiltern", "Evenlode", "Windrush",
    "Ock", "Ray", "Otmoor", "Wychwood", "Shotover", "Bullingdon", "Banbury", "Witney",
    "Abingdon", "Didcot", "Wantage", "Bicester", "Thame", "Henley", "Cowley", "Headington",
    "Marston", "Botley", "Iffley", "Jericho", "Osney", "Wolvercote",
]
DISTRICT_PLACES = {
    "E07000177": ["Cherwell", "Banbury", "Bicester", "Kidlington", "Otmoor", "Ray"],
    "E07000178": ["Isis", "Cowley", "Headington", "Marston", "Iffley", "Jericho", "Osney",
                  "Wolvercote", "Botley", "Shotover"],
    "E07000179": ["Thame", "Henley", "Chiltern", "Wallingford", "Didcot", "Bullingdon"],
    "E07000180": ["Abingdon", "Wantage", "Ridgeway", "Ock", "Faringdon"],
    "E07000181": ["Witney", "Cotswold", "Evenlode", "Windrush", "Wychwood", "Chipping Norton"],
    # Greater Manchester's ten boroughs (examples/greater-manchester)
    "E08000001": ["Bolton", "Horwich", "Westhoughton", "Farnworth", "Blackrod"],
    "E08000002": ["Bury", "Ramsbottom", "Radcliffe", "Prestwich", "Whitefield"],
    "E08000003": ["Ancoats", "Chorlton", "Didsbury", "Levenshulme", "Gorton", "Wythenshawe"],
    "E08000004": ["Oldham", "Chadderton", "Failsworth", "Royton", "Saddleworth"],
    "E08000005": ["Rochdale", "Heywood", "Middleton", "Littleborough", "Milnrow"],
    "E08000006": ["Salford", "Eccles", "Swinton", "Walkden", "Irlam", "Worsley"],
    "E08000007": ["Stockport", "Bramhall", "Cheadle", "Marple", "Reddish"],
    "E08000008": ["Ashton", "Hyde", "Denton", "Stalybridge", "Droylsden", "Mossley"],
    "E08000009": ["Altrincham", "Sale", "Stretford", "Urmston", "Partington", "Hale"],
    "E08000010": ["Wigan", "Leigh", "Atherton", "Hindley", "Standish"],
}
TRADE_WORDS = [
    "Building", "Catering", "Cleaning", "Consulting", "Digital", "Engineering", "Facilities",
    "Print", "Landscapes", "Transport", "Care", "Electrical", "Plumbing", "Security", "Software",
    "Training", "Recruitment", "Furniture", "Laundry", "Medical Supplies", "Waste", "Roofing",
    "Scaffolding", "Events", "Legal", "Surveying", "Design", "Fleet", "Timber", "Signs",
]
NATIONAL_WORDS = [
    "Apex", "Northgate", "Meridian", "Summit", "Crown", "Sterling", "Atlas", "Vantage",
    "Pinnacle", "Horizon", "Corvus", "Keystone", "Beacon", "Regent", "Unity", "Paragon",
]
VCSE_WORDS = [
    "Community Trust", "Foodbank", "Youth Project", "Mind", "Carers Centre", "Refugee Support",
    "Credit Union", "Arts Collective", "Tenants Association", "Sports Club", "Men's Shed",
    "Homeless Action", "Age Concern", "Women's Aid", "Learning Partnership",
]
FIRST_NAMES = [
    "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Sophia", "Jack",
    "Grace", "Leo", "Zara", "Mohammed", "Aisha", "Tomasz", "Olena", "Kwame", "Priya", "Liam",
    "Chloe", "Ethan", "Fatima", "Daniel", "Ellie", "Callum", "Ruby", "Yusuf", "Hannah", "Kai",
]
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Khan", "Patel",
    "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Ahmed", "Nowak", "Kowalski",
    "Mensah", "Begum", "Clarke", "Hall", "Green", "Baker", "Hussain", "Wood", "Turner",
]


def org_name(rng: random.Random, sector: str, district: str | None = None) -> str:
    place = rng.choice(DISTRICT_PLACES.get(district, PLACE_WORDS) if district else PLACE_WORDS)
    if sector == "vcse":
        return f"{place} {rng.choice(VCSE_WORDS)}"
    if sector == "education":
        return rng.choice([f"{place} College", f"{place} Academy", f"{place} Primary School"])
    if sector == "health":
        return rng.choice([f"{place} Medical Practice", f"{place} Surgery", f"{place} Hospice"])
    if sector == "public":
        return rng.choice([f"{place} Town Council", f"{place} Parish Council"])
    suffix = rng.choice(["Ltd", "Ltd", "Limited", "& Sons Ltd", "LLP", "Group Ltd"])
    return f"{place} {rng.choice(TRADE_WORDS)} {suffix}"


def national_supplier(rng: random.Random) -> str:
    return f"{rng.choice(NATIONAL_WORDS)} {rng.choice(TRADE_WORDS)} {rng.choice(['Ltd', 'plc', 'UK Ltd'])}"


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
