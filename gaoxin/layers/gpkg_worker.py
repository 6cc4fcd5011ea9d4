"""Write Arrow streams into one GeoPackage: the worker process of
:func:`gaoxin.layers.write.geopackage_started`.

GDAL's GeoPackage writer (pyogrio ``write_arrow``) holds the GIL for all of its work (~6 s
for 1M parcels), so no thread of the run can draw the map meanwhile. A workflow with large
layers hands them to this process instead, as Arrow IPC streams in a scratch folder, and
goes on with its map and workbook.

It runs as a script (``python gpkg_worker.py SPEC.json``) and imports only pyarrow and
pyogrio, never the gaoxin package: it starts in ~0.3 s and finds the same libraries as its
parent whatever the parent's import path was. SPEC names the target and, per layer, its
stream, name, geometry column, geometry type and CRS. A failure prints one line to stderr
and exits 1; the parent turns it into the usual error for the output file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TypedDict


class LayerSpec(TypedDict):
    """One layer's stream and how GDAL is to write it."""

    stream: str
    name: str
    geometry_name: str
    geometry_type: str
    crs: str


class Spec(TypedDict):
    """What the worker writes: every layer, in order, into ``target``; then the file's
    SHA-256 into ``digest`` (the run manifest takes it instead of reading the file again)."""

    target: str
    layers: list[LayerSpec]
    digest: str


def write_layers(spec: Spec) -> None:
    """Write each layer's stream into ``spec["target"]`` (the first creates the file).

    The streams are read batch by batch, so the worker holds one batch at a time.

    Examples
    --------
    >>> import tempfile
    >>> import pyarrow as pa
    >>> import pyogrio
    >>> import shapely
    >>> d = Path(tempfile.mkdtemp())
    >>> table = pa.table({"n": [1], "geometry": [shapely.to_wkb(shapely.box(0, 0, 1, 1))]})
    >>> with pa.OSFile(str(d / "a.arrows"), "wb") as sink:
    ...     with pa.ipc.new_stream(sink, table.schema) as stream:
    ...         stream.write_table(table)
    >>> write_layers({"target": str(d / "out.gpkg"), "digest": str(d / "sha256"), "layers": [
    ...     {"stream": str(d / "a.arrows"), "name": "a", "geometry_name": "geometry",
    ...      "geometry_type": "Polygon", "crs": "EPSG:4544"}]})
    >>> pyogrio.read_info(d / "out.gpkg", layer="a")["features"]
    1
    """
    import pyarrow as pa
    from pyogrio.raw import write_arrow

    for i, layer in enumerate(spec["layers"]):
        # A plain file object: the stream may be a named pipe, which pa.OSFile (it seeks)
        # cannot open.
        with open(layer["stream"], "rb") as source:
            reader = pa.ipc.open_stream(source)
            write_arrow(reader, spec["target"], layer=layer["name"], driver="GPKG",
                        geometry_name=layer["geometry_name"],
                        geometry_type=layer["geometry_type"], crs=layer["crs"],
                        append=i > 0)


def main(argv: list[str]) -> int:
    """Read the spec named by ``argv[1]`` and write it; 0 when written, 1 (stderr says why)."""
    try:
        spec: Spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        write_layers(spec)
        with open(spec["target"], "rb") as written:   # still in the page cache
            Path(spec["digest"]).write_text(hashlib.file_digest(written, "sha256").hexdigest(),
                                            encoding="ascii")
    except Exception as exc:  # the parent reports it against the output file
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(message[:300], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a process by geopackage_started
    raise SystemExit(main(sys.argv))
