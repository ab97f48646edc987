"""Tests of digits_svm.io."""
