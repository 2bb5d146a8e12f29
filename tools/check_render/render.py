"""The book rendered as the check sees it: the project's files copied into a folder and
rendered there by Quarto in quick mode, in the edition its study makes, with the
Quarto that `make` names (the pinned release, .quarto-version, or a note that it is not)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .plan import ROOT


def pinned_quarto_version(project: Path = ROOT) -> str:
    """The Quarto release the project renders with: .quarto-version (written once; the
    Makefile and both workflows read it too)."""
    return (project / ".quarto-version").read_text().strip()


def quarto_version_note(quarto: str | None, project: Path = ROOT) -> str | None:
    """A note when the Quarto that rendered is not the pinned release (a render with
    another release may differ in ways this check cannot see)."""
    if quarto is None:
        return None
    done = subprocess.run([quarto, "--version"], capture_output=True, text=True)
    found, pinned = done.stdout.strip(), pinned_quarto_version(project)
    if found == pinned:
        return f"Quarto {found}, the release in .quarto-version"
    return f"Quarto {found or '(unknown)'} rendered this, but .quarto-version pins {pinned}: results may differ"


def quarto_command() -> str | None:
    """$QUARTO (the Makefile passes its own), else `quarto` on PATH."""
    explicit = os.environ.get("QUARTO", "")
    return explicit if explicit and Path(explicit).is_file() else shutil.which("quarto")


def study_edition(project: Path, env: dict | None = None) -> str | None:
    """The edition (Quarto profile) of the book the study makes, as `make report` picks it;
    None for a project without editions. Computes the study if it is not cached."""
    if not (project / "_quarto-diverged.yml").is_file():
        return None
    done = subprocess.run(
        [sys.executable, "-m", "mnistcompare", "study", "--edition"],
        cwd=project,
        env=env or dict(os.environ),
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"check-render: the study failed ({done.returncode})")
    return done.stdout.strip()


def render_quick(project: Path, out: Path, to: str | None = None) -> tuple[Path, str | None]:
    """Copy the project's files into `out` and render the book there in quick mode, in the
    edition its study makes, in every format (or only `to`, "html" for the site alone);
    return the rendered book and that edition."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for rel in listed:
        src = project / rel
        if src.is_file():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out / rel)
    quarto = quarto_command()
    if quarto is None:
        raise SystemExit(
            f"check-render: Quarto is not installed (make quarto, or install Quarto {pinned_quarto_version(project)})"
        )
    env = {**os.environ, "MNISTCOMPARE_QUICK": "1"}
    env.setdefault("MNISTCOMPARE_DATA_DIR", str(project / "data"))
    env.setdefault("MNISTCOMPARE_CACHE_DIR", str(project / "_cache"))  # reuse the quick study between checks
    env.setdefault("QUARTO_PYTHON", sys.executable)
    profile = study_edition(out, env)
    if profile:
        env["QUARTO_PROFILE"] = profile
    formats = ["--to", to] if to else []
    print(
        f"[check-render] quarto render {' '.join(formats)} (quick mode, profile {profile}) in {out}".replace("  ", " "),
        file=sys.stderr,
        flush=True,
    )
    t0 = time.perf_counter()
    done = subprocess.run([quarto, "render", *formats], cwd=out, env=env, capture_output=True, text=True)
    print(f"[check-render] rendered in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    if done.returncode != 0:
        raise SystemExit(f"check-render: quarto render failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return out / "_book", profile
