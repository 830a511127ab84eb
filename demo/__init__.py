"""Deterministic, seeded, entirely synthetic demo data for the four feeds.

    from demo import generate_demo_data, PLANTED_DEFECTS
    summary = generate_demo_data(Path("data/landing"), seed=20240401, scale=1.0)
"""

from demo.area import OXFORDSHIRE, DemoArea, DemoAreaError, demo_area
from demo.defects import PLANTED_DEFECTS, PlantedDefect
from demo.generate import DemoSummary, EntityCount, build_files, generate_demo_data

__all__ = [
    "OXFORDSHIRE",
    "PLANTED_DEFECTS",
    "DemoArea",
    "DemoAreaError",
    "DemoSummary",
    "EntityCount",
    "PlantedDefect",
    "build_files",
    "demo_area",
    "generate_demo_data",
]
