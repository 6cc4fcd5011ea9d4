"""Tests of :mod:`gaoxin.layers`, one module per module of the package."""
