"""`impact ui` serves the asset graph on localhost: every stage visible as assets and checks."""

from __future__ import annotations

import pytest
from ui_server import asset_nodes, serve_ui


@pytest.fixture
def ui(tmp_path):
    with serve_ui(tmp_path / "data") as base:
        yield base


def test_ui_serves_every_stage_as_assets_and_checks(ui):
    nodes = asset_nodes(ui)
    groups = {tuple(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    checks = {tuple(n["assetKey"]["path"]): [c["name"] for c in n["assetChecksOrError"].get("checks", [])]
              for n in nodes}
    assert set(groups.values()) == {"ingest", "reference", "staging", "intermediate", "marts", "gate", "publication"}
    assert groups[("raw", "spend__payments")] == "ingest" and groups[("stg_spend__payments",)] == "staging"
    assert groups[("metrics",)] == "marts" and groups[("annual_pack",)] == "publication"
    assert groups[("annual_tables",)] == "gate"
    assert "publication_gate" in checks[("annual_tables",)]
    assert any(name.startswith("unique") for name in checks[("fct_payments",)] + checks[("metrics",)])
