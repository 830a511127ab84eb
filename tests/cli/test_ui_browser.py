"""The Dagster UI as a steward meets it, in a real (headless) browser, on the session's demo data
with its 2024-25 gate re-run: the flow's asset groups, the gate that only warned labelled Passed
with its warnings in a WARN check, the Great Expectations Data Docs opened from the check's links,
the landing sensor's cursor as a sentence, no first-visit pop-up; then Ctrl-C (SIGINT) stops it
all within seconds. Each page is saved as a screenshot.

Set IMPACT_UI_SCREENSHOTS=<folder> to keep copies of the screenshots for a look.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from impact_cli import steward_env
from ui_server import STOP_LIMIT, asset_nodes, config_with_free_ports, graphql, serve_ui

from partnership.reporting_years import reporting_years

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and Path(p).exists()), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1600,1000",
         "--virtual-time-budget=15000"]
LOCATION = "orchestration.definitions"
YEAR = "2024-25"
CHECK = """{ assetCheckExecutions(assetKey: {path: ["annual_tables"]}, checkName: "%s", limit: 1) {
  status partition evaluation { severity metadataEntries { label ... on UrlMetadataEntry { url } } } } }"""
CURSOR = """{ sensorOrError(sensorSelector: {repositoryName: "__repository__",
  repositoryLocationName: "LOCATION", sensorName: "landing_folder"}) {
  ... on Sensor { sensorState { typeSpecificData { ... on SensorData { lastCursor } } } } } }""".replace(
    "LOCATION", LOCATION)


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


@pytest.fixture(scope="module")
def gated_demo(demo_data_dir, tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the session's demo whose 2024-25 gate has run again under a configuration with
    a free Data Docs port, so the check's links point at this test's server."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    folder = tmp_path_factory.mktemp("ui")
    data_dir = folder / "data"
    shutil.copytree(demo_data_dir[0], data_dir, symlinks=True)
    config = config_with_free_ports(folder)
    env = steward_env() | {"IMPACT_CONFIG": str(config)}
    done = subprocess.run([sys.executable, "-m", "cli.main", "publish", "--data-dir", str(data_dir),
                           "--year", YEAR], capture_output=True, text=True, env=env, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return data_dir, config


def _latest(base: str, check: str) -> tuple[dict, dict[str, str]]:
    [execution] = graphql(base, CHECK % check)["data"]["assetCheckExecutions"]
    links = {e["label"]: e["url"] for e in execution["evaluation"]["metadataEntries"] if e.get("url")}
    return execution, links


def _cursor(base: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = graphql(base, CURSOR)["data"]["sensorOrError"]["sensorState"]["typeSpecificData"]
        if state and state.get("lastCursor"):
            return state["lastCursor"]
        time.sleep(3)
    pytest.fail("the landing sensor set no cursor")


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def test_a_steward_reads_the_gate_groups_and_sensor_in_the_browser(gated_demo, tmp_path):
    data_dir, config = gated_demo
    profile = tmp_path / "chromium-profile"
    shots = []
    with serve_ui(data_dir, config=config, stop_signal=signal.SIGINT) as ui:
        assert asset_nodes(ui.base), "the code location did not load"
        assert graphql(ui.base, "{ shouldShowNux }")["data"]["shouldShowNux"] is False  # no pop-up

        gate, gate_links = _latest(ui.base, "publication_gate")
        warnings, warning_links = _latest(ui.base, "gate_warnings")
        assert gate["partition"] == warnings["partition"] == YEAR
        assert gate["status"] == "SUCCEEDED" and gate["evaluation"]["severity"] == "ERROR"  # the gate passed
        assert warnings["status"] == "FAILED" and warnings["evaluation"]["severity"] == "WARN"  # it warned
        assert "Data Docs" in _fetch(gate_links["data_docs"])
        [page] = [url for label, url in warning_links.items() if label == "data_docs_metric_year_on_year"]
        assert "Expectation Validation Result" in _fetch(page) and "metric_year_on_year" in page

        cursor = _cursor(ui.base)
        assert re.match(r"\d+ files? taken", cursor) and "{" not in cursor, cursor

        pages = {
            "asset-groups": (f"{ui.base}/asset-groups",
                             {"ingest", "reference", "staging", "intermediate", "facts", "metrics", "gate",
                              "publication"}),
            "gate-group": (f"{ui.base}/locations/{LOCATION}/asset-groups/gate",
                           {"annual_tables", "annual_pack", "published_snapshot", "metrics"}),
            # the graph renders only the nodes in view (toc_indicators left it when metric_breakdowns joined)
            "metrics-group": (f"{ui.base}/locations/{LOCATION}/asset-groups/metrics",
                              {"metrics", "metrics_partnership"}),
            "annual-tables-partitions": (f"{ui.base}/assets/annual_tables?view=partitions&partition={YEAR}",
                                         {"annual_tables", *reporting_years("2022-23", date.today(), 4)}),
            "gate-check": (f"{ui.base}/assets/annual_tables?view=checks&checkDetail=publication_gate",
                           {"publication_gate", "blocking", "Passed", YEAR}),
            "gate-warnings-check": (f"{ui.base}/assets/annual_tables?view=checks&checkDetail=gate_warnings",
                                    {"gate_warnings", "non-blocking", YEAR}),
            "data-docs-year-on-year": (page, {"Expectation", "Validation", "Result"}),
            "landing-sensor": (f"{ui.base}/locations/{LOCATION}/sensors/landing_folder", {"Cursor", "taken"}),
        }
        for name, (url, expected) in pages.items():
            words = page_words(url, profile, expected)
            assert expected <= words, f"{name}: missing {sorted(expected - words)}"
            shots.append(screenshot(url, profile, tmp_path / f"{name}.png"))
        sensor_words = page_words(pages["landing-sensor"][0], profile, {"Cursor"})
        assert not any(w.startswith('{"files"') for w in sensor_words)  # no raw JSON on the sensor page
    print(f"impact ui stopped on SIGINT in {ui.stopped_in:.1f} s")
    assert ui.exit_code == 0 and ui.stopped_in is not None and ui.stopped_in < STOP_LIMIT, ui
    assert ui.left_behind == [], ui
    keep = os.environ.get("IMPACT_UI_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, Path(keep) / shot.name)
