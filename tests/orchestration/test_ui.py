"""`impact ui` serves the asset graph on localhost: every stage visible as assets and checks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

QUERY = """{ assetNodes { assetKey { path } groupName
              assetChecksOrError { ... on AssetChecks { checks { name } } } } }"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def ui(tmp_path):
    port = _free_port()
    env = os.environ | {"IMPACT_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "ui", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"impact ui exited: {process.stdout.read().decode()[-3000:]}")
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=5)
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("impact ui did not answer within 180 s")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_ui_serves_every_stage_as_assets_and_checks(ui):
    deadline = time.monotonic() + 120  # the code location may still be loading
    while True:
        nodes = (_post(f"{ui}/graphql", {"query": QUERY}).get("data") or {}).get("assetNodes") or []
        if nodes or time.monotonic() > deadline:
            break
        time.sleep(2)
    groups = {tuple(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    checks = {tuple(n["assetKey"]["path"]): [c["name"] for c in n["assetChecksOrError"].get("checks", [])]
              for n in nodes}
    assert set(groups.values()) == {"ingest", "warehouse", "publication"}
    assert groups[("raw", "spend__payments")] == "ingest"
    assert groups[("metrics",)] == "warehouse" and groups[("annual_pack",)] == "publication"
    assert "publication_gate" in checks[("metrics",)]
    assert any(name.startswith("unique") for name in checks[("fct_payments",)] + checks[("metrics",)])
