"""The playground's HTTP server: a few routes over the standard library, serving one `Playground` on loopback.

The page (``static/``) posts drawings; `digits_svm.playground.Playground` answers
them. The server is the standard library's `http.server.ThreadingHTTPServer`: no extra
dependency, works offline, and a small surface. It is a local development tool, bound to
127.0.0.1 by default, not a production web server.

Any web page the user visits can make the browser send requests to a loopback port, so
the server answers only requests addressed to it by name: the ``Host`` header must be
an address it listens on (or ``localhost``, ``127.0.0.1``, ``[::1]``) with its port,
which defeats DNS rebinding; a request that writes must come from the playground's own
page when it names an ``Origin``; and a body must be ``application/json``, a type a
cross-site form cannot send without the browser asking the server first.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import os
import re
import socket
import threading
import webbrowser
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._validation import check_bool, check_count, check_instance, check_path, check_sequence
from ..coreml._runtime import CoreMLRuntime
from ..errors import DigitsSVMError
from ._app import MAX_BODY_BYTES, HTTPError, Playground, decode_json

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "LOOPBACK_NAMES", "REQUEST_TIMEOUT", "PlaygroundServer", "exposure_warning",
           "make_server", "serve"]

logger = logging.getLogger(__name__)

#: The address the playground listens on unless told otherwise: this computer only.
DEFAULT_HOST = "127.0.0.1"
#: The port the playground listens on unless told otherwise.
DEFAULT_PORT = 8765
#: Seconds a client may take to send its request before the connection is dropped.
REQUEST_TIMEOUT = 10.0

#: Host names every playground answers to, whatever address it listens on (with its port).
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

STATIC_DIR = Path(__file__).resolve().parent / "static"
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


# host[:port] as in a Host header or after an origin's "http://": a name, an IPv4 address or a
# bracketed IPv6 address; anything else (user info, a path, spaces) does not match.
_AUTHORITY = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?))(?::(?P<port>[0-9]{1,5}))?",
                        re.IGNORECASE)


def _split_authority(text: str) -> tuple[str, int] | None:
    """``host[:port]`` as (lower-case host, IPv6 without brackets, port; 80 if none); None if malformed."""
    match = _AUTHORITY.fullmatch(text)
    if match is None:
        return None
    host = match["name"]
    if host is None:
        try:
            host = str(ipaddress.IPv6Address(match["v6"]))
        except ValueError:
            return None
    return host.lower(), int(match["port"]) if match["port"] else 80


def _origin_authority(origin: str) -> tuple[str, int] | None:
    """The (host, port) of an ``http://host[:port]`` origin; None for ``null``, another scheme or a malformed one."""
    if origin[:7].lower() != "http://":
        return None
    return _split_authority(origin[7:])


def _is_json_content_type(values: list[str] | None) -> bool:
    """True for exactly one ``application/json`` Content-Type, with at most a UTF-8 charset parameter."""
    if not values or len(values) != 1:
        return False
    mime, *params = values[0].split(";")
    if mime.strip().lower() != "application/json":
        return False
    for param in params:
        if not param.strip():
            continue
        key, _, value = param.partition("=")
        if key.strip().lower() != "charset" or value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def _shown(value: str) -> str:
    """A header value quoted for an error message, cut to 80 characters."""
    return repr(value if len(value) <= 80 else value[:80] + "...")


