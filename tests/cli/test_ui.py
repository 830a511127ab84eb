"""`impact ui` serves the asset graph on localhost, every stage visible as assets and checks, and
stops with its servers, within seconds, when the steward stops it (SIGTERM here; the browser test
stops it with SIGINT, as Ctrl-C does)."""

from __future__ import annotations

import signal

from ui_server import STOP_LIMIT, asset_nodes, config_with_free_ports, serve_ui


def test_ui_serves_every_stage_as_assets_and_checks_and_stops_on_sigterm(tmp_path):
    with serve_ui(tmp_path / "data", config=config_with_free_ports(tmp_path), stop_signal=signal.SIGTERM) as ui:
        nodes = asset_nodes(ui.base)
        groups = {tuple(n["assetKey"]["path"]): n["groupName"] for n in nodes}
        checks = {tuple(n["assetKey"]["path"]): [c["name"] for c in n["assetChecksOrError"].get("checks", [])]
                  for n in nodes}
        assert set(groups.values()) == {"ingest", "reference", "staging", "intermediate", "facts", "metrics",
                                        "gate", "publication"}
        assert groups[("raw", "spend__payments")] == "ingest" and groups[("stg_spend__payments",)] == "staging"
        assert groups[("metrics",)] == "metrics" and groups[("fct_payments",)] == "facts"
        assert groups[("annual_pack",)] == "publication"
        assert groups[("annual_tables",)] == "gate"
        assert {"publication_gate", "gate_warnings"} <= set(checks[("annual_tables",)])
        assert any(name.startswith("unique") for name in checks[("fct_payments",)] + checks[("metrics",)])
    assert len(ui.servers) >= 2  # the webserver and the daemon (and the code servers they started)
    print(f"impact ui stopped on SIGTERM in {ui.stopped_in:.1f} s")
    assert ui.exit_code == 0 and ui.stopped_in is not None and ui.stopped_in < STOP_LIMIT, ui
    assert ui.left_behind == [], ui
