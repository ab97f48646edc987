"""Tests of digits_svm.datasets."""
