"""The network in JAX: NumPy's steps to float32 round-off, both compiled loops, the trainer
interface, and XLA's threads."""

import os
import subprocess
import sys

import jax
import numpy as np
import pytest
from mnistcompare.core import jax_mlp, measure, trainers
from mnistcompare.core.data import MNIST
from mnistcompare.core.jax_trainer import JaxStepTrainer, JaxTrainer
from mnistcompare.core.params import Params

# Measured here: after two epochs over 610 images the JAX and NumPy losses differ by ~1e-8
# relative (float32 round-off in another order of operations); 1e-5 is the contract.
RTOL = 1e-5
N_ROWS, HIDDEN, BATCH = 610, 16, 50  # 12 full minibatches and a last one of 10: padding is exercised
PARAMS = Params(hidden=HIDDEN, batch_size=BATCH, seed=1)


@pytest.fixture(scope="module")
def rows(mnist):
    return MNIST(mnist.X_train[:N_ROWS], mnist.y_train[:N_ROWS], mnist.X_test[:300], mnist.y_test[:300], {})


def start(seed=1):
    return trainers.draw_weights(784, HIDDEN, 10, "pytorch", seed)


def orders(n_epochs=2):
    rng = np.random.default_rng(0)
    return [rng.permutation(N_ROWS) for _ in range(n_epochs)]


def losses(trainer):
    return [trainer.train_epoch(order) for order in orders()]


def max_rel_diff(a, b):
    return max(abs(x - y) / abs(y) for x, y in zip(a, b))


@pytest.fixture(scope="module")
def numpy_losses(rows):
    return losses(trainers.NumpyTrainer(PARAMS, rows, 1, 10, weights=start()))


@pytest.fixture(scope="module")
def jax_runs(rows):
    """Each loop's trainer, trained two epochs from the start and with the orders NumPy had,
    and its losses."""
    runs = {}
    for cls in (JaxTrainer, JaxStepTrainer):
        trainer = cls(PARAMS, rows, 1, 10, weights=start())
        runs[trainer.loop] = trainer, losses(trainer)
    return runs


@pytest.mark.parametrize("loop", jax_mlp.LOOPS)
def test_from_the_same_start_and_order_jax_takes_numpys_steps(rows, numpy_losses, jax_runs, loop):
    jax_, jax_losses = jax_runs[loop]
    assert max_rel_diff(jax_losses, numpy_losses) < RTOL
    numpy_ = trainers.NumpyTrainer(PARAMS, rows, 1, 10, weights=start())
    losses(numpy_)
    for k, w in numpy_.weights().items():
        np.testing.assert_allclose(jax_.weights()[k], w, rtol=1e-4, atol=1e-6)
    (la, acc_a, pa), (lb, acc_b, pb) = numpy_.evaluate(), jax_.evaluate()
    assert lb == pytest.approx(la, rel=RTOL) and acc_b == acc_a and np.array_equal(pb, pa)
    assert np.array_equal(jax_.predict(rows.X_test), pb)
    assert numpy_losses[1] < numpy_losses[0]  # and it is learning


def wrong_lr(monkeypatch):
    return Params(hidden=HIDDEN, batch_size=BATCH, seed=1, lr=0.1 * 1.001)


def padding_counted(monkeypatch):
    monkeypatch.setattr(
        jax_mlp, "loss", lambda params, X, y, mask: jax_mlp.cross_entropy(jax_mlp.forward(params, X), y)
    )
    return PARAMS


def no_update_of_b2(monkeypatch):
    step = jax_mlp.sgd_step

    def frozen_b2(params, X, y, mask, lr):
        new, L = step(params, X, y, mask, lr)
        return {**new, "b2": params["b2"]}, L

    monkeypatch.setattr(jax_mlp, "sgd_step", frozen_b2)
    return PARAMS


@pytest.mark.parametrize("mistake", [wrong_lr, padding_counted, no_update_of_b2])
def test_the_agreement_check_catches_a_wrong_step(rows, numpy_losses, monkeypatch, mistake):
    """The tolerance is tight enough to see a learning rate 0.1% off, a loss that counts
    the last minibatch's padding rows, or one bias left unchanged."""
    params = mistake(monkeypatch)
    assert max_rel_diff(losses(JaxTrainer(params, rows, 1, 10, weights=start())), numpy_losses) > RTOL


def test_the_scanned_epoch_and_the_python_loop_of_steps_agree(jax_runs):
    (scan, scan_losses), (step, step_losses) = jax_runs["scan"], jax_runs["step"]
    assert (scan.loop, step.loop) == ("scan", "step")
    np.testing.assert_allclose(scan_losses, step_losses, rtol=1e-6)
    for k, w in scan.weights().items():
        np.testing.assert_allclose(step.weights()[k], w, rtol=1e-5, atol=1e-7)


