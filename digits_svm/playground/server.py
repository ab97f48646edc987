"""The playground's HTTP server: five routes over the standard library, serving one `Playground` on loopback.

The page (``static/``) posts drawings; `digits_svm.playground.app.Playground` answers
them. The server is the standard library's `http.server.ThreadingHTTPServer`: no extra
dependency, works offline, and a small surface. It is a local development tool, bound to
127.0.0.1 by default, not a production web server.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import threading
import webbrowser
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import DigitsSVMError
from ..runtime import CoreMLRuntime
from ..validation import check_bool, check_count, check_instance, check_path, check_sequence
from .app import MAX_BODY_BYTES, HTTPError, Playground, decode_json

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "REQUEST_TIMEOUT", "PlaygroundServer", "make_server", "serve"]

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Seconds a client may take to send its request before the connection is dropped.
REQUEST_TIMEOUT = 10.0

STATIC_DIR = Path(__file__).resolve().parent / "static"
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class PlaygroundHandler(BaseHTTPRequestHandler):
    """Routes requests to the server's `Playground`; every refusal is JSON ``{"error": ...}``."""

    server: PlaygroundServer
    server_version = "digits-svm-playground"
    timeout = REQUEST_TIMEOUT

    # Routes: path -> {HTTP method: handler name}.
    _routes = {
        "/": {"GET": "_get_page"},
        "/index.html": {"GET": "_get_page"},
        "/api/info": {"GET": "_get_info"},
        "/api/predict": {"POST": "_post_predict"},
        "/api/samples": {"POST": "_post_samples"},
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        logger.debug("%s %s", self.address_string(), format % args)

    # ------------------------------------------------------------ dispatch
    def _dispatch(self) -> None:
        verb = self.command
        path = urlsplit(self.path).path
        try:
            allowed: dict[str, str] | None
            if path.startswith("/static/"):
                allowed = {"GET": "_get_static"}
            else:
                allowed = self._routes.get(path)
            if allowed is None:
                raise HTTPError(HTTPStatus.NOT_FOUND, f"no such page: {path}; open / for the playground")
            name = allowed.get("GET" if verb == "HEAD" else verb)
            if name is None:
                raise HTTPError(
                    HTTPStatus.METHOD_NOT_ALLOWED,
                    f"{verb} is not allowed on {path}; use {', '.join(allowed)}",
                    {"Allow": ", ".join(allowed)},
                )
            getattr(self, name)(path)
        except HTTPError as exc:
            # A client that stopped sending is worth a line in the server's log; a bad drawing is not.
            self._send_error_json(exc, logging.WARNING if exc.status == HTTPStatus.REQUEST_TIMEOUT else logging.DEBUG)
        except Exception:  # a bug: log it, answer 500, keep serving
            logger.exception("playground: unexpected error on %s %s", verb, path)
            self._send_error_json(HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error; see the server log"))

    # http.server calls do_<VERB>; every verb goes through the route table, so a known path
    # with the wrong verb is a 405 (not the stdlib's 501) and an unknown path a 404.
    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch  # noqa: N815

    # ------------------------------------------------------------ responses
    def _send(self, status: HTTPStatus, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, obj: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(obj).encode("utf-8"), "application/json")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (request line or header too long, malformed request) as JSON too."""
        try:
            status = HTTPStatus(code)
        except ValueError:
            status = HTTPStatus.BAD_REQUEST
        text = message or status.phrase
        if explain and explain != text:
            text = f"{text} ({explain})"
        self.close_connection = True
        self._send_error_json(HTTPError(status, f"{text}; send a well-formed HTTP request (see docs/playground.md)",
                                        {"Connection": "close"}), level=logging.WARNING)

    def _send_error_json(self, exc: HTTPError, level: int = logging.DEBUG) -> None:
        # One line per refusal, never a traceback: a 4xx is the client's doing.
        logger.log(level, "playground: %s %s %s -> %d %s", self.address_string(), self.command, self.path,
                   int(exc.status), exc.message)
        self._send(exc.status, json.dumps({"error": exc.message}).encode("utf-8"), "application/json", exc.headers)

    # ------------------------------------------------------------ request body
    def _read_json(self) -> Any:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise HTTPError(HTTPStatus.LENGTH_REQUIRED, "chunked bodies are not accepted; send Content-Length")
        raw = self.headers.get("Content-Length")
        if raw is None:
            self.close_connection = True
            raise HTTPError(HTTPStatus.LENGTH_REQUIRED, "Content-Length header is missing; send the JSON body with its length")
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"Content-Length {raw!r} is not a byte count")
        if length > MAX_BODY_BYTES:
            # The body is never read, so the connection cannot be reused.
            self.close_connection = True
            raise HTTPError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body is {length} bytes, more than {MAX_BODY_BYTES}; send one drawing at a time",
                {"Connection": "close"},
            )
        try:
            body = self.rfile.read(length)
        except TimeoutError:  # socket.timeout: the client stopped sending
            self.close_connection = True
            raise HTTPError(
                HTTPStatus.REQUEST_TIMEOUT,
                f"the request body ({length} bytes announced) did not arrive within {self.timeout:g} s; resend it",
                {"Connection": "close"},
            ) from None
        if len(body) != length:
            self.close_connection = True
            raise HTTPError(HTTPStatus.BAD_REQUEST, "request body ended early; resend it")
        return decode_json(body)

    # ------------------------------------------------------------ routes
    def _get_page(self, path: str) -> None:
        self._serve_file(STATIC_DIR / "index.html")

    def _get_static(self, path: str) -> None:
        name = path[len("/static/"):]
        # Only the files shipped in static/ by name: no directories, no "..", no encoding tricks.
        shipped = {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()}
        if name not in shipped:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"no such file: {path}")
        self._serve_file(shipped[name])

    def _serve_file(self, file: Path) -> None:
        content_type = _CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        self._send(HTTPStatus.OK, file.read_bytes(), content_type)

    def _get_info(self, path: str) -> None:
        self._send_json(self.server.playground.info())

    def _post_predict(self, path: str) -> None:
        self._send_json(self.server.playground.predict(self._read_json()))

    def _post_samples(self, path: str) -> None:
        self._send_json(self.server.playground.save_sample(self._read_json()), HTTPStatus.CREATED)


class PlaygroundServer(ThreadingHTTPServer):
    """A `ThreadingHTTPServer` serving one `Playground`; ``.url`` is where to point a browser."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], playground: Playground):
        host, port = check_sequence(address, "address", length=2)
        _check_address(host, port)
        self.playground = check_instance(playground, "playground", Playground, "a Playground")
        self._thread: threading.Thread | None = None
        super().__init__(address, PlaygroundHandler)

    def start(self) -> PlaygroundServer:
        """Serve in a background thread (for notebooks and tests); returns the server."""
        # A short poll interval so that stop() returns at once rather than after 0.5 s.
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="digits-svm-playground", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop a server started with `start` and release its port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response is not worth a traceback on stderr.
        logger.debug("playground: connection error from %s", client_address, exc_info=True)


def _check_address(host: Any, port: Any) -> None:
    check_instance(host, "host", str, "a host name or address (a string), e.g. 127.0.0.1 or 0.0.0.0")
    check_count(port, "port", high=65535)  # 0 picks a free port


def make_server(
    model: str | os.PathLike = "artifacts/DigitsSVM.mlmodel",
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    samples: str | os.PathLike = "samples",
) -> PlaygroundServer:
    """Load the model once and bind the playground's HTTP server (not yet serving).

    Parameters
    ----------
    model : str or PathLike, default "artifacts/DigitsSVM.mlmodel"
        The ``.mlmodel`` the app ships; loaded once, here.
    host : str, default "127.0.0.1"
        Interface to bind. Keep the default unless you want other machines on your
        network (a phone, a tablet) to reach the page: then use "0.0.0.0".
    port : int, default 8765
        TCP port; 0 picks a free one (see ``server.url``).
    samples : str or PathLike, default "samples"
        Folder for saved drawings, ``<samples>/<digit>/<name>.json``; created on the
        first save.

    Returns
    -------
    PlaygroundServer
        Call ``serve_forever()`` on it (in a thread if you like), ``shutdown()`` and
        ``server_close()`` to stop it.

    Raises
    ------
    InvalidParameterError
        A port outside 0..65535, a host or path of the wrong type (before the model is read).
    DigitsSVMError
        If the model cannot be loaded (``ModelFileError``) or the address cannot be
        bound (port in use, a host that does not resolve).

    Examples
    --------
    A small model for the example (use the one ``digits-svm train`` wrote):

    >>> import json, tempfile, urllib.request
    >>> from sklearn.svm import SVC
    >>> from digits_svm import convert
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> model = tempfile.mkdtemp() + "/DigitsSVM.mlmodel"
    >>> _ = convert(SVC(gamma=0.001).fit(X[:200], y[:200]), model)

    Serve it on a free port in a background thread and ask what it knows:

    >>> with make_server(model, port=0) as server:
    ...     info = json.load(urllib.request.urlopen(server.start().url + "api/info"))
    >>> info["classes"]
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    check_path(model, "model")
    _check_address(host, port)
    check_path(samples, "samples")
    runtime = CoreMLRuntime.from_file(model)
    playground = Playground(runtime, samples=samples, model_path=str(model))
    try:
        return PlaygroundServer((host, port), playground)
    except socket.gaierror as exc:  # the host name or address does not resolve
        raise DigitsSVMError(
            f"cannot listen on host {host}: {exc.strerror or exc}; give an address of this machine with --host "
            f"(e.g. {DEFAULT_HOST}, or 0.0.0.0 for every interface)"
        ) from exc
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise DigitsSVMError(
                f"cannot listen on host {host}: {exc.strerror or exc}; give an address of this machine with --host"
            ) from exc
        raise DigitsSVMError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another port with --port"
        ) from exc


def serve(
    model: str | os.PathLike = "artifacts/DigitsSVM.mlmodel",
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    samples: str | os.PathLike = "samples",
    open_browser: bool = False,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Run the playground until interrupted (Ctrl-C).

    Parameters
    ----------
    model, host, port, samples
        As in `make_server`.
    open_browser : bool, default False
        Open the page in the default web browser once the server listens.
    ready : callable, optional
        Called with the page's URL once the server listens (the CLI prints it).
    """
    check_bool(open_browser, "open_browser")
    check_instance(ready, "ready", (Callable, type(None)), "a callable taking the page's URL, or None")
    server = make_server(model, host=host, port=port, samples=samples)
    try:
        if ready is not None:
            ready(server.url)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
