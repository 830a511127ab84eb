"""Every closed year of the demo publishes, not only the one `impact demo` packs.

The demo publishes its latest closed year; a steward also publishes the earlier ones (a revised
pack, a year asked for again). The disclosure control once refused two earlier demo years whose
small counts the latest year did not have (an IN01 count recoverable by differencing), and no
test published them. Here each closed year with metric values is published with
`impact publish --year` on a copy of the demo (the years from [reporting] first_year; earlier
ones are trend years) and must give a whole pack of its own year.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from impact_cli import impact

from partnership.config import load_settings

pytestmark = pytest.mark.e2e


def test_every_closed_demo_year_publishes_a_pack(demo_data_dir, tmp_path):
    source, *_ = demo_data_dir
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir, symlinks=True)
    snapshot = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    years = [y for (y,) in snapshot.execute(
        "SELECT reporting_year FROM marts.dim_reporting_years WHERE status = 'closed' AND reporting_year IN "
        "(SELECT reporting_year FROM marts.metrics WHERE value IS NOT NULL) ORDER BY 1").fetchall()]
    snapshot.close()
    first = load_settings(data_dir=data_dir).reporting.first_year  # earlier years are trend years only
    years = [y for y in years if y >= first]
    packed = {p.name for p in (data_dir / "exports").iterdir() if p.is_dir()}
    others = [y for y in years if y not in packed]
    assert len(years) >= 3 and len(packed) == 1 and len(others) == len(years) - 1, (years, packed)

    for year in others:
        done = impact("publish", "--year", year, "--data-dir", str(data_dir))
        assert done.returncode == 0, f"{year}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        folder = data_dir / "exports" / year / "r001"
        assert f"exports/{year}/r001" in done.stdout and folder.is_dir(), done.stdout
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["reporting_year"] == year and manifest["gate"]["status"] in ("passed", "warned")
        listed = [entry["path"] for entry in manifest["files"]]
        assert all((folder / name).is_file() for name in listed), listed
        assert any(name.endswith(".xlsx") for name in listed) and any(name.endswith(".csv") for name in listed)
    assert not list((data_dir / "exports").glob("*/.partial-*"))
