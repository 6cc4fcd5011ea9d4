"""Tests of :mod:`gaoxin.workflows`, one module per module of the package."""
