"""The test suite, laid out as packages that mirror ``gaoxin``.

``tests/<floor>/test_<module>.py`` tests ``gaoxin/<floor>/<module>.py`` (``tests/test_layout.py``
enforces it). Every folder is a package so that test modules of the same name on different
floors (``analysis/test_expansion.py``, ``workflows/test_expansion.py``) get distinct module
names under pytest's default import mode, and shared helpers are plain imports
(``from tests.helpers import …``) with no ``sys.path`` tricks.

Cross-cutting suites stay at the top: the hostile-input corpus (``test_hostile_corpus.py`` and
its generators in ``hostile/``), hostile text in every page (``test_hostile_pages.py``), the
browser tests (``test_maps_browser.py``), non-numbers through every command
(``test_values.py``), the import floors (``test_imports.py``) and the layout check itself.
"""
