"""Deterministic, seeded, entirely synthetic demo data for the four feeds.

    from demo import generate_demo_data, PLANTED_DEFECTS
    summary = generate_demo_data(Path("data/landing"), seed=20240401, scale=1.0)
"""

from demo.defects import PLANTED_DEFECTS, PlantedDefect
from demo.generate import DemoSummary, EntityCount, build_files, generate_demo_data

__all__ = [
    "PLANTED_DEFECTS",
    "DemoSummary",
    "EntityCount",
    "PlantedDefect",
    "build_files",
    "generate_demo_data",
]
