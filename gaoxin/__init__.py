"""gaoxin: land analysis for China's high-tech industrial development zones (高新区).

The Python API (see :mod:`gaoxin.api`)::

    import gaoxin
    ws = gaoxin.load_workspace("gaoxin.toml")
    layers = gaoxin.load_layers(ws)
    result = gaoxin.plot_ratio(layers.frames["parcels"], layers.frames["buildings"])

Names load on first use, so ``import gaoxin`` (and the ``gaoxin`` command) stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .api import (
        InputError,
        MapLayer,
        RuleSet,
        Workspace,
        area_table,
        check_expansion,
        evaluate_intensity,
        load_layers,
        load_ruleset,
        load_workspace,
        low_efficiency,
        per_mu,
        plot_ratio,
        read_layer,
        write_map,
    )

__all__ = [
    "InputError", "MapLayer", "RuleSet", "Workspace", "__version__", "area_table",
    "check_expansion", "evaluate_intensity", "load_layers", "load_ruleset", "load_workspace",
    "low_efficiency", "per_mu", "plot_ratio", "read_layer", "write_map",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'gaoxin' has no attribute {name!r}")
