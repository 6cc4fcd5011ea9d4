"""Tests of :mod:`gaoxin.geo`, one module per module of the package."""
