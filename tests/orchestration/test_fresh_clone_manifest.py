"""On a fresh clone nothing has parsed the dbt project: `impact run` plans its build from the
manifest's graph, so planning parses the project first instead of failing on a missing file (the
first `make demo` on a new machine did). Two commands started at once on a fresh clone (two data
directories, or two test workers) parse it once, and neither reads a half-written manifest.

Each test works on its own copy of the project, never on the checkout's manifest, which other
commands (and test workers) read while it runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import build_plan, dbt_manifest

ROOT = Path(__file__).resolve().parents[2]
# A child process that points ensure_manifest at the copy (and at a dbt that counts its runs),
# then reads the manifest it returns.
CHILD = """
import json, sys
from pathlib import Path
from orchestration import dbt_manifest
project = Path(sys.argv[1])
dbt_manifest.DBT_PROJECT_DIR, dbt_manifest.MANIFEST = project, project / "target" / "manifest.json"
dbt_manifest.DBT_EXECUTABLE = sys.argv[2]
print(len(json.loads(dbt_manifest.ensure_manifest().read_text(encoding="utf-8"))["nodes"]))
"""


@pytest.fixture
def unparsed_project(tmp_path, monkeypatch) -> Path:
    """A copy of the dbt project that nothing has parsed, where ensure_manifest looks."""
    project = tmp_path / "dbt_project"
    shutil.copytree(dbt_manifest.DBT_PROJECT_DIR, project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"))
    monkeypatch.setattr(dbt_manifest, "DBT_PROJECT_DIR", project)
    monkeypatch.setattr(dbt_manifest, "MANIFEST", project / "target" / "manifest.json")
    return project


def test_planning_a_build_parses_the_project_when_the_manifest_is_missing(unparsed_project):
    build_plan._graph.cache_clear()
    try:
        models = build_plan.all_models()
        assert (unparsed_project / "target" / "manifest.json").is_file()
        assert {"metrics", "toc_indicators", "stg_spend__payments"} <= set(models)
        assert "metrics" in build_plan.downstream_of({"raw.spend__payments"})
    finally:
        build_plan._graph.cache_clear()


def test_two_commands_started_together_on_a_fresh_clone_parse_once(unparsed_project, tmp_path):
    counter = tmp_path / "parses"
    dbt = tmp_path / "dbt"
    dbt.write_text(f"#!/bin/sh\necho parse >> '{counter}'\nexec '{dbt_manifest.DBT_EXECUTABLE}' \"$@\"\n")
    dbt.chmod(0o755)
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(unparsed_project), str(dbt)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [child.communicate(timeout=600) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err[-3000:]
    nodes = {int(out) for out, _ in outputs}
    assert len(nodes) == 1 and nodes.pop() > 100  # both read the whole manifest
    assert counter.read_text().splitlines() == ["parse"]  # one parse; the other waited and found it made
    json.loads((unparsed_project / "target" / "manifest.json").read_text(encoding="utf-8"))
