"""Tests of :mod:`gaoxin.report`, one module per module of the package."""
