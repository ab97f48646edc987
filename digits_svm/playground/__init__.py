"""A browser playground for the shipped ``.mlmodel``: draw, see the 8x8 grid and the digit, save samples.

Start it with ``digits-svm playground`` or `serve`; see ``docs/playground.md``.
"""

from .server import *  # noqa: F401,F403
from .server import __all__  # noqa: F401
