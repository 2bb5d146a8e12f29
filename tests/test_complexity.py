"""Lines of code (study/complexity.py)."""

from mnistcompare.core import networks
from mnistcompare.study import complexity


def test_count_code_lines_on_a_known_snippet():
    snippet = '''"""Module docstring
spanning two lines."""

import numpy as np  # a comment


def f(x):
    """Docstring."""
    # a comment line
    y = (x +
         1)
    return y
'''
    # code: import, def, "y = (x +", "1)", return
    assert complexity.count_code_lines(snippet) == 5


def test_complexity_counts_the_package_source():
    cx = complexity.complexity()
    np_, pt = cx[networks.get("numpy").source], cx[networks.get("pytorch").source]
    for size in (np_, pt):
        assert 0 < size.model_and_gradients + size.training_loop <= size.module
    # writing the backward pass by hand is the difference
    assert np_.model_and_gradients > pt.model_and_gradients
    # the readable network and the timed loop are modules of their own
    assert np_.file == "numpy_mlp.py" and cx["numpy_fast"].file == "numpy_fast.py"
    assert 0 < cx["numpy_fast"].optimised_loop <= cx["numpy_fast"].module


def test_every_network_module_is_counted():
    assert {n.source for n in networks.NETWORKS} <= set(complexity.PARTS)
