"""What a change of the package costs: the NumPy epoch time and the warm-render cell
time of an earlier commit against the working tree, measured side by side in one run.

The earlier commit is checked out into a temporary git worktree. Each measurement runs
in a fresh subprocess with that tree's package first on sys.path, alternating between
the two trees (before, after, before, ...), so any drift of the machine falls on both.

    .venv/bin/python benchmarks/before_after.py --rev d97e627 [--repeats 5] [--render]

  epoch   the timed NumPy loop (numpy_fast.train_epoch; numpy_mlp.train_epoch before the
          split) over the first 12,800 training images (batch 64,
          hidden 128, one thread), median of 5 epochs after one warm-up, per process
  render  (--render) the chapters' cells in a Jupyter kernel in quick mode with the
          study cached (benchmarks/warm_render.py), HTML then PDF, summed
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

EPOCH = """
import json, time, numpy as np
from threadpoolctl import threadpool_limits
from mnistcompare.core import data, numpy_mlp, paths
try:  # the timed loop's module since the split; numpy_mlp held it before
    from mnistcompare.core.numpy_fast import train_epoch
except ImportError:
    train_epoch = numpy_mlp.train_epoch
m = data.load(paths.data_dir())
X, y = np.ascontiguousarray(m.X_train[:12800]), np.ascontiguousarray(m.y_train[:12800])
rng = np.random.default_rng(0)
w = numpy_mlp.init_weights(784, 128, 10, "pytorch", rng)
times = []
with threadpool_limits(limits=1):
    for i in range(6):
        model, order = numpy_mlp.NumpyMLP(w), rng.permutation(len(y))
        t0 = time.perf_counter(); train_epoch(model, X, y, order, 64, 0.1); dt = time.perf_counter() - t0
        if i: times.append(dt)
print(json.dumps(sorted(times)[len(times) // 2]))
"""


def run_in(tree: Path, code: str, env: dict) -> str:
    env = {**env, "PYTHONPATH": str(tree / "code"), "MNISTCOMPARE_DATA_DIR": str(ROOT / "data")}
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def warm_render(tree: Path, env: dict) -> float:
    """Seconds in cells of a warm render (HTML + PDF), with the tree's own warm_render.py
    and chapters; the first call per tree computes and caches its quick study."""
    env = {
        **env,
        "PYTHONPATH": str(tree / "code"),
        "MNISTCOMPARE_DATA_DIR": str(ROOT / "data"),
        "MNISTCOMPARE_QUICK": "1",
        "MNISTCOMPARE_CACHE_DIR": str(tree / "_cache"),
    }
    total = 0.0
    for fmt in ("html", "pdf"):
        done = subprocess.run(
            [sys.executable, "benchmarks/warm_render.py", "--format", fmt],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"{tree} warm_render {fmt}: {done.stderr[-2000:]}")
        # its last line: "<format>: <seconds> s computing in cells (...)"
        total += float(done.stdout.strip().splitlines()[-1].split()[1])
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", required=True, help="the earlier commit")
    ap.add_argument("--repeats", type=int, default=5, help="processes per tree for the epoch time (default 5)")
    ap.add_argument("--render", action="store_true", help="also the warm-render cell time (minutes)")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNISTCOMPARE_")}
    with tempfile.TemporaryDirectory(prefix="before-") as tmp:
        before = Path(tmp) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(before), args.rev], cwd=ROOT, check=True, capture_output=True
        )
        try:
            trees = {"before": before, "after": ROOT}
            epoch = {name: [] for name in trees}
            for i in range(args.repeats):
                for name, tree in trees.items():
                    epoch[name].append(float(run_in(tree, EPOCH, env)))
                    print(
                        f"[before-after] epoch {i + 1}/{args.repeats} {name}: {epoch[name][-1]:.3f} s",
                        file=sys.stderr,
                        flush=True,
                    )
            out = {
                "rev": args.rev,
                "epoch_s": {k: statistics.median(v) for k, v in epoch.items()},
                "epoch_s_all": epoch,
            }
            if args.render:
                for tree in trees.values():
                    warm_render(tree, env)  # computes and caches the quick study: not timed
                render = {name: [] for name in trees}
                for _ in range(2):
                    for name, tree in trees.items():
                        render[name].append(warm_render(tree, env))
                out["warm_render_cell_s"] = {k: min(v) for k, v in render.items()}
                out["warm_render_cell_s_all"] = render
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, capture_output=True)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
