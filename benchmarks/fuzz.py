"""Fuzz every door through which a user's bytes enter digits_svm, with hypothesis.

Run:  python benchmarks/fuzz.py [--examples 100000] [--seed 0]

The doors: strokes JSON files (and deep, wide or costly JSON through every door that
reads a drawing: strokes files, grid files, playground bodies, training samples), image
files, grid files (.npy / .json), `.mlmodel` files,
pickles with their sidecars, skops files (with a sidecar that matches them, so the skops
reader itself is fuzzed), and the playground's HTTP bodies. Each door is fed random
and mutated inputs (random bytes, valid files with bytes flipped, cut or inserted,
random JSON, odd image modes and sizes, arrays of odd dtypes and shapes); the only
answers allowed are a result or a `digits_svm.errors.DigitsSVMError` (the playground's:
an HTTP 4xx). Anything else is a failure, printed with the input that caused it.
``tests/test_fuzz.py`` runs the same doors in CI with fewer examples.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from PIL import Image

import digits_svm
from digits_svm._files import sha256_bytes
from digits_svm.coreml._convert import load_spec, spec_bytes
from digits_svm.coreml._runtime import CoreMLRuntime
from digits_svm.errors import DigitsSVMError
from digits_svm.io._inputs import grids_from_input_file, read_grid_file
from digits_svm.io._model_files import (
    MAX_SKOPS_ENTRIES,
    MAX_SKOPS_SCHEMA_BYTES,
    load_model,
    save_model,
    sidecar_path,
)
from digits_svm.playground._app import HTTPError, Playground, decode_json

SEVEN = {"strokes": [[[12, 10], [70, 10], [70, 14], [35, 110]], [[30, 60], [64, 60]]]}

# ---------------------------------------------------------------- strategies
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(
        st.sampled_from(["strokes", "line_width", "scale", "label", "method", "x"]) | st.text(max_size=5), children,
        max_size=5),
    max_leaves=40,
)


@st.composite
def deep_json(draw: Any) -> bytes:
    """Brackets nested up to 200,000 deep, balanced or not, with strings and values among them."""
    depth = draw(st.sampled_from([1, 4, 31, 32, 33, 100, 1000, 5000, 200_000]))
    opens = "".join(draw(st.sampled_from(["[", "{\"strokes\": "])) for _ in range(min(depth, 40)))
    opens = opens if depth <= 40 else opens + "[" * (depth - 40)
    inner = draw(st.sampled_from(["", "0", "[0, 0]", '"[[[["', '"\\"[', "[[1, 2, 3]]"]))
    closes = "".join("}" if o == "{" else "]" for o in reversed(opens.replace('"strokes": ', "").replace(" ", "")))
    cut = draw(st.integers(0, len(closes)))
    return (opens + inner + closes[:cut] if draw(st.booleans()) else opens + inner + closes).encode()


@st.composite
def costly_drawing(draw: Any) -> dict:
    """A drawing near or past the limits: thousands of points, fat lines, big scales, spread or piled up."""
    n = draw(st.sampled_from([2, 8, 50, 2000, 9_999, 10_000, 10_001, 12_000]))
    spread = draw(st.sampled_from([10.0, 400.0, 2000.0]))
    seed_ = draw(st.integers(0, 2**16))
    points = np.random.default_rng(seed_).uniform(0, spread, (n, 2)).round(1)
    n_strokes = draw(st.integers(1, 4))
    strokes = [chunk.tolist() for chunk in np.array_split(points, n_strokes)]
    return {"strokes": strokes, "line_width": draw(st.sampled_from([1.0, 20.0, 200.0])),
            "scale": draw(st.sampled_from([1.0, 3.0, 10.0]))}


#: Deep, wide or costly JSON: what bounds the work before it is done.
costly_json = st.one_of(deep_json(), costly_drawing().map(lambda d: json.dumps(d).encode()),
                        st.integers(1, 120_000).map(lambda n: json.dumps([[[0, 0]] * n]).encode()),
                        st.integers(1, 50_000).map(lambda n: json.dumps([0] * n).encode()))


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` with bytes flipped, cut off, or inserted: what a broken download or disk gives."""
    n = len(data)

    @st.composite
    def build(draw: Any) -> bytes:
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            kind = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
            i = draw(st.integers(0, max(len(out) - 1, 0)))
            if kind == "flip" and out:
                out[i] ^= 1 << draw(st.integers(0, 7))
            elif kind == "cut":
                del out[i:]
            elif kind == "insert":
                out[i:i] = draw(st.binary(min_size=1, max_size=16))
            elif out:
                out[i:i + 16] = bytes(len(out[i:i + 16]))
        return bytes(out)

    return build() if n else st.binary(max_size=64)


