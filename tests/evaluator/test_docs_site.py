"""`impact docs`: the dbt docs site generated from the snapshot, every mart column described, the
metric catalogue readable on the site's front page, every description written for evaluators
(no reference to documents or settings they do not have) and shown whole."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from impact_cli import impact

from cli.docs_site import CLIPPED_CELL
from partnership.config import DBT_PROJECT_DIR

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(demo_dir, snapshot_path) -> Path:
    before = snapshot_path.stat().st_mtime_ns
    done = impact("docs", "--data-dir", str(demo_dir), "--print-path")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    page = Path(done.stdout.strip().splitlines()[-1])
    assert page.name == "static_index.html" and page.exists()
    assert snapshot_path.stat().st_mtime_ns == before  # the snapshot itself is never written
    return page.parent


def test_site_files_are_written(site):
    for name in ("index.html", "manifest.json", "catalog.json", "static_index.html"):
        assert (site / name).stat().st_size > 1000, name


def test_every_mart_column_in_the_database_is_described(site):
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    marts = {node["name"]: node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["schema"] == "marts"}
    assert len(marts) >= 19
    tables = {node["metadata"]["name"]: node for node in catalog["nodes"].values()
              if node["metadata"]["schema"] == "marts"}
    assert set(marts) == set(tables)  # the catalogue was read from the snapshot
    undescribed = []
    for name, node in marts.items():
        assert node["description"].strip(), f"{name} has no description"
        described = {c for c, col in node["columns"].items() if col["description"].strip()}
        undescribed += [f"{name}.{c}" for c in tables[name]["columns"] if c.lower() not in described]
    assert not undescribed, undescribed


def test_metric_catalogue_is_on_the_front_page(site):
    manifest = json.loads((site / "manifest.json").read_text())
    [overview] = [d for d in manifest["docs"].values()
                  if d["name"] == "__overview__" and d["package_name"] == "impact"]
    with (DBT_PROJECT_DIR / "seeds" / "reference" / "metric_definitions.csv").open(encoding="utf-8") as f:
        metrics = list(csv.DictReader(f))
    for metric in metrics:
        assert f"| {metric['metric_id']} | {metric['name']} |" in overview["block_contents"], metric["metric_id"]


# Evaluators have the site, the snapshot and the evaluator's guide; not the product specification,
# the domain notes, dbt's vars or the issue tracker.
NOT_THEIRS = re.compile(r"\bspec\b|§|domain[- ]facts|product-spec|\bvars?\b|\bTODO\b|\bissue \d", re.IGNORECASE)


def _descriptions(manifest: dict):
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        if node["resource_type"] in ("model", "seed", "source") and node["package_name"] == "impact":
            yield node["name"], node["description"]
            for column, spec in node["columns"].items():
                yield f"{node['name']}.{column}", spec["description"]


def test_descriptions_are_written_for_evaluators_and_complete(site):
    manifest = json.loads((site / "manifest.json").read_text())
    problems = []
    for where, text in _descriptions(manifest):
        text = text.strip()
        if NOT_THEIRS.search(text):
            problems.append(f"{where} refers to what evaluators do not have: {text!r}")
        if text and text[-1] not in ".)!?":
            problems.append(f"{where} ends mid-sentence: {text!r}")
    [overview] = [d["block_contents"] for d in manifest["docs"].values()
                  if d["name"] == "__overview__" and d["package_name"] == "impact"]
    problems += [f"the front page refers to {m.group()!r}" for m in NOT_THEIRS.finditer(overview)]
    assert not problems, "\n".join(problems)
    assert sum(1 for _ in _descriptions(manifest)) > 300


def test_column_descriptions_are_shown_whole_on_the_site(site):
    for page in ("index.html", "static_index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert CLIPPED_CELL not in html, f"{page} still cuts column descriptions to one line"
        assert "{{ column.description }}" in html  # the template is still the one being fixed
