"""Tests of :mod:`gaoxin.maps`, one module per module of the package."""
