"""Revisions of a year's pack: `exports/<year>/rNNN`, never overwritten. A new revision is taken
by renaming a finished staging folder onto the next free number; its content is fingerprinted so a
re-run that would say the same thing writes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the pack's frames; reading revisions needs no pandas
    import pandas as pd

REVISION = re.compile(r"^r(\d{3,})$")


class PackError(RuntimeError):
    """The pack cannot be written; the message says why."""


_VOLATILE_COVER = ("Produced", "Run id", "Code version", "Quality gate")  # the gate verdict is in `gate`
_VOLATILE_GATE = ("run_id", "validated_at")


def content_sha256(csvs: dict[str, pd.DataFrame], cover: list[tuple[str, Any]], trend: pd.DataFrame,
                    gate: dict[str, Any]) -> str:
    """What the pack says, without when or by which run it was produced: rows in a fixed order and
    numbers to 12 significant digits (a rebuild of the same rows may return them in another order,
    and differ in a parallel sum's last bits)."""
    def stable(frame: pd.DataFrame) -> bytes:
        text = frame.map(lambda v: f"{v:.12g}" if isinstance(v, float) else str(v))
        return text.sort_values(list(text.columns)).to_csv(index=False).encode() if len(text.columns) else b""

    digest = hashlib.sha256()
    for name, frame in sorted(csvs.items()):
        digest.update(name.encode() + stable(frame))
    digest.update(stable(trend))
    stable_cover = [(label, value) for label, value in cover if label not in _VOLATILE_COVER]
    stable_gate = {k: v for k, v in gate.items() if k not in _VOLATILE_GATE}
    digest.update(json.dumps([stable_cover, stable_gate], default=str, sort_keys=True).encode())
    return digest.hexdigest()


def latest_revision(year_dir: Path) -> tuple[Path, dict[str, Any]] | None:
    revisions = sorted((int(m.group(1)), p) for p in year_dir.glob("r*")
                       if (m := REVISION.match(p.name)) and (p / "manifest.json").is_file()) \
        if year_dir.is_dir() else []
    if not revisions:
        return None
    folder = revisions[-1][1]
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def rename_into_place(staging: Path, year_dir: Path) -> Path:
    """Take the next free revision; a concurrent writer taking it first costs one retry."""
    for _ in range(100):
        taken = [int(m.group(1)) for p in year_dir.iterdir() if (m := REVISION.match(p.name))]
        final = year_dir / f"r{max(taken, default=0) + 1:03d}"
        try:
            os.rename(staging, final)  # never onto an existing revision: those are non-empty
            return final
        except OSError:
            if not final.exists():
                raise
    raise PackError(f"no free revision under {year_dir}")
