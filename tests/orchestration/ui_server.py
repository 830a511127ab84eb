"""Start `impact ui` on a free loopback port for a test, and stop it (with its children) after."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

NODES = """{ assetNodes { assetKey { path } groupName
             assetChecksOrError { ... on AssetChecks { checks { name } } } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(f"{base}/graphql", json.dumps({"query": query}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def asset_nodes(base: str, timeout: float = 120) -> list[dict]:
    """The asset nodes, once the code location has loaded."""
    deadline = time.monotonic() + timeout
    while True:
        nodes = (graphql(base, NODES).get("data") or {}).get("assetNodes") or []
        if nodes or time.monotonic() > deadline:
            return nodes
        time.sleep(2)


@contextmanager
def serve_ui(data_dir: Path) -> Iterator[str]:
    port = free_port()
    env = os.environ | {"IMPACT_DATA_DIR": str(data_dir)}
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
            process.wait(30)
