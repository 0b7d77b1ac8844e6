"""``python -m viz``: the command-line interface (see :mod:`viz.cli`)."""

import sys

from viz.cli import main

sys.exit(main())
