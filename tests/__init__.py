"""The tests of digits_svm, laid out as its subpackages are (tests/drawing/ for digits_svm.drawing, ...)."""
