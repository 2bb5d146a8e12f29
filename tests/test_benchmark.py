"""The benchmark's bookkeeping: FLOP count, tables, saved results, and a tiny smoke run.

No timing is asserted here: the numbers themselves come from `make bench`.
"""

import json
import re
import sys
from pathlib import Path

import pytest
from mnistcompare.book import bench_tables, labels
from mnistcompare.core import records

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import harness  # noqa: E402  (benchmarks/harness.py: a tool outside the package, like any user of it)


def test_flop_count_follows_the_stated_formula():
    # D=2, H=3, K=4: forward 2*2*3 + 2*3*4 = 36; backward 2*3*4 (dW2) + 2*3*4 (dh) + 2*2*3 (dW1) = 60
    assert harness.flops_per_sample(2, 3, 4) == 96
    assert harness.flops_per_sample(784, 128, 10) == 4 * 784 * 128 + 6 * 128 * 10 == 409_088
    assert harness.flops_per_epoch(60_000, 784, 128, 10) == 60_000 * 409_088
    assert "4*D*H + 6*H*K" in harness.FLOP_FORMULA


def synthetic_results() -> dict:
    def stats(median, ratio=None, frac=None, gflops=10.0):
        r = {"median_s": median, "min_s": median * 0.9, "max_s": median * 1.1, "all_s": [median], "gflops": gflops}
        if ratio is not None:
            r["ratio_to_numpy"] = ratio
        if frac is not None:
            r["fraction_of_matmul_rate"] = frac
        return r

    def scaling_row(trainer, batch, hidden, median, fraction=1.0):
        row = {
            "threads": 1,
            "vary": "batch_size",
            "batch_size": batch,
            "hidden": hidden,
            "trainer": trainer,
            "samples_timed": 100,
            "fraction_of_epoch": fraction,
            **stats(median),
        }
        if trainer != "matmul":
            row["fraction_of_matmul_rate"] = 0.5
        return row

    return {
        "timestamp": "2026-01-01T00:00:00+00:00",
        "quick": False,
        "environment": {"cpu": "test", "blas": []},
        "load_average": {"start": None, "end": None},
        "threads": [1],
        "repeats": 5,
        "warmup": 1,
        "config": {"n_train": 60000, "batch_size": 64, "hidden": 128, "n_in": 784, "n_out": 10, "lr": 0.1},
        "flops": {"formula": harness.FLOP_FORMULA, "per_sample": 409088, "per_epoch": 409088 * 60000},
        "runs": [
            {
                "threads": 1,
                "matmul": stats(0.2, gflops=120.0),
                "trainers": {"numpy": stats(0.25, 1.0, 0.8), "pytorch": stats(0.5, 2.0, 0.4)},
            }
        ],
        "scaling": {
            "repeats": 3,
            "note": "n",
            "rows": [
                scaling_row("numpy", 64, 128, 0.25),
                scaling_row("pytorch", 64, 128, 0.5),
                scaling_row("matmul", 64, 128, 0.2),
                scaling_row("numpy", 64, 1024, 2.0, fraction=0.25),
                scaling_row("pytorch", 64, 1024, 3.0, fraction=0.25),
            ],
        },
        "memory": {
            "samples": 6400,
            "threads": 1,
            "trainers": {
                "numpy": {"rss_peak_growth_bytes": 2**20, "rss_method": "x", "tracemalloc_peak_bytes": 2**19},
                "pytorch": {"rss_peak_growth_bytes": 3 * 2**20, "rss_method": "x"},
            },
        },
    }


def test_markdown_table_has_a_row_per_trainer_and_the_matmul_limit():
    table = bench_tables.markdown_table(synthetic_results())
    lines = table.splitlines()
    assert len(lines) == 2 + 3
    assert lines[0].startswith("| threads | trainer | median s/epoch")
    numpy_row = next(line for line in lines if "NumPy (by hand)" in line)  # the labels are the registry's
    assert "| 0.250 |" in numpy_row and "| 1.00 |" in numpy_row and "80%" in numpy_row
    torch_row = next(line for line in lines if "| PyTorch |" in line)
    assert "| 2.00 |" in torch_row and "40%" in torch_row
    limit_row = next(line for line in lines if labels.LIMIT in line)
    assert "| 0.80 |" in limit_row and "100%" in limit_row  # 0.2 s / NumPy's 0.25 s


