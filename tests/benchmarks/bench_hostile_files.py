"""Benchmark (not a test): time and peak memory of the ingest on hostile files, each loaded in a
child process under an address-space and CPU limit (the same harness as
tests/ingest/test_hostile_files.py), next to an ordinary file of the same size for scale.

    .venv/bin/python tests/benchmarks/bench_hostile_files.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "ingest")]

from steward_corpus import BUILDERS, big_payments  # noqa: E402
from test_hostile_files import ADDRESS_SPACE, CPU_SECONDS, load_under_limits  # noqa: E402

CASES = ["zip_bomb.zip", "zip_declares_3gib.zip", "long_multiline_field.csv", "late_nul.csv", "late_cp1252.csv",
         "late_ragged_row.csv", "encrypted.xlsx"]


def main() -> None:
    print(f"each load in a child process limited to {ADDRESS_SPACE >> 20} MiB of address space and "
          f"{CPU_SECONDS} s of CPU")
    print(f"{'file':<28} {'on disk':>10} {'outcome':>9} {'seconds':>8} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        builders = {**{name: BUILDERS[name] for name in CASES}, "ordinary_20mb.csv": big_payments}
        for name, build in builders.items():
            path = folder / name
            build(path)
            outcome = load_under_limits(path, folder / f"{name}.duckdb")
            print(f"{name:<28} {path.stat().st_size / (1 << 20):>8.1f} Mi {outcome['status']:>9} "
                  f"{outcome['seconds']:>8.2f} {outcome['peak_rss_mib']:>6} MiB")


if __name__ == "__main__":
    main()
