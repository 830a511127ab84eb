"""`impact` ends without the interpreter's teardown (cli.main.entry): its exit code, its output
through a pipe and its log are whole, and under a profiler it ends normally so the report is
written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from impact_cli import steward_env


def _impact(*args: str, data_dir: Path, python: tuple[str, ...] = ("-m", "cli.main")) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *python, *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=steward_env(), timeout=300)


def test_exit_code_output_and_log_are_whole(tmp_path):
    data_dir = tmp_path / "data"
    wrong = _impact("run", "--config", str(tmp_path / "missing.toml"), data_dir=data_dir)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == f"impact: configuration: configuration file not found: {tmp_path / 'missing.toml'}"

    done = _impact("run", data_dir=data_dir)  # nothing loaded yet: nothing to build, and no dbt failure
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dbt       skipped: no file has been loaded yet" in done.stdout
    last = done.stdout.splitlines()[-1]  # the last line reached the pipe
    assert last.startswith("succeeded in ") and last.endswith(".log")
    log = Path(re.search(r"details in (\S+\.log)", last).group(1))
    assert log.is_file()


def test_under_a_tracer_the_command_ends_normally(tmp_path):
    """coverage or a profiler sets a trace or profile function: `entry` leaves the exit to Python,
    whose exit handlers then run (here, one registered by the traced program itself)."""
    marker = tmp_path / "exited-normally"
    program = ("import atexit, sys, pathlib; sys.settrace(lambda *a: None); "
               f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('yes')); "
               "sys.argv = ['impact', 'status', '--data-dir', sys.argv[1]]; "
               "from cli.main import entry; entry()")
    done = subprocess.run([sys.executable, "-c", program, str(tmp_path / "data")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "yes"
