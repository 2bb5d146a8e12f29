"""The same network compiled: JAX (the forward pass NumPy's, the gradient jax.grad's, the
epoch one XLA program) and PyTorch through torch.compile, timed by the study's benchmark."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...study import stats
from ...study.records import Study
from .. import labels
from .. import verdicts as V
from ..formatting import sci_text, sig
from ..listings import source_of
from ..markdown import Prose
from .base import Chapter, not_taken

NEEDS_MAIN = True  # the main run's trained networks: not in the diverged edition


@dataclass(frozen=True, kw_only=True)
class CompiledNetwork(Chapter):
    parity: str
    jax_speed: str
    ablation: str
    compiled: str
    pays: str
    cost: str

    def listing(self, part: str) -> str:
        """The source of the forward pass and loss: "jax" (jax_mlp) beside "numpy" (numpy_mlp)."""
        module, names = {
            "jax": ("jax_mlp", ("forward", "log_softmax", "cross_entropy", "sgd_step")),
            "numpy": ("numpy_mlp", ("NumpyMLP.forward", "log_softmax", "cross_entropy")),
        }[part]
        return source_of(module, *names)


def parity(v: V.Parity | V.NotTaken) -> str:
    """Whether the JAX network is NumPy's algorithm, from the main run's shared start and order."""
    if isinstance(v, V.NotTaken):
        return not_taken(v)
    if v.decision == "same":
        return Prose(
            f"From the main run's shared start and minibatch order, JAX's training loss after the first epoch "
            f"differs from NumPy's by {sci_text(v.gap)}, a relative difference of {sci_text(v.rel)}, below "
            f"{V.ROUNDOFF_REL:.0e}: float32 round-off, so it is the same algorithm."
        )
    return Prose(
        f"From the main run's shared start and minibatch order, JAX's training loss after the first epoch "
        f"differs from NumPy's by {sci_text(v.gap)}, a relative difference of {sci_text(v.rel)}, above "
        f"{V.ROUNDOFF_REL:.0e}: more than float32 round-off, so it does not compute the same steps."
    )


def interval(v: V.Speedup) -> str:
    """The ratio's 95% interval, as a factor ("1.1 to 1.3 times"), or why there is none."""
    if v.interval is None:
        return "one repeat, so no interval"
    return f"95% interval {sig(math.exp(v.interval.low), 2)} to {sig(math.exp(v.interval.high), 2)}"


def versus(v: V.Speedup) -> str:
    """How one loop stands to another, in a whole sentence, with both times and the factor."""
    loop, against = labels.trainer(v.loop), labels.trainer(v.against)
    times = f"{sig(v.loop_s)} s per benchmark epoch against {sig(v.against_s)} s"
    said = {
        "faster": f"{loop} is faster than {against}: {times}, a factor of {sig(v.ratio, 2)}",
        "slower": f"{loop} is slower than {against}: {times}, a factor of {sig(1 / v.ratio, 2)}",
        "same": f"{loop} takes the same time as {against} within {stats.SAME_TIME:.0%}: {times}",
        "cannot tell": f"this run cannot tell whether {loop} is faster than {against}: {times}",
    }[v.decision]
    return f"{said[0].upper()}{said[1:]} ({interval(v)} for the ratio, over the benchmark's repeats)."


def unavailable(name: str, v: V.Unavailable) -> str:
    return Prose(f"{labels.trainer(name)} could not run on this machine: {v.why}.")


def jax_speed(v: V.Speedup | V.Unavailable) -> str:
    return unavailable("jax", v) if isinstance(v, V.Unavailable) else Prose(versus(v))


def ablation(v: V.Speedup | V.Unavailable, loop: V.Speedup | V.Unavailable) -> str:
    """The jitted step from a Python loop, against the epoch as one program."""
    if isinstance(v, V.Unavailable) or isinstance(loop, V.Unavailable):
        return unavailable("jax_step", v) if isinstance(v, V.Unavailable) else ""
    faster = "slower" if v.loop_s > loop.loop_s else "faster"
    return Prose(
        f"The ablation, a jitted step called once per minibatch from Python, takes {sig(v.loop_s)} s per benchmark "
        f"epoch, {faster} than the epoch as one program ({sig(loop.loop_s)} s)."
    )


def compiled(v: V.Speedup | V.Unavailable, model: V.Speedup | V.Unavailable) -> str:
    """PyTorch's whole step compiled against eager PyTorch, and the model alone compiled."""
    if isinstance(v, V.Unavailable):
        return Prose(
            f"`torch.compile` could not run on this machine ({v.why}), so this run has no compiled PyTorch to time."
        )
    alone = (
        ""
        if isinstance(model, V.Unavailable)
        else (f" Compiling the model alone, the ablation, takes {sig(model.loop_s)} s per benchmark epoch.")
    )
    return Prose(versus(v) + alone)


def pays(jax: V.Speedup | V.Unavailable, torch: V.Speedup | V.Unavailable) -> str:
    """What compiling costs, apart from the epochs, and after how many epochs it pays."""
    parts = []
    for v in (jax, torch):
        if isinstance(v, V.Unavailable) or v.compile_s is None:
            continue
        when = (
            f"pays after {sig(v.pays_after, 2)} epochs of the main run's images"
            if v.pays_after is not None
            else "never pays at these sizes, as the compiled epochs are no quicker"
        )
        parts.append(f"compiling {labels.trainer(v.loop)} took {sig(v.compile_s)} s and {when}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return Prose(f"Measured apart from the epochs, {text}.")


def cost(v: V.EagerCost) -> str:
    """Whose is PyTorch's time on this CPU: the framework's, or eager execution's. The
    Abstract and the Conclusions say it too."""
    fastest = labels.trainer(v.fastest)
    if v.decision == "eager execution":
        return Prose(
            f"Compiled, a framework keeps up with NumPy by hand here ({fastest} is "
            f"{'as fast as' if v.versus_numpy == 'same' else 'faster than'} it, by the benchmark's interval), so on "
            "this CPU PyTorch's extra time belongs to eager execution, one operation at a time, not to the framework."
        )
    if v.decision == "the framework":
        return Prose(
            f"Even compiled, the fastest framework loop ({fastest}) is slower than NumPy by hand here, so on this "
            "CPU the extra time belongs to the frameworks, not only to eager execution."
        )
    return Prose(
        f"This run cannot tell whether the fastest compiled loop ({fastest}) keeps up with NumPy by hand, so it "
        "cannot tell whether PyTorch's extra time belongs to eager execution or to the framework."
    )


def device(S: Study) -> str:
    """Where the networks of the main run trained when PyTorch had the GPU: JAX's CPU
    wheels keep it on the CPU (the benchmark and the sweep time every loop on the CPU)."""
    if S.main.params.device != "cuda":
        return ""
    return Prose(
        "This run put PyTorch on the GPU (`device: cuda`). JAX, installed from its CPU wheels, trained on the "
        "CPU, as NumPy did, and the benchmark and the sweep time every loop on the CPU."
    )


def facts(S: Study, verdicts: V.Verdicts) -> CompiledNetwork:
    return CompiledNetwork(
        S=S,
        verdicts=verdicts,
        # where it trained follows its parity, when there is something to say (an inline value is never empty)
        parity=Prose(" ".join(s for s in (parity(verdicts.jax_parity), device(S)) if s)),
        jax_speed=jax_speed(verdicts.jax),
        ablation=ablation(verdicts.jax_step, verdicts.jax),
        compiled=compiled(verdicts.compiled, verdicts.compiled_model),
        pays=pays(verdicts.jax, verdicts.compiled),
        cost=cost(verdicts.eager_cost),
    )