class PlaygroundHandler(BaseHTTPRequestHandler):
    """Routes requests to the server's `Playground`; every refusal is JSON ``{"error": ...}``.

    Before routing, every request must name the server in its ``Host`` header (else 421),
    and a request other than GET or HEAD that sends an ``Origin`` must come from the
    playground's own page (else 403); `_read_json` then requires one decimal
    ``Content-Length`` (else 411 or 400) and an ``application/json`` body (else 415).
    """

    server: PlaygroundServer
    server_version = "digits-svm-playground"
    timeout = REQUEST_TIMEOUT
    _body_read = False

    # Routes: path -> {HTTP method: handler name}.
    _routes = {
        "/": {"GET": "_get_page"},
        "/index.html": {"GET": "_get_page"},
        "/api/info": {"GET": "_get_info"},
        "/api/predict": {"POST": "_post_predict"},
        "/api/samples": {"POST": "_post_samples"},
        "/api/memory": {"GET": "_get_memory"},
        "/api/memory/add": {"POST": "_post_memory_add"},
        "/api/memory/clear": {"POST": "_post_memory_clear"},
        "/api/memory/export": {"POST": "_post_memory_export"},
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        logger.debug("%s %s", self.address_string(), format % args)

    # ------------------------------------------------------------ dispatch
    def _dispatch(self) -> None:
        verb = self.command
        path = urlsplit(self.path).path
        self._body_read = False
        try:
            self._check_host()
            if verb not in ("GET", "HEAD"):
                self._check_origin()
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
            if not self._body_read and ("Content-Length" in self.headers or "Transfer-Encoding" in self.headers):
                # The body was never read: it would be taken for the next request on this connection.
                self.close_connection = True
                exc.headers.setdefault("Connection", "close")
            # A client that stopped sending is worth a line in the server's log; a bad drawing is not.
            self._send_error_json(exc, logging.WARNING if exc.status == HTTPStatus.REQUEST_TIMEOUT else logging.DEBUG)
        except Exception:  # a bug: log it, answer 500, keep serving
            logger.exception("playground: unexpected error on %s %s", verb, path)
            self._send_error_json(HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error; see the server log"))

    def _check_host(self) -> None:
        """Refuse (421) a request whose Host header does not name this server: DNS rebinding, or a wrong address."""
        values = self.headers.get_all("Host") or []
        where = f"open {self.server.url} (or, to use another name or address, start the playground with --host set to it)"
        if len(values) != 1:
            raise HTTPError(HTTPStatus.MISDIRECTED_REQUEST,
                            f"{'no' if not values else len(values)} Host header{'s' if len(values) > 1 else ''}; {where}")
        if _split_authority(values[0].strip()) not in self.server.allowed_hosts:
            raise HTTPError(HTTPStatus.MISDIRECTED_REQUEST, f"Host {_shown(values[0])} is not this playground's address; {where}")

    def _check_origin(self) -> None:
        """Refuse (403) a write sent by a page other than the playground's own (including ``Origin: null``)."""
        values = self.headers.get_all("Origin")
        if values is None:
            return  # not sent by a browser page (curl, scripts), or a same-origin request of an older browser
        authority = _origin_authority(values[0].strip()) if len(values) == 1 else None
        if authority is None or authority not in self.server.allowed_hosts:
            shown = _shown(values[0]) if len(values) == 1 else f"sent {len(values)} times"
            raise HTTPError(
                HTTPStatus.FORBIDDEN,
                f"Origin {shown} is not the playground's page ({self.server.url.rstrip('/')}); "
                "only the page the playground serves may post to it: draw there",
            )

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
        values = self.headers.get_all("Content-Length")
        if not values:
            self.close_connection = True
            raise HTTPError(HTTPStatus.LENGTH_REQUIRED, "Content-Length header is missing; send the JSON body with its length")
        if len(values) > 1:
            # Two lengths could be read differently by a proxy and by this server: refuse rather than pick one.
            self.close_connection = True
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"Content-Length header sent {len(values)} times; send it once")
        raw = values[0].strip(" \t")
        # Only ASCII digits: int() would also take "+40", "1_0" and other scripts' digits.
        if not (raw.isascii() and raw.isdigit()):
            self.close_connection = True
            raise HTTPError(HTTPStatus.BAD_REQUEST,
                            f"Content-Length {values[0]!r} is not a byte count; send the body's length in decimal digits")
        length = int(raw)
        if length > MAX_BODY_BYTES:
            # The body is never read, so the connection cannot be reused.
            self.close_connection = True
            raise HTTPError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body is {length} bytes, more than {MAX_BODY_BYTES}; send one drawing at a time",
                {"Connection": "close"},
            )
        if not _is_json_content_type(self.headers.get_all("Content-Type")):
            self.close_connection = True
            shown = ", ".join(self.headers.get_all("Content-Type") or ["none"])
            raise HTTPError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type {shown[:80]!r} is not accepted; send the body as application/json (UTF-8)",
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
        self._body_read = True
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

    def _get_memory(self, path: str) -> None:
        """The memory's JSON file, as a download (the name is the memory file's, or a fixed one: never the request's)."""
        playground = self.server.playground
        self._send(HTTPStatus.OK, playground.memory_json().encode("utf-8"), "application/json",
                   {"Content-Disposition": f'attachment; filename="{playground.memory_download_name}"'})

    def _post_memory_add(self, path: str) -> None:
        self._send_json(self.server.playground.remember(self._read_json()), HTTPStatus.CREATED)

    def _post_memory_clear(self, path: str) -> None:
        self._send_json(self.server.playground.clear_memory(self._read_json()))

    def _post_memory_export(self, path: str) -> None:
        self._send_json(self.server.playground.export_memory(self._read_json()))


