"""The size of each implementation: lines of code of its module and of its parts, read
from this package's source."""

from __future__ import annotations

import ast
import io
import textwrap
import tokenize
from pathlib import Path

from .records import Size


def count_code_lines(source: str) -> int:
    """Lines that hold code: not blank, not only a comment, not part of a docstring."""
    tree = ast.parse(source)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                doc_lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    code_lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
            tokenize.ENCODING,
        ):
            continue
        code_lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(code_lines - doc_lines)


def definition_source(source: str, names: list[str]) -> str:
    """The source text of the named top-level functions/classes (Class.method allowed)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    chunks = []
    for name in names:
        owner, _, member = name.partition(".")
        node: ast.stmt | None = next((n for n in tree.body if getattr(n, "name", None) == owner), None)
        if node is not None and member:
            node = next((n for n in getattr(node, "body", []) if getattr(n, "name", None) == member), None)
        if node is None:
            raise KeyError(f"{name} not found")
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        chunks.append("\n".join(lines[start - 1 : node.end_lineno]))
    return "\n\n".join(textwrap.dedent(c) for c in chunks)


# What each implementation needs for the model and one training step: the math
# (forward, gradients, update) and the per-epoch loop, by module of core/ (each network's
# module is its registry entry's `source`). Measured from this package's source.
# Like for like: the model with its gradients and the readable loop on each side.
# NumPy's initialisation (three schemes; PyTorch's lives inside nn.Linear) is counted apart,
# and so is its buffer-optimised loop, a module of its own: what its speed costs.
PARTS = {
    "numpy_mlp": {
        "model_and_gradients": [
            "log_softmax",
            "cross_entropy",
            "NumpyMLP.forward",
            "NumpyMLP.backward",
            "NumpyMLP.loss_and_grads",
            "NumpyMLP.sgd_step",
        ],
        "training_loop": ["train_epoch_reference"],
        "initialisation": ["init_weights"],
    },
    "numpy_fast": {"optimised_loop": ["_Buffers", "train_epoch"]},
    "torch_mlp": {"model_and_gradients": ["TorchMLP.__init__", "TorchMLP.forward"], "training_loop": ["train_epoch"]},
    "jax_mlp": {
        "model_and_gradients": ["forward", "log_softmax", "cross_entropy", "loss", "sgd_step"],
        "training_loop": ["step_program", "epoch_program", "minibatches"],
    },
    "torch_compiled": {"training_loop": ["compile_step", "train_epoch"]},
}


def complexity(package_dir: str | Path | None = None) -> dict[str, Size]:
    """Lines of code of each implementation's module (in core/, or package_dir), by
    module: the whole module, and its parts."""
    package_dir = Path(package_dir or Path(__file__).resolve().parents[1] / "core")
    out = {}
    for module, parts in PARTS.items():
        source = (package_dir / f"{module}.py").read_text()
        out[module] = Size(
            file=f"{module}.py",
            module=count_code_lines(source),
            **{part: count_code_lines(definition_source(source, names)) for part, names in parts.items()},
        )
    return out
