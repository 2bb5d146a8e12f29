"""Measuring instruments: thread control, peak memory, and the machine's description.

Kept apart from the training loop so that the loop itself stays free of them.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .records import Blas, Environment


def cores() -> int:
    """The cores this process may run on: its CPU affinity, which a container, `taskset` or
    the test suite (one core per pytest-xdist worker) may set below the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def fixed_threads(n: int | None) -> Iterator[int]:
    """Run the block with `n` BLAS threads (NumPy) and `n` intra-op threads (PyTorch).

    None means one per core. Both libraries get the same number, so neither
    implementation is given more of the machine than the other; restored afterwards.
    """
    import torch
    from threadpoolctl import threadpool_limits

    n = n or cores()
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):
            yield n
    finally:
        torch.set_num_threads(before)


def xla_threads(n: int | None) -> int:
    """Give JAX's CPU backend (XLA) `n` threads, as fixed_threads gives NumPy and PyTorch;
    None means one per core. Returns the count in force, for the environment table.

    XLA reads neither threadpoolctl's limits nor torch's: it sizes its CPU thread pool
    once, when JAX creates its CPU backend at its first computation, from the environment
    variable NPROC (else the number of cores). JAX 0.10.2 honours NPROC (one busy thread
    with NPROC=1); the XLA_FLAGS of old JAX issues, `--xla_cpu_multi_thread_eigen=false
    intra_op_parallelism_threads=1`, no longer limit it (two busy threads on two cores).
    So the JAX trainer calls this before its first computation, in whichever process it
    runs (importing jax is harmless). Once the backend exists its pool is fixed: the count
    it was made with is returned, and the environment table says so.
    """
    n = n or cores()
    jax = sys.modules.get("jax")
    if jax is not None and jax._src.xla_bridge.backends_are_initialized():
        return int(os.environ.get("NPROC") or cores())
    os.environ["NPROC"] = str(n)
    return n


def tracemalloc_peak(fn: Callable[[], object]) -> int:
    """Peak bytes allocated by Python and NumPy while `fn` runs, above what was
    allocated when it started. NumPy reports its array buffers to tracemalloc;
    PyTorch's allocator does not, so this is used for the NumPy network only."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak - start)


def peak_memory(run: Callable[[], object], tracemalloc: bool) -> dict:
    """Every peak-memory figure of the study and the benchmark, from one call of `run` per
    instrument: the growth of the process's peak RSS (sees every library), and with
    tracemalloc=True tracemalloc's peak (sees NumPy's buffers, not PyTorch's allocator).
    {"rss_peak_growth_bytes", "rss_method"[, "tracemalloc_peak_bytes"]}"""
    rss, method = rss_peak_growth(run)
    out = {"rss_peak_growth_bytes": rss, "rss_method": method}
    if tracemalloc:
        out["tracemalloc_peak_bytes"] = tracemalloc_peak(run)
    return out


def _vm_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _malloc_trim() -> None:
    """Hand freed heap memory back to the OS (glibc), so that RSS is the live set
    and memory the probe needs is counted even if an earlier run had touched it."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def rss_peak_growth(fn: Callable[[], object]) -> tuple[int, str]:
    """Growth of the process's peak resident memory while `fn` runs, in bytes.

    Free heap memory is first returned to the OS (malloc_trim), then on Linux the
    high-water mark (VmHWM) is reset by writing 5 to
    /proc/self/clear_refs, so the growth belongs to `fn` alone. Elsewhere it falls
    back to ru_maxrss, which only grows when `fn` exceeds the process's earlier
    peak (then a lower bound). Returns (bytes, method).
    """
    _malloc_trim()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        base, method = _vm_kib("VmRSS"), "rss_hwm_growth"
    except OSError:
        base, method = None, "ru_maxrss_growth"
    if base is None:
        base, method = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss_growth"
    fn()
    peak = _vm_kib("VmHWM") if method == "rss_hwm_growth" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # /proc and Linux's ru_maxrss count KiB; macOS reports ru_maxrss in bytes.
    unit = 1 if method == "ru_maxrss_growth" and sys.platform == "darwin" else 1024
    return max(0, (peak or 0) - base) * unit, method


def _version(package: str) -> str | None:
    """An installed package's version, without importing it (None when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def environment(threads: int) -> Environment:
    """Versions, CPU, BLAS and threads (XLA's when JAX ran in this process): what a reader
    needs to compare timings."""
    import numpy
    import torch
    import torchvision
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    blas = tuple(
        Blas(*(info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")))
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    )
    return Environment(
        python=platform.python_version(),
        numpy=numpy.__version__,
        torch=torch.__version__,
        torchvision=torchvision.__version__,
        jax=_version("jax"),
        platform=platform.platform(),
        cpu=cpu,
        cpu_count=cores(),
        threads=threads,
        xla_threads=int(os.environ["NPROC"]) if "jax" in sys.modules and "NPROC" in os.environ else None,
        blas=blas,
        cuda_device=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    )