class PlaygroundServer(ThreadingHTTPServer):
    """A `ThreadingHTTPServer` serving one `Playground`; ``.url`` is where to point a browser.

    An IPv6 host (``::1``, ``::``) gets an IPv6 socket; ``::`` also accepts IPv4 where the
    system allows it. ``allowed_hosts`` holds the (host, port) pairs a request's ``Host``
    header (and a posting page's ``Origin``) may name: the loopback names, the address
    bound and the host given, or, on a wildcard address (``0.0.0.0``, ``::``), the
    addresses and name of this machine (`urls` lists them).
    """

    daemon_threads = True
    block_on_close = False
    #: Connections waiting to be accepted: a burst of clients is queued, not reset (the standard library's is 5).
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], playground: Playground):
        host, port = check_sequence(address, "address", length=2)
        _check_address(host, port)
        self.playground = check_instance(playground, "playground", Playground, "a Playground")
        self._thread: threading.Thread | None = None
        self.host = host
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, PlaygroundHandler)
        self._addresses = _machine_addresses(ipv6=self.address_family == socket.AF_INET6) if self.wildcard else []
        self.allowed_hosts = frozenset((name, self.port) for name in self._host_names())

    def server_bind(self) -> None:
        ip = _ip(self.host)
        if self.address_family == socket.AF_INET6 and ip is not None and ip.is_unspecified:
            try:  # "::" serves IPv4 too, where the system allows one socket for both
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            except (AttributeError, OSError):
                pass
        super().server_bind()

    def _host_names(self) -> set[str]:
        names = set(LOOPBACK_NAMES)
        if self.wildcard:
            names.update(a.lower() for a in self._addresses)
            hostname = socket.gethostname().lower()
            names.update({hostname, hostname if "." in hostname else f"{hostname}.local"} - {""})
        else:
            names.update({self.bound_host.lower(), self.host.lower()})
        return names

    @property
    def port(self) -> int:
        """The port the server listens on (the one picked, if it was given as 0)."""
        return int(self.server_address[1])

    @property
    def bound_host(self) -> str:
        """The address the socket is bound to (``127.0.0.1``, ``::1``, ``0.0.0.0``, ...)."""
        host = self.server_address[0]
        return host.decode() if isinstance(host, bytes) else str(host)

    @property
    def wildcard(self) -> bool:
        """True if the server listens on every interface (``0.0.0.0`` or ``::``)."""
        ip = _ip(self.bound_host)
        return ip is not None and ip.is_unspecified

    @property
    def exposed(self) -> bool:
        """True if other machines can reach the server (it is not bound to a loopback address)."""
        ip = _ip(self.bound_host)
        return ip is None or not ip.is_loopback

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
        """The page's URL on this machine (a loopback address if the server listens on every interface)."""
        if self.wildcard:
            return _url("::1" if self.address_family == socket.AF_INET6 else "127.0.0.1", self.port)
        return _url(self.bound_host, self.port)

    @property
    def urls(self) -> list[str]:
        """Every URL known to reach the page: `url`, then, on a wildcard address, this machine's addresses."""
        return [self.url, *(_url(a, self.port) for a in self._addresses)]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response is not worth a traceback on stderr.
        logger.debug("playground: connection error from %s", client_address, exc_info=True)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _machine_addresses(*, ipv6: bool) -> list[str]:
    """This machine's address on its default route, IPv4 (and IPv6 if ``ipv6``), found without sending anything.

    Connecting a UDP socket only asks the kernel which source address it would use for
    a documentation address (RFC 5737, RFC 3849); no packet leaves the machine.
    """
    probes = [(socket.AF_INET, "192.0.2.1")] + ([(socket.AF_INET6, "2001:db8::1")] if ipv6 else [])
    found: list[str] = []
    for family, probe in probes:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                address = str(sock.getsockname()[0])
        except OSError:  # no route of that family
            continue
        ip = _ip(address)
        if ip is not None and not ip.is_loopback and not ip.is_unspecified and address not in found:
            found.append(address)
    return found


