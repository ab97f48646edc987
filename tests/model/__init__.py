"""Tests of digits_svm.model."""
