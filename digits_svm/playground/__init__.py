"""A browser playground for the shipped ``.mlmodel``: draw, see the 8x8 grid and the digit, save samples.

Start it with ``digits-svm playground`` or `serve`; see ``docs/playground.md``. Two rooms:
`Playground` answers drawings, `PlaygroundServer` serves it over HTTP.
"""

from ._app import MAX_BODY_BYTES, MAX_POINTS, Playground
from ._server import DEFAULT_HOST, DEFAULT_PORT, PlaygroundServer, make_server, serve

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "MAX_BODY_BYTES", "MAX_POINTS", "Playground", "PlaygroundServer", "make_server",
           "serve"]
