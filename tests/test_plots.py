import numpy as np
from PIL import Image

from digits_svm.plots import plot_confusion, plot_drawing, plot_misclassified


def assert_real_picture(path, min_size):
    with Image.open(path) as img:
        assert img.format == "PNG"
        assert img.width >= min_size[0] and img.height >= min_size[1]
        gray = np.asarray(img.convert("L"), dtype=float)
    # Not blank: a real figure has both paper and ink, and many distinct levels.
    assert gray.std() > 10
    assert len(np.unique(gray)) > 20


def test_train_writes_plots_that_are_not_blank(artifacts_dir):
    assert_real_picture(artifacts_dir / "confusion_matrix.png", (400, 400))
    assert_real_picture(artifacts_dir / "misclassified.png", (800, 200))


def test_misclassified_plot_shows_each_error(tmp_path, result):
    path = plot_misclassified(result.X_test, result.y_test, result.y_pred, tmp_path / "m.png", max_digits=10)
    with Image.open(path) as img:
        one_row = img.height
    path = plot_misclassified(result.X_test, result.y_test, result.y_pred, tmp_path / "m.png")
    with Image.open(path) as img:
        assert img.height > 2 * one_row * 0.8  # 28 errors -> three rows of ten


def test_plots_are_byte_stable(tmp_path, result):
    a = plot_confusion(result.confusion, tmp_path / "a.png").read_bytes()
    b = plot_confusion(result.confusion, tmp_path / "b.png").read_bytes()
    assert a == b


def test_drawing_plot(tmp_path):
    crop = np.zeros((40, 30, 4), dtype=np.uint8)
    crop[5:35, 12:18, 3] = 255
    grid = np.zeros((8, 8))
    grid[1:7, 3:5] = 16
    path = plot_drawing(crop, {"seed": grid, "normalized": grid}, tmp_path / "d.png", prediction="1")
    assert_real_picture(path, (600, 250))


def test_confusion_of_a_model_with_the_not_a_digit_class_has_its_column(app_result, tmp_path):
    confusion = app_result.confusion
    assert confusion.shape == (10, 11)
    assert confusion.sum() == app_result.n_test and np.trace(confusion) == app_result.n_correct
    assert confusion[:, 10].sum() == (app_result.y_pred == -1).sum() > 0
    path = plot_confusion(confusion, tmp_path / "c.png")
    assert Image.open(path).width > 300
