"""Generators of hostile and broken inputs for the corpus in ``tests/test_hostile_corpus.py``.

:mod:`.make` writes files (GeoPackages, 界址点 TXT, zipped Shapefiles, workspaces) and computes
the independent reference area; :mod:`.harness` runs one case through ``gaoxin.cli.main`` and
checks the contract (exit code, one message, no traceback, inputs unchanged, area).
"""