def _png(mode: str, size: tuple[int, int], seed: int, fmt: str = "PNG") -> bytes:
    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")
    img = base.convert(mode) if mode not in ("I;16",) else Image.fromarray(
        rng.integers(0, 65536, (size[1], size[0]), dtype=np.uint16))
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def _valid_image_bytes() -> dict[str, bytes]:
    crop = digits_svm.render_strokes(SEVEN)
    out = {}
    for fmt, img in (("PNG", crop), ("JPEG", crop.convert("RGB")), ("GIF", crop.convert("P")), ("BMP", crop.convert("RGB"))):
        buf = io.BytesIO()
        img.save(buf, format=fmt)
        out[fmt] = buf.getvalue()
    return out


image_files = st.one_of(
    st.binary(max_size=256),
    st.sampled_from(sorted(_valid_image_bytes().items())).flatmap(lambda kv: mutated(kv[1])),
    st.builds(_png, st.sampled_from(["1", "L", "LA", "P", "RGB", "RGBA", "I;16"]),
              st.tuples(st.integers(1, 40), st.integers(1, 40)), st.integers(0, 1000)),
    st.builds(_png, st.sampled_from(["I", "F", "CMYK", "RGB"]), st.tuples(st.integers(1, 40), st.integers(1, 40)),
              st.integers(0, 1000), st.just("TIFF")),
)


@st.composite
def grid_files(draw: Any) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["npy", "npy-mutated", "json", "bytes"]))
    if kind == "json":
        return ".json", json.dumps(draw(json_values)).encode()
    if kind == "bytes":
        return draw(st.sampled_from([".npy", ".json"])), draw(st.binary(max_size=200))
    dtype = draw(st.sampled_from(["float64", "float32", "int8", "uint16", "bool", "complex64", "U3", "object"]))
    shape = draw(st.sampled_from([(8, 8), (64,), (2, 8, 8), (3, 64), (8, 9), (0, 64), (), (1, 1, 8, 8)]))
    values = np.asarray(draw(st.lists(st.floats(-5, 40) | st.just(float('nan')), min_size=1, max_size=4)))
    with np.errstate(invalid="ignore"):  # NaN cast to an integer dtype: whatever comes out is an input too
        arr = np.resize(values, shape if shape else ()).astype(dtype) if dtype != "object" else np.empty(shape, object)
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    data = buf.getvalue()
    return ".npy", draw(mutated(data)) if kind == "npy-mutated" else data


