"""Geometry, CRS and units: pure functions, no file I/O, nothing else of gaoxin imported."""