def exposure_warning(server: PlaygroundServer) -> str | None:
    """The warning for a server other machines can reach, listing the URLs that reach it; None on loopback."""
    if not server.exposed:
        return None
    others = [u for u in server.urls if u != server.url] if server.wildcard else [server.url]
    where = ", ".join(others) if others else f"http://<this machine's address>:{server.port}/"
    return (f"warning: the playground listens on {server.host}, so other machines on your network can reach it "
            f"(no authentication) at {where}; use --host 127.0.0.1 to keep it to this machine")


def _check_address(host: Any, port: Any) -> None:
    check_instance(host, "host", str, "a host name or address (a string), e.g. 127.0.0.1 or 0.0.0.0")
    check_count(port, "port", high=65535)  # 0 picks a free port


def make_server(
    model: str | os.PathLike = "artifacts/DigitsSVM.mlmodel",
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    samples: str | os.PathLike = "samples",
    memory_file: str | os.PathLike | None = None,
) -> PlaygroundServer:
    """Load the model once and bind the playground's HTTP server (not yet serving).

    Parameters
    ----------
    model : str or PathLike, default "artifacts/DigitsSVM.mlmodel"
        The ``.mlmodel`` the app ships; loaded once, here.
    host : str, default "127.0.0.1"
        Interface to bind (IPv4 or IPv6: "::1", "::"). Keep the default unless you want
        other machines on your network (a phone, a tablet) to reach the page: then use
        "0.0.0.0" (or "::"), and a warning listing the URLs that reach it is logged.
        Requests must name the server in their Host header: one of these URLs, or
        ``localhost``, ``127.0.0.1``, ``[::1]`` with the port.
    port : int, default 8765
        TCP port; 0 picks a free one (see ``server.url``).
    samples : str or PathLike, default "samples"
        Folder for saved drawings, ``<samples>/<digit>/<name>.json``; created on the
        first save. The memory's export writes there too.
    memory_file : str or PathLike, optional
        The personal memory's JSON file: read at start if it exists, rewritten
        atomically after each change. Without it the memory lasts as long as the server.

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
        If the model cannot be loaded (``ModelFileError``), the memory file is not a
        memory (``MemoryFileError``) or the address cannot be bound (port in use, a host
        that does not resolve).

    Examples
    --------
    A small model for the example (use the one ``digits-svm train`` wrote):

    >>> import json, tempfile, urllib.request
    >>> from digits_svm import convert
    >>> model = tempfile.mkdtemp() + "/DigitsSVM.mlmodel"
    >>> _ = convert(svc, model)

    Serve it on a free port in a background thread and ask what it knows:

    >>> with make_server(model, port=0) as server:
    ...     info = json.load(urllib.request.urlopen(server.start().url + "api/info"))
    >>> info["classes"]
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    check_path(model, "model")
    _check_address(host, port)
    check_path(samples, "samples")
    if memory_file is not None:
        check_path(memory_file, "memory_file")
    runtime = CoreMLRuntime.from_file(model)
    playground = Playground(runtime, samples=samples, model_path=str(model), memory_file=memory_file)
    try:
        server = PlaygroundServer((host, port), playground)
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
    warning = exposure_warning(server)
    if warning is not None:
        logger.warning("%s", warning)
    return server


def serve(
    model: str | os.PathLike = "artifacts/DigitsSVM.mlmodel",
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    samples: str | os.PathLike = "samples",
    memory_file: str | os.PathLike | None = None,
    open_browser: bool = False,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Run the playground until interrupted (Ctrl-C).

    Parameters
    ----------
    model, host, port, samples, memory_file
        As in `make_server`.
    open_browser : bool, default False
        Open the page in the default web browser once the server listens.
    ready : callable, optional
        Called with the page's URL once the server listens (the CLI prints it).
    """
    check_bool(open_browser, "open_browser")
    check_instance(ready, "ready", (Callable, type(None)), "a callable taking the page's URL, or None")
    server = make_server(model, host=host, port=port, samples=samples, memory_file=memory_file)
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
