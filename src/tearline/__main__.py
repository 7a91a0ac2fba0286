"""``python -m tearline`` runs the CLI."""

import sys

from tearline.cli import main

sys.exit(main())
