"""Tests of digits_svm.coreml."""
