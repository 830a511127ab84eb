"""dbt's graph does not depend on a partnership's configuration.

Dagster's asset graph comes from one manifest, parsed with the project's default vars (Oxfordshire,
four feeds, a supplier register); each run builds with the partnership's own vars. A `ref` that a
var switches off (a single-authority area has no districts, a partnership without a supplier
register) drops an edge from the run's graph only: dbt may then build a model before what Dagster
knows it depends on, and Dagster stops the step ("yielded before its dependency"). The parent map
parsed with other partnerships' vars must equal the default one.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import DBT, PROJECT_DIR

from orchestration.dbt_vars import dbt_vars
from partnership.config import load_settings

PARTNERSHIPS = {
    "a unitary authority, spend only, no register": """
[area]
code = "E06000023"
name = "Bristol"
local_authorities = ["E06000023"]

[feeds]
collected = ["spend"]
supplier_register = false
""",
    "a feed from a later year, another no longer": """
[feeds]
first_year = { wellbeing = "2024-25" }
last_year = { charter = "2023-24" }
""",
}


def _parents(work: Path, variables: dict | None) -> dict[str, list[str]]:
    work.mkdir(parents=True, exist_ok=True)
    command = [str(DBT), "parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--quiet"]
    if variables is not None:
        command += ["--vars", json.dumps(variables)]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(command, env=env, cwd=work, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
    return {node: sorted(parents) for node, parents in manifest["parent_map"].items()}


@pytest.fixture(scope="module")
def default_graph(tmp_path_factory) -> dict[str, list[str]]:
    return _parents(tmp_path_factory.mktemp("default"), None)


@pytest.mark.parametrize("name", list(PARTNERSHIPS))
def test_the_graph_is_the_one_dagster_knows(default_graph, tmp_path, name):
    config = tmp_path / "impact.toml"
    config.write_text(PARTNERSHIPS[name], encoding="utf-8")
    graph = _parents(tmp_path / "parse", dbt_vars(load_settings(data_dir=tmp_path / "data", config_file=config)))
    changed = {node: (default_graph.get(node), parents) for node, parents in graph.items()
               if default_graph.get(node) != parents}
    assert not changed, changed
