"""What this render is made from: the parameters in force (read now, not from the cached
study), those that differ from the project's defaults and where each was set, and the
edition of the book the study makes, checked against the one being rendered.
"""

from __future__ import annotations

import os


def edition(S) -> str:
    """The edition of the book this study makes ("study", or "diverged" when the main run
    diverged; records.Study.edition), checked against the Quarto profile being rendered: a
    chapter that needs trained networks must not render a diverged study's numbers."""
    made = S.edition
    rendering = os.environ.get("QUARTO_PROFILE") or "study"
    if made not in rendering.split(","):
        raise RuntimeError(
            f"this study makes the {made!r} edition of the book, but the {rendering!r} edition is being "
            f"rendered; render with `make report`, which picks the edition (or quarto render --profile {made})"
        )
    return made


def in_force():
    """The parameters in force for this render, read now (params.yml, quick mode, the
    environment), not from the cached study: the cache may have been filled by a render
    whose quick mode or overrides differed while the parameters came out the same."""
    from ..core import params as P
    from ..core import paths

    return P.load(paths.params_file())


def changed(loaded) -> list[tuple[str, object, str]]:
    """(key, value, source) for each parameter in force whose value differs from the
    project's defaults (params.Params) and changes the book; source is where the value
    came from: the parameters file, quick mode or an environment override."""
    from ..core import params as P
    from ..study.experiments import NOT_IN_KEY  # what the study never reads changes no book either

    defaults = P.Params().to_dict()
    return [
        (k, v, loaded.sources.get(k, ""))
        for k, v in loaded.params.to_dict().items()
        if k not in NOT_IN_KEY and v != defaults[k]
    ]


def yaml_value(v) -> str:
    """A parameter's value as params.yml writes it (null, true, 0.1)."""
    if isinstance(v, float):
        return f"{v:g}"
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
