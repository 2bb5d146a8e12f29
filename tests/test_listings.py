"""Listings are the code that runs, without its docstrings, at the PDF's code width."""

import inspect
import textwrap

from mnistcompare.book import listings


def test_source_of_reads_a_module_without_importing_it(monkeypatch):
    import sys

    from mnistcompare.core import torch_mlp

    monkeypatch.delitem(sys.modules, "mnistcompare.core.torch_mlp")
    listing = listings.source_of("torch_mlp", "TorchMLP.forward", "train_epoch")
    assert "mnistcompare.core.torch_mlp" not in sys.modules
    assert listing.startswith("```python\ndef forward(self, x") and "def train_epoch(" in listing
    code_lines = lambda text: [line for line in text.splitlines() if line.strip()]  # noqa: E731
    assert code_lines(listing) == code_lines(listings.source_block(torch_mlp.TorchMLP.forward, torch_mlp.train_epoch))


def test_listings_drop_docstrings_and_keep_code_and_comments():
    source = (
        "class A:\n"
        '    """Only a docstring: the body becomes `...`."""\n'
        "\n"
        "def f(x):\n"
        '    """A docstring → over\n'
        '    two lines."""\n'
        "    # a comment stays\n"
        '    s = """a string that is not a docstring"""\n'
        "    return x  # so does this one\n"
        "\n"
        'def g(): "on the def\'s line: kept, or g would lose its body"\n'
    )
    assert listings.without_docstrings(source) == (
        "class A:\n"
        "    ...\n"
        "\n"
        "def f(x):\n"
        "    # a comment stays\n"
        '    s = """a string that is not a docstring"""\n'
        "    return x  # so does this one\n"
        "\n"
        'def g(): "on the def\'s line: kept, or g would lose its body"'
    )


def test_listings_are_the_code_that_runs_without_its_docstrings():
    """What the chapters list parses to the same code as the function (docstrings aside),
    and no listed line is longer than the PDF's code type fits (tools/check_render/pages.py
    checks the rendered PDF for wrapped lines)."""
    import ast

    from mnistcompare.core import data, numpy_fast, numpy_mlp
    from mnistcompare.study import pca

    listed = {
        numpy_mlp.NumpyMLP.forward,
        numpy_mlp.NumpyMLP.backward,
        numpy_mlp.NumpyMLP.sgd_step,
        numpy_mlp.log_softmax,
        numpy_mlp.train_epoch_reference,
        numpy_fast.train_epoch,
        data.load,
        pca.pca,
    }
    for fn in listed:
        block = listings.source_block(fn)
        code = block.removeprefix("```python\n").removesuffix("\n```")
        assert '"""' not in code, fn
        original = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
        if ast.get_docstring(original, clean=False) is not None:
            original.body = original.body[1:]
        assert ast.dump(ast.parse(code).body[0]) == ast.dump(original), fn
        assert max(map(len, code.splitlines())) <= 80, fn
    for module, names in (
        ("torch_mlp", ("TorchMLP.__init__", "TorchMLP.forward")),
        ("torch_mlp", ("train_epoch",)),
        ("jax_mlp", ("forward", "log_softmax", "cross_entropy", "sgd_step")),  # the compiled chapter's
    ):
        assert max(map(len, listings.source_of(module, *names).splitlines())) <= 80
