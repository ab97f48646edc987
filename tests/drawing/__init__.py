"""Tests of digits_svm.drawing."""
