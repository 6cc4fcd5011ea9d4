"""Geometry, CRS and units: pure functions, no file I/O; of gaoxin only the errors."""