def test_scaling_rows_pivot_one_row_per_configuration():
    rows = bench_tables.scaling_rows(synthetic_results())
    assert [(r["batch_size"], r["hidden"]) for r in rows] == [(64, 128), (64, 1024)]
    first, wide = rows
    assert first["numpy_s"] == 0.25 and first["pytorch_s"] == 0.5 and first["matmul_s"] == 0.2
    assert first["pytorch_ratio_to_numpy"] == pytest.approx(2.0)
    assert (first["numpy_best_s"], first["matmul_best_s"]) == pytest.approx((0.225, 0.18))
    assert wide["fraction_of_epoch"] == 0.25 and "matmul_s" not in wide
    table = bench_tables.scaling_table(synthetic_results())
    assert "1024*" in table
    # Shares recomputed from the best times (0.18 / 0.225 and 0.18 / 0.45), not the stored 50%.
    assert "| 80% | 40% |" in table and "50%" not in table


def test_no_trainer_is_shown_above_its_limit():
    """A trainer whose best repeat beats the limit's best means the limit was mismeasured:
    the tables say so instead of printing more than 100%."""
    results = synthetic_results()
    results["runs"][0]["trainers"]["numpy"]["min_s"] = 0.15  # faster than the products alone (0.18 s)
    results["scaling"]["rows"][0]["min_s"] = 0.15
    for table in (bench_tables.markdown_table(results), bench_tables.scaling_table(results)):
        assert bench_tables.NOT_MEASURED in table
        assert not [p for p in re.findall(r"(\d+)%", table) if int(p) > 100], table
    assert (
        bench_tables.share_of_limit(0.2, 0.1) == "50%" and bench_tables.share_of_limit(0.1, 0.2) == "limit not measured"
    )


def test_load_results_is_none_without_a_file_and_round_trips(tmp_path):
    assert bench_tables.load_results(tmp_path / "missing.json") is None
    results = synthetic_results()
    files = harness.write_results(results, tmp_path / "out")
    assert bench_tables.load_results(files["json"]) == results
    md = open(files["md"]).read()
    assert bench_tables.markdown_table(results) in md and "## Scaling" in md and "## Peak memory" in md


@pytest.mark.full  # make bench --quick end to end, compilers included: make test-all
def test_quick_run_produces_the_documented_structure(mnist, tmp_path):
    logged = []
    r = harness.run(mnist, quick=True, log=logged.append)
    assert r["quick"] is True and r["threads"] == [1] and r["config"]["n_train"] == 640
    assert {
        "timestamp",
        "environment",
        "threads",
        "repeats",
        "warmup",
        "config",
        "flops",
        "runs",
        "scaling",
        "memory",
        "notes",
        "load_average",
        "best",
    } <= set(r)
    assert r["flops"]["per_epoch"] == 640 * harness.flops_per_sample()
    (run,) = r["runs"]
    assert run["threads"] == 1 and run["matmul"]["gflops"] > 0
    # Every trainer ran, or says why it could not (torch.compile without a C++ compiler).
    assert set(run["trainers"]) | set(run["unavailable"]) == set(harness.default_trainers())
    # The JSON is core/records.py's BenchRun, and NumPy's products alone as "matmul" for the tables.
    bench_run = records.read(records.BenchRun, {k: v for k, v in run.items() if k != "matmul"})
    assert run["matmul"] == run["limits"]["numpy"] and set(bench_run.limits) == {"numpy", "pytorch", "jax"}
    fastest = min(limit["min_s"] for limit in run["limits"].values())
    for name, t in run["trainers"].items():
        assert {"median_s", "min_s", "max_s", "all_s", "ratio_to_numpy", "gflops"} <= set(t), name
        assert len(t["all_s"]) == r["repeats"] and t["min_s"] <= t["median_s"] <= t["max_s"]
        share = bench_run.share_of_limit(name)  # None: the limit was not measured
        assert share is None or share == fastest / t["min_s"] <= 1, name
    assert set(run["compile_seconds"]) == {
        n for n in ("jax", "jax_step", "pytorch_compiled", "pytorch_compiled_model") if n in run["trainers"]
    }
    assert run["trainers"]["numpy"]["ratio_to_numpy"] == 1.0
    rows = bench_tables.scaling_rows(r)
    assert {(x["vary"], x["batch_size"], x["hidden"]) for x in rows} == {
        ("batch_size", 32, 128),
        ("batch_size", 64, 128),
        ("hidden", 64, 32),
        ("hidden", 64, 64),
    }
    assert all({"numpy_s", "pytorch_s", "matmul_s", "pytorch_ratio_to_numpy"} <= set(x) for x in rows)
    mem = r["memory"]["trainers"]
    assert set(mem) | set(run["unavailable"]) == set(harness.default_trainers())
    assert mem["numpy"]["tracemalloc_peak_bytes"] > 0 and all(m["rss_peak_growth_bytes"] >= 0 for m in mem.values())
    assert any("repeat 1/1" in line for line in logged)
    files = harness.write_results(r, tmp_path)  # strict JSON: no NaN anywhere
    assert json.loads(open(files["json"]).read())["runs"][0]["threads"] == 1
