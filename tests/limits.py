"""Drawings at and past the limits on a drawing's work, for the tests of each door a drawing enters.

The limits are `digits_svm.drawing._strokes`'s (points, painting work, JSON depth); the doors are
tested in tests/drawing/test_strokes.py (the library), tests/test_cli.py (``predict`` and ``show``),
tests/datasets/test_training_data.py (``train --extra``) and tests/playground/test_app.py.
"""

#: A plain 1, within every limit.
ONE = {"strokes": [[[20, 0], [20, 80]]]}
#: Eight points, a few hundred bytes: every segment a 200-point-wide line over a 4000 x 4000 crop.
COSTLY = {"strokes": [[[0, 0], [390, 390]] * 4], "scale": 10, "line_width": 200}
#: One such segment: exactly the budget (16,000,000 pixels), so accepted.
AT_THE_BUDGET = {"strokes": [[[0, 0], [390, 390]]], "scale": 10, "line_width": 200}
#: JSON nested 200,000 deep in 400 kB.
DEEP = "[" * 200_000 + "]" * 200_000
