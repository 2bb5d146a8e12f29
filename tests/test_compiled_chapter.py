"""The compiled chapter's sentences that depend on the parameters alone (book/chapters/compiled_network.py)."""

from types import SimpleNamespace as NS

from conftest import bare_study
from mnistcompare.book.chapters import compiled_network
from mnistcompare.core.params import Params


def test_with_pytorch_on_the_gpu_the_book_says_jax_trained_on_the_cpu():
    on = compiled_network.device(bare_study(main=NS(params=Params(device="cuda"))))
    assert "JAX, installed from its CPU wheels, trained on the CPU" in on and "`device: cuda`" in on
    assert compiled_network.device(bare_study(main=NS(params=Params()))) == ""  # on the CPU: nothing to say
