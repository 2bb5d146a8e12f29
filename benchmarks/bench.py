"""Time one training epoch of each trainer side by side: `make bench`.

A thin command line around benchmarks/harness.py; see benchmarks/README.md.
Progress goes to stderr, the tables to stdout, the results to
benchmarks/results/bench.json and bench.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import harness  # benchmarks/harness.py, beside this script

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def thread_list(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected thread counts like 1 or 1,2; got {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"thread counts must be positive integers; got {text!r}")
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="timed epochs per trainer and thread count (default 5)")
    p.add_argument(
        "--threads",
        type=thread_list,
        default=None,
        help="comma-separated thread counts, each run in turn (default: 1 and one per core)",
    )
    p.add_argument("--scaling-repeats", type=int, default=3, help="timed epochs per scaling point (default 3)")
    p.add_argument(
        "--quick",
        action="store_true",
        help="a tiny smoke run (640 images, 1 repeat); writes files only with an explicit --out",
    )
    p.add_argument("--out", type=Path, default=None, help=f"folder for bench.json and bench.md (default {DEFAULT_OUT})")
    args = p.parse_args(argv)
    if args.repeats < 1 or args.scaling_repeats < 1:
        p.error("--repeats and --scaling-repeats must be >= 1")

    results = harness.run(
        threads=args.threads, repeats=args.repeats, scaling_repeats=args.scaling_repeats, quick=args.quick
    )
    print(harness.report_markdown(results))
    out = args.out if args.out is not None or args.quick else DEFAULT_OUT
    if out is None:
        print("quick run: nothing written (pass --out to keep it)", file=sys.stderr)
    else:
        files = harness.write_results(results, out)
        print(f"wrote {files['json']} and {files['md']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
