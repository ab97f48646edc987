"""``python -m digits_svm`` runs the ``digits-svm`` command."""

import sys

from .cli import main

sys.exit(main())
