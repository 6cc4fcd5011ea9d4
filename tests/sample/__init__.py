"""Tests of :mod:`gaoxin.sample`, one module per module of the package."""
