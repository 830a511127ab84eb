"""Orchestrates the demo: build every feed in memory, plant the defects, write the files."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from demo import charter, programme, spend, wellbeing
from demo.area import OXFORDSHIRE, DemoArea
from demo.defects import PlantedDefect, plant, planted_defects
from demo.places import Places
from demo.tables import LandingFile, write_file

FEEDS = ("charter", "programme", "spend", "wellbeing")


@dataclass(frozen=True)
class EntityCount:
    """Expected ingest outcome for one feed entity (`raw.<feed>__<entity>`)."""

    feed: str
    entity: str
    files: int  # files (or workbook sheets) carrying the entity
    rows_read: int  # data rows (no header, preamble or footer)
    rows_loaded: int
    rows_quarantined: int
    values_nulled: int  # out-of-scale items set null and recorded; their rows load
    rows_skipped_footer: int

    @property
    def table(self) -> str:
        return f"{self.feed}__{self.entity}"


@dataclass(frozen=True)
class DemoSummary:
    landing_dir: Path
    seed: int
    scale: float
    files: tuple[str, ...]  # paths relative to landing_dir, e.g. "spend/supplier-register.csv"
    entities: tuple[EntityCount, ...]
    defects: tuple[PlantedDefect, ...]

    def count(self, feed: str, entity: str) -> EntityCount:
        return next(e for e in self.entities if e.feed == feed and e.entity == entity)

    def expected_loaded(self) -> dict[str, int]:
        return {e.table: e.rows_loaded for e in self.entities}

    def expected_quarantined(self) -> dict[str, int]:
        return {e.table: e.rows_quarantined for e in self.entities}

    @property
    def quarantine_records(self) -> int:
        """Rows expected in raw.quarantine: one per planted defect."""
        return len(self.defects)


def build_files(seed: int = 20240401, scale: float = 1.0, area: DemoArea = OXFORDSHIRE) -> list[LandingFile]:
    """Every landing file, in memory, with the defects planted."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    places = Places(area.local_authorities)
    rngs = {feed: random.Random(f"oiep-demo:{seed}:{feed}") for feed in FEEDS}
    files = charter.build(rngs["charter"], places, scale, area)
    programme_files, participants = programme.build(rngs["programme"], places, scale, area)
    files += programme_files
    files += spend.build(rngs["spend"], places, scale, area)
    files += wellbeing.build(rngs["wellbeing"], places, participants, scale)
    plant(files, area)
    spend.add_total_footers(files)
    return files


def summarise(files: list[LandingFile], landing_dir: Path, seed: int, scale: float,
              area: DemoArea = OXFORDSHIRE) -> DemoSummary:
    defects = planted_defects(area)
    counts: dict[tuple[str, str], list[int]] = {}
    for f in files:
        for s in f.sheets:
            if s.entity is None:
                continue
            c = counts.setdefault((f.feed, s.entity), [0, 0, 0])
            c[0] += 1
            c[1] += len(s.rows)
            c[2] += len(f.footer)
    entities = []
    for (feed, entity), (n_files, rows, footer) in sorted(counts.items()):
        mine = [d for d in defects if d.feed == feed and d.entity == entity]
        quarantined = len({(d.file_name, d.row_number) for d in mine if not d.row_loads})
        nulled = sum(1 for d in mine if d.row_loads)
        entities.append(EntityCount(feed, entity, n_files, rows, rows - quarantined,
                                    quarantined, nulled, footer))
    return DemoSummary(
        landing_dir=landing_dir, seed=seed, scale=scale,
        files=tuple(sorted(f.rel_path for f in files)), entities=tuple(entities),
        defects=tuple(defects),
    )


def generate_demo_data(landing_dir: Path, seed: int = 20240401, scale: float = 1.0,
                       area: DemoArea = OXFORDSHIRE) -> DemoSummary:
    """Write the synthetic landing files under landing_dir/<feed>/ and say what ingest should do.

    Same seed and scale give byte-identical files. Existing files of the same names are
    overwritten; other files in landing_dir are left alone.
    """
    landing_dir = Path(landing_dir)
    files = build_files(seed, scale, area)
    for f in files:
        write_file(f, landing_dir)
    return summarise(files, landing_dir, seed, scale, area)


def generate_spend_month(landing_dir: Path, month: date, seed: int = 20240401, scale: float = 1.0,
                         anchors: int | None = None, area: DemoArea = OXFORDSHIRE) -> list[Path]:
    """Write one more month of spend files (after the demo's period) into landing_dir/spend/, as a
    steward's monthly drop: for benchmarks and tests of incremental runs. `anchors` limits how
    many anchors' files are written (default: all three)."""
    files = spend.month_files(seed, scale, date(month.year, month.month, 1), Places(area.local_authorities), area)
    return [write_file(f, Path(landing_dir)) for f in files[:anchors]]
