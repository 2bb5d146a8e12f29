"""Quiet the book's Jupyter kernel: `make setup` runs this on the kernelspec it installs.

Quarto's Jupyter engine and nbclient start ipykernel over TCP on 127.0.0.1, and each
kernel then logs "Kernel is running over TCP without encryption" (ipykernel 7): 24
times in a render of the book, and once per chapter in the tests. The kernel listens on
the loopback interface only, for the process that started it, so the warning says
nothing a reader of the render's log can act on. The kernelspec's command line gets
`--IPKernelApp.log_level=ERROR`, which silences the kernel application's own log
below errors; what the cells print and warn is not affected.

    python tools/kernelspec.py .venv/share/jupyter/kernels/python3/kernel.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

QUIET = "--IPKernelApp.log_level=ERROR"


def quiet(spec: dict) -> dict:
    """The kernelspec with QUIET on its command line (once)."""
    argv = [a for a in spec["argv"] if not a.startswith("--IPKernelApp.log_level=")]
    return {**spec, "argv": [*argv, QUIET]}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(json.dumps(quiet(json.loads(path.read_text())), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
