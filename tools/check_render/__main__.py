"""`python tools/check_render [--book _book] [--live-cdn] [--smoke] ...` (cli.py says what each does)."""

import sys
from pathlib import Path

if not __package__:  # run as a folder: the package is imported from tools/, its modules by their package's name
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from check_render.cli import main

sys.exit(main())
