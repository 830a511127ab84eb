"""Start `impact ui` on free loopback ports for a test, and stop it as a steward would: one signal
to `impact ui` itself, which must stop its servers within seconds and leave none behind."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from partnership.config import DEFAULT_CONFIG_FILE

NODES = """{ assetNodes { assetKey { path } groupName
             assetChecksOrError { ... on AssetChecks { checks { name } } } } }"""
STOP_LIMIT = 20  # seconds; `dagster dev` took 30 s or more, impact ui kills what is left after 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config_with_free_ports(folder: Path) -> Path:
    """The project's configuration with the Data Docs on a free port (tests run side by side)."""
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    text, replaced = re.subn(r"(?m)^data_docs_port = \d+", f"data_docs_port = {free_port()}", text)
    assert replaced == 1
    path = folder / "impact.toml"
    path.write_text(text, encoding="utf-8")
    return path


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


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:  # the thread ended after the listing
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Ui:
    base: str
    servers: list[int] = field(default_factory=list)  # the webserver, the daemon and their children
    stopped_in: float | None = None
    exit_code: int | None = None
    left_behind: list[int] = field(default_factory=list)


@contextmanager
def serve_ui(data_dir: Path, *, config: Path | None = None, stop_signal: int = signal.SIGTERM) -> Iterator[Ui]:
    port = free_port()
    env = os.environ | {"IMPACT_DATA_DIR": str(data_dir), "IMPACT_CONFIG": str(config or DEFAULT_CONFIG_FILE)}
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "ui", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    ui = Ui(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"impact ui exited: {process.stdout.read().decode()[-3000:]}")
            try:
                urllib.request.urlopen(f"{ui.base}/server_info", timeout=5)
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("impact ui did not answer within 180 s")
        yield ui
    finally:
        groups = _children(process.pid)
        ui.servers = groups + [p for g in groups for p in _children(g)]
        started = time.monotonic()
        process.send_signal(stop_signal)  # to impact ui alone, as a terminal's Ctrl-C or a service stop
        try:
            ui.exit_code = process.wait(STOP_LIMIT)
            ui.stopped_in = time.monotonic() - started
        except subprocess.TimeoutExpired:
            pass
        ui.left_behind = [pid for pid in ui.servers if _alive(pid)]
        for pid in [process.pid, *groups]:  # whatever is left, so no test leaves servers running
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        process.wait(30)
        process.stdout.close()
