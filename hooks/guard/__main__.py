"""`python hooks/guard [files…]`: the guard's command-line check (see cli.py)."""

import sys
from pathlib import Path

# Run as a folder, Python puts hooks/guard itself on sys.path; the package lives one up.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from guard.cli import main  # noqa: E402

sys.exit(main())
