"""Tests of digits_svm.playground."""
