"""The Dagster UI as a steward meets it, in a real (headless) browser: the flow's asset groups, the
gate's annual tables, and their reporting-year partitions, each page saved as a screenshot.

Set IMPACT_UI_SCREENSHOTS=<folder> to keep copies of the screenshots for a look.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from ui_server import asset_nodes, graphql, serve_ui

from orchestration.reporting_years import reporting_years

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and Path(p).exists()), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1600,1000",
         "--virtual-time-budget=15000"]
LOCATION = "orchestration.definitions"


def _chromium(profile: Path, *args: str) -> str:
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                            capture_output=True, text=True, timeout=180)
    return result.stdout


def page_words(url: str, profile: Path, expected: set[str], attempts: int = 4) -> set[str]:
    """The words on the rendered page; retried while the single-page app is still loading."""
    words: set[str] = set()
    for _ in range(attempts):
        dom = _chromium(profile, "--dump-dom", url)
        words = set(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())
        if expected <= words:
            break
    return words


def screenshot(url: str, profile: Path, path: Path) -> Path:
    _chromium(profile, f"--screenshot={path}", url)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"no screenshot of {url}"
    assert path.stat().st_size > 20_000, f"the screenshot of {url} looks blank"
    return path


@pytest.fixture
def ui(tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    with serve_ui(tmp_path / "data") as base:
        assert asset_nodes(base), "the code location did not load"
        graphql(base, "mutation { setNuxSeen }")  # the first-visit community pop-up, once per instance
        yield base


def test_a_steward_finds_the_flow_and_the_reporting_years_in_the_browser(ui, tmp_path):
    profile = tmp_path / "chromium-profile"
    pages = {
        "asset-groups": (f"{ui}/asset-groups", {"ingest", "warehouse", "gate", "publication"}),
        "gate-group": (f"{ui}/locations/{LOCATION}/asset-groups/gate",
                       {"annual_tables", "annual_pack", "published_snapshot", "metrics"}),
        "annual-tables-partitions": (f"{ui}/assets/annual_tables?view=partitions",
                                     {"annual_tables", *reporting_years("2022-23", date.today(), 4)}),
    }
    shots = []
    for name, (url, expected) in pages.items():
        words = page_words(url, profile, expected)
        assert expected <= words, f"{name}: missing {sorted(expected - words)}"
        shots.append(screenshot(url, profile, tmp_path / f"{name}.png"))
    keep = os.environ.get("IMPACT_UI_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, Path(keep) / shot.name)
