"""python -m demo [LANDING_DIR] [--seed N] [--scale X]: write the demo landing files."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from demo import generate_demo_data


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("landing_dir", nargs="?", default="data/landing", type=Path)
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    summary = generate_demo_data(args.landing_dir, seed=args.seed, scale=args.scale)
    print(f"{len(summary.files)} files in {args.landing_dir} ({time.perf_counter() - t0:.1f}s)")
    for e in summary.entities:
        print(f"  {e.table:28} read {e.rows_read:>7,}  load {e.rows_loaded:>7,}  "
              f"quarantine {e.rows_quarantined}  nulled {e.values_nulled}")


if __name__ == "__main__":
    main()