def test_minibatches_pad_the_order_and_mask_the_padding():
    rows, mask = jax_mlp.minibatches(np.arange(7)[::-1], 3)
    assert rows.tolist() == [[6, 5, 4], [3, 2, 1], [0, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 1], [1, 0, 0]] and mask.dtype == np.float32


def test_the_trainer_copies_given_weights_and_reports_them_in_the_numpy_layout(rows):
    given = start()
    trainer = JaxTrainer(PARAMS, rows, 1, 10, weights=given)
    assert isinstance(trainer, trainers.Trainer) and trainer.start == "copied"
    assert trainer.n_params == 784 * HIDDEN + HIDDEN + HIDDEN * 10 + 10
    assert trainer.compile_seconds > 0
    w = trainer.weights()
    assert all(np.array_equal(w[k], given[k]) and w[k].dtype == np.float32 for k in given)
    trainer.train_epoch(orders()[0])
    assert not np.array_equal(trainer.weights()["W1"], given["W1"])  # trained its own copy, not `given`
    assert np.array_equal(given["W1"], start()["W1"])  # the donated buffers were its own
    w["W1"][:] = 0  # and weights() hands out copies
    assert trainer.weights()["W1"].any()


def test_the_trainer_draws_numpys_start_and_its_own_orders(rows):
    p = Params(hidden=HIDDEN, batch_size=BATCH, init="small")
    a, b = JaxTrainer(p, rows, 4, 10), JaxTrainer(p, rows, 4, 10, init="he")
    assert a.start == "small" and b.start == "he"  # params.init, or `init`: JAX has no default of its own
    for trainer, scheme in ((a, "small"), (b, "he")):
        assert all(
            np.array_equal(trainer.weights()[k], w)
            for k, w in trainers.draw_weights(784, HIDDEN, 10, scheme, 4).items()
        )
    first, second = a.own_order(), a.own_order()
    assert sorted(first) == list(range(N_ROWS)) and not np.array_equal(first, second)
    assert np.array_equal(first, b.own_order())  # from the seed: the same in every trainer of seed 4


def test_bad_input_is_refused(rows, jax_runs):
    trainer, _ = jax_runs["scan"]
    with pytest.raises(ValueError, match="compiled for epochs of 610 rows; got 600"):
        trainer.train_epoch(np.arange(600))
    with pytest.raises(IndexError, match=r"indices in \[0, 610\)"):
        trainer.train_epoch(np.arange(N_ROWS) + 1)
    with pytest.raises(ValueError, match="loop must be one of scan, step"):
        jax_mlp.compile_epoch("while", trainer.W, rows.X_train, rows.y_train, N_ROWS, BATCH, 0.1)


def test_peak_memory_replays_an_epoch_on_a_copy(jax_runs):
    trainer, _ = jax_runs["step"]
    before = trainer.weights()
    m = trainer.peak_memory(orders()[0])
    assert m["peak_memory_method"] == m["rss_method"] and m["peak_memory_bytes"] >= 0
    assert all(np.array_equal(trainer.weights()[k], w) for k, w in before.items())  # the probe trained a copy


def test_once_the_backend_runs_xla_threads_says_the_count_it_runs_with(monkeypatch):
    jax.devices()  # the backend exists, with the NPROC it was made with
    monkeypatch.setenv("NPROC", "1")
    assert measure.xla_threads(1) == 1
    assert measure.xla_threads(3) == 1  # fixed once the backend exists: the count in force
    assert os.environ["NPROC"] == "1"


BUSY_THREADS = """
import os
from mnistcompare.core import jax_mlp, measure  # importing jax first is harmless
measure.xla_threads({n})
import jax.numpy as jnp

def ticks():  # CPU time of each of the process's threads
    out = {{}}
    for t in os.listdir("/proc/self/task"):
        fields = open(f"/proc/self/task/{{t}}/stat").read().rsplit(")", 1)[1].split()
        out[t] = int(fields[11]) + int(fields[12])
    return out

x = jnp.ones((1000, 1000), dtype=jnp.float32)
(x @ x).block_until_ready()
before = ticks()
for _ in range(6):
    (x @ x @ x).block_until_ready()
after = ticks()
busy = sorted((after[t] - before.get(t, 0) for t in after), reverse=True)
print(sum(b > busy[0] / 4 for b in busy))
"""


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc/self/task") or (os.cpu_count() or 1) < 2, reason="needs Linux and 2 cores")
def test_xla_threads_sets_how_many_threads_xla_computes_on():
    def busy(n):
        code = BUSY_THREADS.format(n=n)
        env = {k: v for k, v in os.environ.items() if k != "NPROC"}
        return int(
            subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
        )

    assert busy(1) == 1
    assert busy(2) > 1


def test_importing_the_package_imports_no_jax():
    code = "import sys, mnistcompare, mnistcompare.core; from mnistcompare.core import measure; print('jax' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )
