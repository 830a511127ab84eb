"""The register of what each published pack showed: every exact number it published, keyed by
year | metric | geography | part, with the pack, file and cell it appeared in.

A new pack is audited against the register, so a value withheld now cannot be worked out from one
published before (an earlier revision of the same year, last year's pack and a change on last
year). The register lives at `exports/published_register.csv` and is rewritten atomically after
each pack is in place. A revision folder missing from it (a pack written before the register
existed, or a run stopped between the rename and the register) is read from its own files the
next time the register is consulted, so the register cannot silently fall behind the packs.
"""

from __future__ import annotations

import csv
import os
import re
import uuid
from pathlib import Path

from exports.audit.facts import Fact, Where
from exports.audit.readers import read_pack

FILE = "published_register.csv"
COLUMNS = ("pack", "file", "cell", "reporting_year", "metric_id", "geography_code", "part", "value")
REVISION = re.compile(r"^r\d{3,}$")


class Register:
    def __init__(self, exports_dir: Path, *, marker: str = "[c]") -> None:
        self.exports_dir = Path(exports_dir)
        self.path = self.exports_dir / FILE
        self.marker = marker

    def facts(self) -> list[Fact]:
        """Every number published by the packs under exports/, reading any pack the register lacks."""
        rows = self._rows()
        listed = {r["pack"] for r in rows}
        missing = [p for p in self._packs() if self._name(p) not in listed]
        for folder in missing:
            rows += self._rows_of(folder)
        if missing:
            self._write(rows)
        return [Fact((r["reporting_year"], r["metric_id"], r["geography_code"], r["part"]),
                     float(r["value"]), True, Where(f"{r['pack']}/{r['file']}", r["cell"])) for r in rows]

    def record(self, folder: Path, published: list[Fact]) -> int:
        """Add the pack in `folder` (now in place) to the register; returns the numbers recorded.
        `published`: the facts its audit read from the same files before they were moved into place
        (AuditReport.published), so they are not read a second time."""
        rows = [r for r in self._rows() if r["pack"] != self._name(folder)]
        new = self._as_rows(self._name(folder), published)
        self._write(rows + new)
        return len(new)

    def _name(self, folder: Path) -> str:
        return f"{folder.parent.name}/{folder.name}"

    def _packs(self) -> list[Path]:
        if not self.exports_dir.is_dir():
            return []
        return sorted(p for year in self.exports_dir.iterdir() if year.is_dir()
                      for p in year.iterdir() if p.is_dir() and REVISION.match(p.name))

    def _rows_of(self, folder: Path) -> list[dict[str, str]]:
        # the PDF gives the audit texts, not facts: the register does not read it
        pack = read_pack(folder, marker=self.marker, name=self._name(folder), pdf=False)
        return self._as_rows(pack.name, pack.facts)

    @staticmethod
    def _as_rows(name: str, facts: list[Fact]) -> list[dict[str, str]]:
        return [{"pack": name, "file": f.where.file, "cell": f.where.cell, "reporting_year": f.key[0],
                 "metric_id": f.key[1], "geography_code": f.key[2], "part": f.key[3], "value": repr(f.value)}
                for f in facts if f.value is not None and f.exact]

    def _rows(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def _write(self, rows: list[dict[str, str]]) -> None:
        self.exports_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{FILE}.{uuid.uuid4().hex}")
        with temporary.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(temporary, self.path)
