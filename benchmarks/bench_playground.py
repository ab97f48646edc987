"""How fast the playground answers: server round trips, and pen-up to prediction in a browser.

Run:  python benchmarks/bench_playground.py [--model artifacts/DigitsSVM.mlmodel] [--requests 200] [--draws 5]

Starts the playground on a free port in this process. Server part: POSTs the same drawn
"0" to /api/predict ``--requests`` times per preprocessing method (urllib, one connection
each) and prints the median / 90th percentile round trip and the server's own
preprocess / predict times. Browser part (needs /usr/bin/chromium and playwright): draws
the "0" with the mouse ``--draws`` times, waits for the page's pen-stop recognition, and
prints pen-up -> prediction as measured in the page (the 1 s pen-stop wait included) and
the page's request round trip. Without --model, a model is trained into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from digits_svm.drawing._preprocessing import METHODS
from digits_svm.playground import make_server

CHROMIUM = "/usr/bin/chromium"


def zero(x0: float = 110, y0: float = 60, size: float = 190) -> list[list[list[float]]]:
    """A "0": one closed ellipse, 40 segments, as drawn in the browser test."""
    cx, cy, rx, ry = x0 + size * 0.3, y0 + size * 0.5, size * 0.3, size * 0.5
    return [[[cx + rx * math.sin(2 * math.pi * i / 40), cy - ry * math.cos(2 * math.pi * i / 40)] for i in range(41)]]


def summary(values: list[float]) -> str:
    if not values:
        return "no samples"
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return f"median {statistics.median(values):.1f} ms, p90 {p90:.1f} ms, max {values[-1]:.1f} ms (n={len(values)})"


def bench_server(url: str, n: int) -> None:
    for method in METHODS:
        body = json.dumps({"strokes": zero(), "method": method}).encode()
        trips, server_pre, server_pred = [], [], []
        for _ in range(n):
            req = urllib.request.Request(url + "api/predict", data=body, headers={"Content-Type": "application/json"})
            started = time.perf_counter()
            answer = json.load(urllib.request.urlopen(req))
            trips.append((time.perf_counter() - started) * 1e3)
            server_pre.append(answer["timing_ms"]["preprocess"])
            server_pred.append(answer["timing_ms"]["predict"])
        print(f"POST /api/predict, method {method!r} (answer {answer['digit']}):")
        print(f"  round trip       {summary(trips)}")
        print(f"  server preprocess {summary(server_pre)}")
        print(f"  server predict    {summary(server_pred)}")


def bench_browser(url: str, draws: int) -> None:
    if draws < 1:
        print("browser: skipped (--draws 0)")
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser: skipped (pip install playwright)")
        return
    if not Path(CHROMIUM).exists():
        print(f"browser: skipped ({CHROMIUM} not found)")
        return
    latencies, requests = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(device_scale_factor=2)
        page.goto(url)
        page.wait_for_selector("body[data-ready='true']")
        box = page.locator("#pad").bounding_box()
        for _ in range(draws):
            page.locator("#clear").click()
            before = int(page.locator("#result").evaluate("r => r.dataset.seq || 0"))
            (stroke,) = zero()
            page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
            page.mouse.down()
            for x, y in stroke[1:]:
                page.mouse.move(box["x"] + x, box["y"] + y)
            page.mouse.up()
            page.wait_for_function(
                "document.querySelector('#result').dataset.state === 'done' && "
                f"+document.querySelector('#result').dataset.seq > {before}"
            )
            data = page.locator("#result").evaluate("r => ({...r.dataset})")
            latencies.append(float(data["latencyMs"]))
            requests.append(float(data["requestMs"]))
        browser.close()
    print("browser (headless Chromium, mouse, pen-stop timer 1000 ms):")
    print(f"  pen-up -> prediction  {summary(latencies)}")
    print(f"  page request round trip {summary(requests)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--draws", type=int, default=5, help="drawings in the browser (0: server part only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if model is None:
            from digits_svm import train
            from digits_svm.io._artifacts import write_artifacts

            model = write_artifacts(train(), tmp, plots=False).mlmodel
        with make_server(model, port=0, samples=Path(tmp) / "samples") as server:
            server.start()
            print(f"playground at {server.url} with {model}")
            bench_server(server.url, args.requests)
            bench_browser(server.url, args.draws)


if __name__ == "__main__":
    main()