@st.composite
def declared_npy(draw: Any) -> tuple[str, bytes]:
    """An .npy whose header declares a shape, maybe huge, over a few bytes of data: sizes checked before allocation."""
    shape = draw(st.sampled_from([(10**10,), (10**6, 8, 8), (2**62 // 8,), (3, 8, 8), (0, 64), (2**31, 64)]))
    descr = draw(st.sampled_from(["<f8", "<f4", "|u1", "<c16"]))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": draw(st.booleans()), "shape": shape})
    return ".npy", header.getvalue() + draw(st.binary(max_size=600))


# ---------------------------------------------------------------- the doors
class Doors:
    """The doors, each a function of one input that may answer or raise `DigitsSVMError` only."""

    def __init__(self, folder: Path):
        self.folder = folder
        X, y = digits_svm.datasets.load_digits_grids()
        model = digits_svm.model.make_estimator(probability=True).fit(X[:120], y[:120])
        self.mlmodel = folder / "fuzz.mlmodel"
        digits_svm.convert(model, self.mlmodel)
        self.mlmodel_bytes = self.mlmodel.read_bytes()
        self.pickle = save_model(model, folder / "fuzz.pkl")
        self.pickle_bytes = self.pickle.read_bytes()
        self.sidecar_bytes = sidecar_path(self.pickle).read_bytes()
        self.skops = save_model(model, folder / "fuzz.skops")
        self.skops_bytes = self.skops.read_bytes()
        self.skops_sidecar = json.loads(sidecar_path(self.skops).read_text())
        with zipfile.ZipFile(io.BytesIO(self.skops_bytes)) as archive:
            self.skops_members = {name: archive.read(name) for name in archive.namelist()}
        self.playground = Playground(CoreMLRuntime.from_file(self.mlmodel), samples=folder / "samples")
        self.tried: dict[str, int] = {}

    def _file(self, suffix: str, data: bytes) -> Path:
        path = self.folder / f"input{suffix}"
        path.write_bytes(data)
        return path

    def _count(self, door: str) -> None:
        self.tried[door] = self.tried.get(door, 0) + 1

    def strokes(self, data: bytes) -> None:
        self._count("strokes JSON")
        for method in ("normalized", "seed"):
            try:
                grids_from_input_file(self._file(".json", data), method=method)
            except DigitsSVMError:
                pass

    def costly(self, data: bytes) -> None:
        """Deep, wide or costly JSON through every door that reads a drawing: each must answer or refuse in time."""
        self._count("costly JSON")
        started = time.perf_counter()
        for door in (self.strokes, self.grid, self.http, self.sample):
            door((".json", data) if door == self.grid else data)
        assert time.perf_counter() - started < 20, f"{len(data):,} bytes took {time.perf_counter() - started:.1f} s"

    def sample(self, data: bytes) -> None:
        """A training sample (``train --extra``): `load_samples` answers or skips it with a reason."""
        folder = self.folder / "extra" / "3"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "fuzzed.json").write_bytes(data)
        try:
            digits_svm.datasets.load_samples(self.folder / "extra")
        except DigitsSVMError:
            pass

    def image(self, data: bytes) -> None:
        self._count("images")
        for suffix in (".png", ".jpg"):
            try:
                grids_from_input_file(self._file(suffix, data), method="normalized")
            except DigitsSVMError:
                pass

    def grid(self, suffix_data: tuple[str, bytes]) -> None:
        self._count("grids")
        try:
            read_grid_file(self._file(*suffix_data))
        except DigitsSVMError:
            pass

    def model(self, data: bytes) -> None:
        self._count(".mlmodel")
        try:
            runtime = CoreMLRuntime.from_file(self._file(".mlmodel", data))
            runtime.predict(np.zeros((1, 8, 8)))
            if runtime.has_probabilities:
                runtime.predict_proba(np.full((1, 8, 8), 8.0))
        except DigitsSVMError:
            pass

    def pickled(self, which_data: tuple[str, bytes]) -> None:
        self._count("pickles and sidecars")
        which, data = which_data
        path = self.folder / "fuzzed.pkl"
        path.write_bytes(data if which == "pickle" else self.pickle_bytes)
        sidecar_path(path).write_bytes(data if which == "sidecar" else self.sidecar_bytes)
        try:
            load_model(path)
        except DigitsSVMError:
            pass

    def with_schema(self, schema: bytes) -> bytes:
        """The fuzz model's skops file with ``schema.json`` replaced: a valid zip, whatever the schema says."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            for name, data in self.skops_members.items():
                archive.writestr(name, schema if name == "schema.json" else data)
        return buf.getvalue()

    def swapped_schemas(self) -> st.SearchStrategy[bytes]:
        """The fuzz model's skops file with some of the SVC's attributes swapped for other nodes or JSON values.

        Each file names only trusted types, so what is fuzzed is what load_model checks of the values.
        """
        schema = json.loads(self.skops_members["schema.json"])
        keys = sorted(schema["content"]["content"])
        nodes = [schema["content"]["content"][k] for k in keys]
        json_nodes = json_values.map(lambda v: {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode",
                                                "content": json.dumps(v), "is_json": True, "__id__": 1})

        @st.composite
        def build(draw: Any) -> bytes:
            out = copy.deepcopy(schema)
            for _ in range(draw(st.integers(1, 3))):
                out["content"]["content"][draw(st.sampled_from(keys))] = draw(st.sampled_from(nodes) | json_nodes)
            return self.with_schema(json.dumps(out).encode())

        return build()

    def zip_bombs(self) -> st.SearchStrategy[bytes]:
        """The fuzz model's skops file with its schema padded by whitespace (which compresses to almost nothing),
        or with a flood of extra entries: sizes checked before anything is read."""

        @st.composite
        def build(draw: Any) -> bytes:
            padding = draw(st.sampled_from([0, 1_000_000, MAX_SKOPS_SCHEMA_BYTES + 1]))
            entries = draw(st.sampled_from([0, 10, MAX_SKOPS_ENTRIES + 1]))
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in self.skops_members.items():
                    archive.writestr(name, data + b" " * padding if name == "schema.json" else data)
                for i in range(entries):
                    archive.writestr(f"extra{i}.npy", b"")
            return buf.getvalue()

        return build()

    def declared_models(self) -> st.SearchStrategy[bytes]:
        """The fuzz model's spec with its support vectors replaced by many empty sparse ones, counted or miscounted."""

        @st.composite
        def build(draw: Any) -> bytes:
            spec = load_spec(self.mlmodel)
            svc = spec.supportVectorClassifier
            n = draw(st.sampled_from([0, 1, 50, 5_000, 200_000]))
            svc.ClearField("denseSupportVectors")
            vectors = svc.sparseSupportVectors.vectors
            for _ in range(n):
                vectors.add()
            k = len(svc.numberOfSupportVectorsPerClass)
            declared = n + draw(st.sampled_from([0, 0, 1, -1, 10**6]))
            del svc.numberOfSupportVectorsPerClass[:]
            svc.numberOfSupportVectorsPerClass.extend([declared // k] * (k - 1) + [declared - (k - 1) * (declared // k)])
            return spec_bytes(spec)

        return build()

    def skops_file(self, data: bytes) -> None:
        self._count("skops files")
        path = self.folder / "fuzzed.skops"
        path.write_bytes(data)
        # the sidecar matches the bytes, as a forger's would: what is fuzzed is the skops reader
        sidecar_path(path).write_text(json.dumps({**self.skops_sidecar, "sha256": sha256_bytes(data)}))
        try:
            model = load_model(path)
        except DigitsSVMError:
            return
        model.predict(np.zeros((1, 64)))  # what loaded must answer
        if digits_svm.model.has_probabilities(model):
            model.predict_proba(np.full((1, 64), 8.0))

    def http(self, body: bytes) -> None:
        self._count("HTTP bodies")
        for answer in (self.playground.predict, self.playground.save_sample):
            try:
                answer(decode_json(body))
            except HTTPError as exc:
                assert 400 <= exc.status < 500, exc.status

    def strategies(self) -> dict[str, tuple[Callable[[Any], None], st.SearchStrategy[Any]]]:
        seven = json.dumps(SEVEN).encode()
        bodies = st.one_of(st.binary(max_size=120), mutated(json.dumps({**SEVEN, "label": 7}).encode()),
                           json_values.map(lambda v: json.dumps(v).encode()))
        return {
            "strokes JSON": (self.strokes, st.one_of(st.binary(max_size=120), mutated(seven),
                                                     json_values.map(lambda v: json.dumps(v).encode()))),
            "images": (self.image, image_files),
            "grids": (self.grid, st.one_of(grid_files(), declared_npy())),
            ".mlmodel": (self.model, st.one_of(mutated(self.mlmodel_bytes), st.binary(max_size=200), self.declared_models())),
            "pickles and sidecars": (self.pickled, st.tuples(st.just("pickle"), mutated(self.pickle_bytes))
                                     | st.tuples(st.just("sidecar"), mutated(self.sidecar_bytes))),
            "skops files": (self.skops_file, st.one_of(
                mutated(self.skops_bytes), st.binary(max_size=200),
                mutated(self.skops_members["schema.json"]).map(self.with_schema),
                json_values.map(lambda v: self.with_schema(json.dumps(v).encode())), self.swapped_schemas(),
                self.zip_bombs())),
            "HTTP bodies": (self.http, bodies),
            "costly JSON": (self.costly, costly_json),  # last: it goes through the doors above too
        }


def run_door(door: Callable[[Any], None], strategy: st.SearchStrategy[Any], examples: int, random_seed: int) -> str | None:
    """Feed ``examples`` inputs to ``door``; None if every answer was allowed, else the failure."""

    @seed(random_seed)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(value: Any) -> None:
        door(value)

    try:
        check()
    except Exception as exc:  # noqa: BLE001 -- every undocumented exception is what we look for
        return f"{type(exc).__name__}: {exc}"[:500]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100_000, help="inputs in total, spread over the doors")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        doors = Doors(Path(tmp))
        strategies = doors.strategies()
        per_door = max(1, args.examples // len(strategies))
        failures = 0
        print(f"{'door':<22} {'tried':>8} {'failures':>9} {'seconds':>8}")
        for name, (door, strategy) in strategies.items():
            started = time.perf_counter()
            failure = run_door(door, strategy, per_door, args.seed)
            failures += failure is not None
            print(f"{name:<22} {doors.tried.get(name, 0):>8,} {int(failure is not None):>9} "
                  f"{time.perf_counter() - started:>8.1f}")
            if failure:
                print(f"  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
