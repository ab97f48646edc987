"""The playground under load: N clients drawing and saving for T seconds, plus clients that stall.

Run:  python benchmarks/load_playground.py [--clients 16] [--seconds 60] [--model artifacts/DigitsSVM.mlmodel]

Starts ``digits-svm playground`` as its own process on a free loopback port (never any
other address; at most 64 clients and 600 seconds, then everything stops by itself).
Each client thread draws a synthesized digit (`digits_svm.datasets.synthesize_drawing`,
a new one each time), POSTs it to ``/api/predict`` and, every fourth time, saves it to
``/api/samples``. Beside them, two bad clients run the whole time: one opens connections
and sends nothing, which the server's request timeout
(`digits_svm.playground._server.REQUEST_TIMEOUT`) must drop; one sends its request a byte
a second, which holds one thread (the timeout runs from the last byte received); neither
may keep the others from being served. Prints requests/s, p50/p99 latency, errors (must be 0), the server's resident
memory after warm-up and at the end (growth must stay under ``--max-growth-mb``), and
whether every saved sample is on disk and readable. Exit status 1 if a check fails.
Without --model, the app preset is trained and converted into a temporary folder.

The memory check is meant to catch memory the server keeps per request (a leak), so
the server runs with ``MALLOC_ARENA_MAX=2`` unless the environment sets it already:
glibc gives each new thread (the server starts one per connection) an allocator arena
of its own, up to eight per core, and each arena keeps the peak it reached. Without
the setting the resident memory climbs by 100-150 MB on a fresh machine and then
levels off, by how many arenas the scheduling happened to touch, not by what the
server holds; with two arenas it grows by about 10 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from digits_svm.datasets._handwriting import synthesize_drawing
from digits_svm.drawing._strokes import load_strokes
from digits_svm.playground._server import REQUEST_TIMEOUT

MAX_CLIENTS = 64
MAX_SECONDS = 600


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


#: glibc allocator arenas in the server process (see the module's docstring); the environment's own setting wins.
MALLOC_ARENA_MAX = "2"


def start_server(model: Path, samples: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"MALLOC_ARENA_MAX": MALLOC_ARENA_MAX, **os.environ}
    proc = subprocess.Popen([sys.executable, "-m", "digits_svm", "playground", "--model", str(model),
                             "--port", str(port), "--samples", str(samples)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the playground did not start: {proc.stderr.read()}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the playground did not start within 60 s")


class Client(threading.Thread):
    def __init__(self, port: int, index: int, stop: float):
        super().__init__(daemon=True)
        self.port, self.index, self.stop = port, index, stop
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.saved: list[str] = []

    def post(self, conn: http.client.HTTPConnection, path: str, body: dict) -> dict:
        data = json.dumps(body).encode()
        started = time.perf_counter()
        conn.request("POST", path, body=data, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        self.latencies.append(time.perf_counter() - started)
        if response.status not in (200, 201):
            raise RuntimeError(f"{path}: HTTP {response.status} {payload[:120]!r}")
        return json.loads(payload)

    def run(self) -> None:
        rng = np.random.default_rng([2026, self.index])
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        k = 0
        while time.monotonic() < self.stop:
            digit = int(rng.integers(10))
            drawing = synthesize_drawing(digit, rng=rng)
            try:
                self.post(conn, "/api/predict", drawing)
                if k % 4 == 3:
                    self.saved.append(self.post(conn, "/api/samples", {**drawing, "label": digit})["saved"])
            except Exception as exc:  # noqa: BLE001 -- every failure is counted and shown
                self.errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            k += 1
        conn.close()


class Staller(threading.Thread):
    """A client that opens connections and sends nothing (``trickle=False``) or a byte a second."""

    def __init__(self, port: int, stop: float, trickle: bool):
        super().__init__(daemon=True)
        self.port, self.stop, self.trickle = port, stop, trickle
        self.dropped: list[float] = []  # seconds until the server closed each connection
        self.held = 0.0  # seconds the last connection was held open

    def run(self) -> None:
        # A request the server accepts up to its body (its own Host, JSON), so the body is what it waits for.
        request = (f"POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nContent-Type: application/json\r\n"
                   "Content-Length: 100\r\n\r\n").encode()
        while time.monotonic() < self.stop:
            started = time.monotonic()
            with socket.create_connection(("127.0.0.1", self.port)) as s:
                s.settimeout(1.0)
                i = 0
                while time.monotonic() < self.stop:
                    try:
                        if self.trickle and i < len(request):
                            s.sendall(request[i:i + 1])
                            i += 1
                        if s.recv(1024) == b"":
                            self.dropped.append(time.monotonic() - started)
                            break
                    except TimeoutError:
                        continue
                    except OSError:
                        self.dropped.append(time.monotonic() - started)
                        break
                self.held = time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--model", type=Path, help="a .mlmodel (default: train the app preset)")
    parser.add_argument("--max-growth-mb", type=float, default=50.0,
                        help="largest growth of the server's memory from warm-up to the end (default 50)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--clients must be 1..{MAX_CLIENTS} and --seconds 1..{MAX_SECONDS}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = args.model
        if model is None:
            import digits_svm

            model = folder / "DigitsSVM.mlmodel"
            digits_svm.convert(digits_svm.train(preset="app").model, model)
        server, port = start_server(model, folder / "samples")
        try:
            warm = Client(port, MAX_CLIENTS, time.monotonic() + 3)  # its own seed, apart from the clients'
            warm.run()
            memory_before = rss_mb(server.pid)
            stop = time.monotonic() + args.seconds
            clients = [Client(port, i, stop) for i in range(args.clients)]
            stallers = [Staller(port, stop, trickle=False), Staller(port, stop, trickle=True)]
            started = time.monotonic()
            for t in clients + stallers:
                t.start()
            for t in clients + stallers:
                t.join(args.seconds + 60)
            elapsed = time.monotonic() - started
            memory_after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
        latencies = [x for c in clients for x in c.latencies]
        errors = [e for c in clients for e in c.errors]
        saved = [Path(p) for c in clients for p in c.saved]
        readable = sum(1 for p in saved if p.exists() and load_strokes(p).label is not None)
        growth = memory_after - memory_before
        print(f"{args.clients} clients for {args.seconds:g} s on loopback (load average {os.getloadavg()[0]:.1f}), "
              f"model {model.name}")
        print(f"  requests: {len(latencies):,} ({len(latencies) / elapsed:.1f}/s); latency p50 "
              f"{statistics.median(latencies) * 1000:.1f} ms, p99 {percentile(latencies, 0.99) * 1000:.1f} ms")
        print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
        print(f"  server memory: {memory_before:.1f} MB after warm-up, {memory_after:.1f} MB at the end "
              f"(growth {growth:+.1f} MB; bound {args.max_growth_mb:g} MB; "
              f"MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', MALLOC_ARENA_MAX)})")
        print(f"  saved samples: {len(saved):,}, {readable:,} on disk and readable")
        silent, trickle = stallers
        served = min(len(c.latencies) for c in clients)
        print(f"  a client that sends nothing: {len(silent.dropped)} connections dropped, after "
              f"{min(silent.dropped, default=0):.1f}-{max(silent.dropped, default=0):.1f} s "
              f"(request timeout {REQUEST_TIMEOUT:g} s)")
        print(f"  a client that sends a byte a second: held {trickle.held:.0f} s on its own thread, dropped "
              f"{len(trickle.dropped)} times (the timeout runs from its last byte)")
        print(f"  every client kept being served: the slowest made {served:,} requests")
        ok = (not errors and growth <= args.max_growth_mb and readable == len(saved) and len(saved) > 0
              and bool(silent.dropped) and all(d <= REQUEST_TIMEOUT + 5 for d in silent.dropped)
              and served >= args.seconds / 5)
        print("  all checks hold" if ok else "  A CHECK FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
