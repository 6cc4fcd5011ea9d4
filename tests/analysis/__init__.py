"""Tests of :mod:`gaoxin.analysis`, one module per module of the package."""
