"""Record what the default and the ``best`` preset's ``.mlmodel`` answer (run deliberately, then review the diff).

    python tests/recorded/make_model_answers.py

Writes ``model_answers.json``: for each preset, the ``.mlmodel``'s label (through
`digits_svm.coreml._runtime.CoreMLRuntime`) for each of the 11,797 parity grids (the 1,797
``load_digits`` digits, whose last 899 are the held-out half, then 10,000 random grids),
its held-out count, and for ``best`` the probabilities of the first 200 digits.
``tests/model/test_training.py`` checks that today's scikit-learn and NumPy give the same, so
CI, which runs it at both ends of the supported versions (README, "Supported versions"),
shows that both ends ship the same model. Recorded with scikit-learn 1.5.1, NumPy 2.2.6.
"""

import json
from pathlib import Path

import digits_svm
from digits_svm.coreml._convert import convert
from digits_svm.coreml._parity import parity_grids
from digits_svm.coreml._runtime import CoreMLRuntime

HERE = Path(__file__).resolve().parent
PRESETS = ("example", "best")
N_PROBA = 200


def answers(result) -> dict:
    """The recorded figures of one training run."""
    grids = parity_grids(10_000, 0)[0].reshape(-1, 8, 8)
    runtime = CoreMLRuntime.from_spec(convert(result.model).get_spec())
    out = {"n_correct": result.n_correct, "labels": "".join(str(v) for v in runtime.predict(grids))}
    if runtime.has_probabilities:
        out["proba"] = runtime.predict_proba(grids[:N_PROBA]).tolist()
    return out


def main() -> None:
    record = {preset: answers(digits_svm.train(preset=preset)) for preset in PRESETS}
    (HERE / "model_answers.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
