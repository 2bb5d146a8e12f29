"""The hand-written network: gradients, the fast training loop, initialisation."""

import numpy as np
import pytest
import torch
from mnistcompare.core import numpy_fast, numpy_mlp, torch_mlp
from mnistcompare.core.numpy_mlp import NumpyMLP, cross_entropy, init_weights, log_softmax
from mnistcompare.study.gradients import numerical_gradients


def small_problem(rng, B=7, D=6, H=5, K=4, dtype=np.float64):
    model = NumpyMLP(init_weights(D, H, K, "pytorch", rng), dtype=dtype)
    X = rng.normal(size=(B, D)).astype(dtype)
    y = rng.integers(0, K, size=B)
    return model, X, y


def test_gradients_match_central_finite_differences(rng):
    model, X, y = small_problem(rng)
    _, grads = model.loss_and_grads(X, y)
    numeric = numerical_gradients(model, X, y, eps=1e-6)
    for name in grads:
        rel = np.abs(grads[name] - numeric[name]).max() / np.abs(numeric[name]).max()
        assert rel < 1e-6, f"{name}: relative error {rel:.2e}"


def test_finite_differences_detect_a_wrong_gradient(rng):
    """The check above can fail: a backward pass with a missing factor is caught."""
    model, X, y = small_problem(rng)
    _, grads = model.loss_and_grads(X, y)
    numeric = numerical_gradients(model, X, y)
    assert np.abs(2 * grads["W1"] - numeric["W1"]).max() / np.abs(numeric["W1"]).max() > 0.5


def test_gradients_match_pytorch_autograd(rng):
    D, H, K, B = 784, 32, 10, 50
    weights = init_weights(D, H, K, "pytorch", rng)
    X = rng.random((B, D), dtype=np.float32)
    y = rng.integers(0, K, size=B)
    loss, grads = NumpyMLP(weights).loss_and_grads(X, y)

    net = torch_mlp.TorchMLP(D, H, K).load_numpy_weights(weights)
    torch_loss = torch.nn.NLLLoss()(net(torch.from_numpy(X)), torch.from_numpy(y))
    torch_loss.backward()
    auto = net.numpy_grads()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-6)
    for name in grads:
        assert grads[name].shape == auto[name].shape
        np.testing.assert_allclose(grads[name], auto[name], rtol=1e-4, atol=1e-7, err_msg=name)


def test_fast_epoch_equals_reference_sgd_steps(rng):
    """train_epoch (buffers, folded lr) must take exactly the steps of the readable loop
    (backward + sgd_step per minibatch), including a last, smaller minibatch."""
    D, H, K = 20, 8, 10
    weights = init_weights(D, H, K, "pytorch", rng)
    X = rng.random((50, D), dtype=np.float32)
    y = rng.integers(0, K, size=50)
    order = rng.permutation(50)
    fast, ref = NumpyMLP(weights), NumpyMLP(weights)

    mean_loss = numpy_fast.train_epoch(fast, X, y, order, batch_size=16, lr=0.5)
    ref_loss = numpy_mlp.train_epoch_reference(ref, X, y, order, batch_size=16, lr=0.5)  # batches of 16, 16, 16, 2
    assert mean_loss == pytest.approx(ref_loss, rel=1e-5)
    # The readable loop's first step is backward + sgd_step on the first minibatch, by hand.
    one = NumpyMLP(weights)
    loss, grads = one.loss_and_grads(X[order[:16]], y[order[:16]])
    one.sgd_step(grads, 0.5)
    two = NumpyMLP(weights)
    numpy_mlp.train_epoch_reference(two, X, y, order[:16], batch_size=16, lr=0.5)
    for name in weights:
        np.testing.assert_array_equal(one.weights[name], two.weights[name])
        np.testing.assert_allclose(fast.weights[name], ref.weights[name], rtol=1e-5, atol=1e-6, err_msg=name)
        assert not np.array_equal(fast.weights[name], weights[name]), f"{name} did not move"


def test_same_seed_gives_bit_identical_training(mnist):
    X, y = mnist.X_train[:3000], mnist.y_train[:3000]
    runs = []
    for _ in range(2):
        model = NumpyMLP.create(init="pytorch", seed=3)
        order = np.random.default_rng(3).permutation(3000)
        loss = numpy_fast.train_epoch(model, X, y, order, 64, 0.1)
        runs.append((loss, model.weights))
    assert runs[0][0] == runs[1][0]
    for name in runs[0][1]:
        assert np.array_equal(runs[0][1][name], runs[1][1][name])


