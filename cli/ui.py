"""`impact ui`: the Dagster webserver and daemon for this data directory, plus the gate's Great
Expectations Data Docs over HTTP, started together and stopped together within seconds.

`impact ui` used to exec `dagster dev`, which took some 30 s to give up on SIGTERM or Ctrl-C while
it waited for its own children. Here the webserver and the daemon are children of `impact ui`,
each in a process group of its own (with the code servers they start). SIGINT or SIGTERM to
`impact ui` stops them: SIGTERM to each group, SIGKILL to what is left after STOP_GRACE seconds.
If either child ends by itself, the other is stopped too, and `impact ui` says which one ended.

Before the servers start, a short-lived child parses the dbt project if needed and opens the
Dagster instance once, so its storage exists before two servers race to create it; dagster-dbt
and dbt-core stay out of the watching process, which therefore exits at once when asked to.
The Dagster instance is told not to send telemetry and not to show the first-visit "Join the
community" pop-up (its `dagster.yaml`, written by `impact` for the data directory)."""

from __future__ import annotations

import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from partnership.config import Settings

CODE_LOCATION = "orchestration.definitions"
STOP_GRACE = 3.0  # seconds a server has to stop by itself before it is killed
UI_INSTANCE_SETTINGS = {"telemetry": {"enabled": False}, "nux": {"enabled": False}}


def quiet_instance(dagster_home: Path) -> None:
    """Telemetry and the first-visit pop-up off in the instance's dagster.yaml, other keys kept."""
    config = dagster_home / "dagster.yaml"
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    present = yaml.safe_load(text) or {}
    missing = {key: value for key, value in UI_INSTANCE_SETTINGS.items() if present.get(key) != value}
    if missing:
        kept = "\n".join(line for line in text.splitlines()
                         if not any(line.startswith(f"{key}:") for key in missing))
        blocks = "".join(yaml.safe_dump({key: value}) for key, value in missing.items())
        config.write_text(kept.rstrip("\n") + "\n" + blocks if kept.strip() else blocks, encoding="utf-8")


def prepare() -> None:
    """In a child process: the dbt manifest, and the instance's storage (DAGSTER_HOME is set)."""
    from dagster import DagsterInstance

    from orchestration.dbt import ensure_manifest

    ensure_manifest()
    with DagsterInstance.get():
        pass


def serve_ui(settings: Settings, port: int) -> int:
    """Run the UI until a signal or a child's end; 0 when stopped by a signal."""
    quiet_instance(settings.dagster_home)
    prepared = subprocess.run([sys.executable, "-m", "cli.ui"], capture_output=True, text=True)
    if prepared.returncode != 0:
        print(f"impact ui: could not prepare the dbt project or the Dagster instance:\n{prepared.stderr[-3000:]}",
              file=sys.stderr)
        return 1
    host = settings.dagster.host
    tools = Path(sys.executable).parent
    commands = {
        "webserver": [str(tools / "dagster-webserver"), "-m", CODE_LOCATION, "-h", host, "-p", str(port)],
        "daemon": [str(tools / "dagster-daemon"), "run", "-m", CODE_LOCATION],
    }
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    docs = data_docs_server(settings)
    children: dict[str, subprocess.Popen] = {}
    ended = None
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, start_new_session=True)
        print(f"Dagster UI on http://{host}:{port} (data directory {settings.data_dir}); Ctrl-C stops it",
              flush=True)
        while not stop.wait(0.5):
            ended = next((name for name, child in children.items() if child.poll() is not None), None)
            if ended:
                print(f"impact ui: the Dagster {ended} stopped (exit code {children[ended].returncode}); "
                      "stopping the rest", file=sys.stderr, flush=True)
                break
    finally:
        stop_children(list(children.values()))
        if docs is not None:
            docs.shutdown()
            docs.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if ended else 0


def stop_children(children: list[subprocess.Popen], grace: float = STOP_GRACE) -> None:
    """SIGTERM to each child's process group, SIGKILL to any group still there after `grace`."""
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for child in children:
        _signal_group(child, signal.SIGKILL)  # the child's own children too (code servers)
        child.wait()
    deadline = time.monotonic() + grace  # a killed process takes a moment to go: exit once none is left
    while any(_group_left(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.05)


def _group_left(child: subprocess.Popen) -> bool:
    try:
        os.killpg(child.pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _signal_group(child: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the steward's terminal is for Dagster's log
        pass


def data_docs_server(settings: Settings) -> http.server.ThreadingHTTPServer | None:
    """Serve the GX Data Docs on [dagster] data_docs_port in a thread; None (said why) if it cannot."""
    root = settings.data_docs_dir
    root.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    try:
        server = http.server.ThreadingHTTPServer((settings.dagster.host, settings.dagster.data_docs_port), handler)
    except OSError as exc:
        print(f"impact ui: the Data Docs are not served: port {settings.dagster.data_docs_port} "
              f"([dagster] data_docs_port): {exc.strerror}", file=sys.stderr, flush=True)
        return None
    threading.Thread(target=server.serve_forever, name="data-docs", daemon=True).start()
    print(f"Great Expectations Data Docs on http://{settings.dagster.host}:{settings.dagster.data_docs_port}/",
          flush=True)
    return server


if __name__ == "__main__":
    prepare()
