"""Every experiment the book reports, computed once and cached on disk.

Quarto executes each chapter in its own kernel, once per output format (HTML,
then PDF). Each chapter calls `load_or_compute()`: the first call trains and
writes `_cache/study-<key>.json`; every later call reads it. The key is a hash of
the parameters, this package's source code, the library versions and the data
checksums, so a changed parameter or a code change computes afresh, and an
interrupted run leaves no entry behind (the file is written atomically). JSON,
not pickle: the cache is plain data that any tool can read.

Experiments (the parameters come from params.yml):
  main        both networks, identical initial weights and minibatch order (parity;
              the independent comparison is `seeds`)
  init_only   PyTorch with nn.Linear's own initial weights and the main run's
              minibatch order (NumPy's own draw is the main run's)
  init_small  the NumPy network with the tutorials' N(0, 0.01^2) weights, order as main
  seeds       `seeds` independent runs (seed, seed+1, ...): each network draws its
              own weights and order, as two separate users of the libraries would
  paper_like  the "paper-like" preset (params.PRESETS)
  boundaries  3 vs 8 on two principal components: logistic regression and both networks
  pca         the test set projected on its first two principal components
  gradients   relative errors of the hand-written gradients
  complexity  lines of code of each implementation
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


from . import analysis, atomic, data, paths
from . import params as P

CACHE_VERSION = 1


def _source_digest() -> str:
    digest = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def cache_key(params: P.Params, sha256: dict) -> str:
    # Versions from the installed metadata: importing torch just to read its
    # version would cost a warm render a second per chapter.
    from importlib.metadata import version

    payload = {
        "cache_version": CACHE_VERSION, "params": params.to_dict(), "source": _source_digest(), "data": sha256,
        "versions": [version(name) for name in ("numpy", "torch", "scikit-learn")],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _log(progress: bool, msg: str) -> None:
    if progress:
        print(f"[study] {msg}", file=sys.stderr, flush=True)


def compute(loaded: P.LoadedParams, mnist: data.MNIST, progress: bool = True) -> dict:
    from . import training  # imports torch: only when there is something to train

    p = loaded.params
    t_start = time.perf_counter()
    step = lambda msg: _log(progress, msg)  # noqa: E731
    run = lambda prm, **kw: training.train(prm, mnist, progress=False, **kw)  # noqa: E731

    step(f"main run: {p.epochs} epochs, both networks, shared weights and order")
    main = run(p, share_init=True, share_order=True)  # the parity comparison, whatever params.parity says
    step("only the initialisation differs")
    init_only = run(p, models=("pytorch",), share_init=False, share_order=True)
    init_small = run(p.replace(init="small"), models=("numpy",), share_order=True)
    seed_runs = []
    for s in range(p.seed, p.seed + p.seeds):
        step(f"independent run, seed {s}")
        seed_runs.append(run(p.replace(seed=s, parity=False)))
    step("paper-like preset")
    paper = run(P.apply_preset(p, "paper-like"))  # the preset keeps subset, device and threads
    step("decision boundaries 3 vs 8")
    boundaries = analysis.decision_boundaries(mnist, p, epochs=min(10, p.epochs))
    step("PCA, gradient check, complexity")
    fit = analysis.pca(mnist.X_test, 10)
    grad_X, grad_y = mnist.X_train[:256], mnist.y_train[:256]
    return {
        "main": main,
        "init_only": init_only,
        "init_small": init_small,
        "seeds": seed_runs,
        "seed_spread": analysis.seed_spread(seed_runs),
        "paper_like": paper,
        "boundaries": boundaries,
        "pca": {
            "scores": fit["scores"][:, :2].round(4).tolist(),
            "labels": mnist.y_test.tolist(),
            "explained_variance_ratio": fit["explained_variance_ratio"].tolist(),
        },
        "gradients": analysis.gradient_check(grad_X, grad_y, p.hidden, p.seed),
        "misclassified": analysis.misclassified(mnist.X_test, mnist.y_test, main["models"]["numpy"]["test_predictions"]),
        "complexity": analysis.complexity(),
        "compute_seconds": time.perf_counter() - t_start,
    }


def load_or_compute(loaded: P.LoadedParams | None = None, data_dir=None, progress: bool = True) -> dict:
    """The study for these parameters: from the cache when it is there, else computed and cached.

    loaded: parameters with their provenance (default: params.yml at the project root,
    with the quick section and environment overrides applied).
    """
    loaded = loaded or P.load(paths.params_file())
    # The key names the data by its expected checksums; data.load verifies the
    # files themselves before anything is computed from them.
    key = cache_key(loaded.params, data.RAW_SHA256)
    cache_file = paths.cache_dir() / f"study-{key}.json"
    if cache_file.is_file():
        _log(progress, f"loading {cache_file}")
        result = json.loads(cache_file.read_text())
        result["cache_file"] = str(cache_file)
        result["from_cache"] = True
        return result
    _log(progress, f"computing the study (cache {cache_file.name}); parameters {loaded.params.to_dict()}")
    mnist = data.load(paths.data_dir(data_dir))
    result = compute(loaded, mnist, progress)
    result.update({
        "key": key,
        "params": loaded.params.to_dict(),
        "params_file": loaded.path,
        "quick": loaded.quick,
        "overrides": loaded.overrides,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    })
    atomic.write_json(cache_file, result)
    _log(progress, f"study computed in {result['compute_seconds']:.1f} s")
    return {**result, "cache_file": str(cache_file), "from_cache": False}