def test_log_softmax_is_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [-5e4, -5e4, -5e4]], dtype=np.float32)
    out = log_softmax(z)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(np.exp(out).sum(axis=1), 1.0, rtol=1e-6)
    assert cross_entropy(z, np.array([2, 0])) == pytest.approx((2000.0 + np.log(3)) / 2, rel=1e-6)


@pytest.mark.parametrize("scheme", ["pytorch", "he", "small"])
def test_init_schemes_shapes_dtype_and_scale(scheme):
    w = init_weights(784, 256, 10, scheme, np.random.default_rng(0))
    assert {k: v.shape for k, v in w.items()} == {"W1": (784, 256), "b1": (256,), "W2": (256, 10), "b2": (10,)}
    assert all(v.dtype == np.float32 and v.flags.c_contiguous for v in w.values())
    if scheme == "pytorch":
        assert np.abs(w["W1"]).max() <= 1 / np.sqrt(784) and np.abs(w["W1"]).max() > 0.9 / np.sqrt(784)
        assert np.abs(w["b2"]).max() <= 1 / np.sqrt(256)
    elif scheme == "he":
        assert w["W1"].std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)
        assert not w["b1"].any()
    else:
        assert w["W1"].std() == pytest.approx(0.01, rel=0.02)


@pytest.mark.parametrize("scheme", ["pytorch", "he", "small"])
def test_pytorch_draws_each_init_scheme_as_numpy_does(scheme):
    """The independent seeds give both networks the same scheme, each from its own
    generator: torch.nn.init must draw what init_weights draws (the same bounds, spreads
    and zero biases), not merely something close."""
    ours = init_weights(784, 256, 10, scheme, np.random.default_rng(0))
    model = torch_mlp.build(784, 256, 10, seed=0, init=scheme)
    theirs = {k: v.astype(np.float32) for k, v in model.numpy_params().items()}
    for name in ("W1", "W2", "b1", "b2"):
        a, b = ours[name], theirs[name]
        assert a.shape == b.shape
        if not a.any():
            assert not b.any()  # zero biases are zero in both
            continue
        assert not np.array_equal(a, b)  # other random numbers...
        assert np.abs(b).max() <= np.abs(a).max() * 1.5  # ...from the same distribution
        if name.startswith("W"):  # 200,704 and 2,560 draws: their spreads agree closely
            assert b.std() == pytest.approx(a.std(), rel=0.02 if name == "W1" else 0.1)
    if scheme == "he":  # fan_in, ReLU's gain: N(0, 2/fan_in) in both layers
        assert theirs["W2"].std() == pytest.approx(np.sqrt(2 / 256), rel=0.1)


def test_unknown_init_scheme_is_refused():
    with pytest.raises(ValueError, match="init must be one of"):
        init_weights(4, 3, 2, "xavier", np.random.default_rng(0))
    with pytest.raises(ValueError, match="init must be one of"):
        torch_mlp.build(4, 3, 2, seed=0, init="xavier")


def test_evaluate_returns_loss_accuracy_and_predictions(rng):
    model, X, y = small_problem(rng, B=30, dtype=np.float32)
    loss, acc, pred = model.evaluate(X, y)
    assert pred.shape == (30,) and 0 <= acc <= 1 and loss > 0
    assert acc == pytest.approx(np.mean(model.forward(X)[0].argmax(1) == y))


@pytest.mark.parametrize("N, B, H", [(6000, 64, 128), (3000, 512, 32)])
def test_epoch_memory_accounts_for_the_tracemalloc_peak(rng, N, B, H):
    # The parts the book reports must be what the epoch really allocates: the
    # measured peak exceeds their sum only by small temporaries and Python objects.
    from mnistcompare.core import measure

    X, y = rng.random((N, 784), dtype=np.float32), rng.integers(0, 10, N)
    w, order = init_weights(784, H, 10, "pytorch", rng), rng.permutation(N)
    peak = measure.tracemalloc_peak(lambda: numpy_fast.train_epoch(NumpyMLP(w), X, y, order, B, 0.1))
    parts = numpy_fast.epoch_memory(N, B, 784, H, 10, y.dtype)
    total = sum(parts.values()) + sum(a.nbytes for a in w.values())  # + the model's copy of the weights
    assert total <= peak <= total + 128 * 1024
    assert parts["per-epoch bookkeeping"] > parts["gradient buffers"]  # at these sizes, N rows outweigh the network
