"""python -m demo [LANDING_DIR] [--seed N] [--scale X]: write Oxfordshire's demo landing files.

python -m demo --write-lookup FILE: write Oxfordshire's synthetic postcode lookup to FILE.
`impact demo` does both for the configured area (impact.toml [area] and [[anchors]]).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from demo import generate_demo_data
from demo.places import write_postcode_lookup


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Write the demo data.")
    parser.add_argument("landing_dir", nargs="?", default="data/landing", type=Path)
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--write-lookup", type=Path, metavar="FILE",
                        help="write the synthetic postcode lookup to FILE instead")
    args = parser.parse_args()
    if args.write_lookup:
        print(write_postcode_lookup(args.write_lookup))
        return
    t0 = time.perf_counter()
    summary = generate_demo_data(args.landing_dir, seed=args.seed, scale=args.scale)
    print(f"{len(summary.files)} files in {args.landing_dir} ({time.perf_counter() - t0:.1f}s)")
    for e in summary.entities:
        print(f"  {e.table:28} read {e.rows_read:>7,}  load {e.rows_loaded:>7,}  "
              f"quarantine {e.rows_quarantined}  nulled {e.values_nulled}")


if __name__ == "__main__":
    main()
