"""Realistic parcels and buildings for benchmarks: concave tiling parcels, L/U/T/courtyard
buildings rotated off the grid, a few invalid parcels. Deterministic by seed, vectorised.

Usage (also imported by ``bench_plot_ratio.py --shapes realistic`` and
``bench_standard_land.py``)::

    .venv/bin/python benchmarks/realistic.py --parcels 100000      # → benchmarks/data/

Parcels
    Blocks of a jittered grid (widths/heights log-uniform 30–300 m, nodes moved by up to
    ±20 % of the smaller neighbouring spacing). Every grid edge gets 2–4 intermediate
    vertices pushed sideways by up to ±6 % of the smaller spacing — the same vertices for
    both parcels that share the edge — so parcels have 12–20 vertices, concave edges, and
    still tile the plane with no gap or overlap. A fraction ``invalid`` (default 0.05 %) is
    broken as real cadastral data arrives: half bow-ties (two vertices swapped across), half
    self-touching spikes (the ring goes out to a point and back).

Buildings
    1–5 per parcel (mean 3), each in its own slot of the parcel's inner box: rectangles,
    L, T and U shapes and courtyards (a square ring with a hole), rotated by up to ±25°
    (a tenth of them by any angle), shrunk until their rotated box fits the slot. 5 % are
    pushed across the parcel's top edge into the neighbour. ``floors`` is 1 + ⌊20·U²⌋,
    ``height`` floors × 3.5 m (30 % of one-storey buildings are 10 m workshops).

Everything is in EPSG:4544 (CGCS2000 3° Gauss-Krüger, CM 105°E) near Chengdu.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

HERE = Path(__file__).resolve().parent
ORIGIN = (440_000.0, 3_330_000.0)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Geoms = npt.NDArray[np.object_]

# Building templates in the unit square [-0.5, 0.5]², counter-clockwise, not closed.
_TEMPLATES: dict[str, list[tuple[float, float]]] = {
    "rect": [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)],
    "L": [(-0.5, -0.5), (0.5, -0.5), (0.5, -0.1), (-0.1, -0.1), (-0.1, 0.5), (-0.5, 0.5)],
    "T": [(-0.15, -0.5), (0.15, -0.5), (0.15, 0.1), (0.5, 0.1), (0.5, 0.5), (-0.5, 0.5),
          (-0.5, 0.1), (-0.15, 0.1)],
    "U": [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (0.2, 0.5), (0.2, -0.2), (-0.2, -0.2),
          (-0.2, 0.5), (-0.5, 0.5)],
    "court": [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)],
}
_COURT_HOLE = [(-0.25, -0.25), (-0.25, 0.25), (0.25, 0.25), (0.25, -0.25)]  # clockwise
_SHARES = {"rect": 0.35, "L": 0.2, "T": 0.15, "U": 0.15, "court": 0.15}


@dataclass
class Layers:
    """Generated parcels and buildings: geometries and attribute columns."""

    parcels: Geoms
    zone_id: npt.NDArray[np.str_]
    land_use: npt.NDArray[np.str_]
    buildings: Geoms
    floors: Floats
    height: Floats
    invalid: Ints            # positions of the parcels made invalid on purpose


def _polygons_from_padded(x: Floats, y: Floats, keep: npt.NDArray[np.bool_]) -> Geoms:
    """One polygon per row of padded vertex arrays (``keep`` marks real vertices)."""
    n = len(x)
    counts = keep.sum(axis=1)
    closed_x = np.concatenate([x, x[:, :1]], axis=1)
    closed_y = np.concatenate([y, y[:, :1]], axis=1)
    mask = np.concatenate([keep, np.ones((n, 1), dtype=bool)], axis=1)
    coords = np.column_stack([closed_x[mask], closed_y[mask]])
    rings = shapely.linearrings(coords, indices=np.repeat(np.arange(n), counts + 1))
    return np.asarray(shapely.polygons(rings), dtype=object)


def parcel_grid(n: int, rng: np.random.Generator) -> tuple[Geoms, Floats, Floats, Ints, Ints]:
    """Tiling concave parcels; also each parcel's inner box (x0, y0, x1, y1), top edge y
    and grid cell (i, j)."""
    nx = round(float(np.sqrt(n * 1.25)))
    ny = int(np.ceil(n / nx))
    w = np.exp(rng.uniform(np.log(30), np.log(300), nx))
    h = np.exp(rng.uniform(np.log(30), np.log(300), ny))
    xs = ORIGIN[0] + np.r_[0, np.cumsum(w)]
    ys = ORIGIN[1] + np.r_[0, np.cumsum(h)]
    gx, gy = np.meshgrid(xs, ys, indexing="ij")          # (nx+1, ny+1)
    sx = np.minimum(np.r_[w[0], w], np.r_[w, w[-1]])[:, None] * np.ones((1, ny + 1))
    sy = np.ones((nx + 1, 1)) * np.minimum(np.r_[h[0], h], np.r_[h, h[-1]])[None, :]
    small = np.minimum(sx, sy)
    jx = gx + rng.uniform(-0.2, 0.2, gx.shape) * small
    jy = gy + rng.uniform(-0.2, 0.2, gy.shape) * small

    def edge_points(x0: Floats, y0: Floats, x1: Floats, y1: Floats, amp: Floats
                    ) -> tuple[Floats, Floats, npt.NDArray[np.bool_]]:
        """2–4 intermediate vertices per edge, pushed sideways: (m, 4) x, y, mask."""
        m = x0.shape
        count = rng.integers(2, 5, m)
        t = np.sort(rng.uniform(0.1, 0.9, (*m, 4)), axis=-1)
        keep = np.arange(4) < count[..., None]
        # Unused slots sort last so the kept ones stay in order along the edge.
        t = np.where(keep, t, 2.0)
        t = np.sort(t, axis=-1)
        off = rng.uniform(-1.0, 1.0, (*m, 4)) * amp[..., None]
        dx, dy = x1 - x0, y1 - y0
        length = np.hypot(dx, dy)
        nxv, nyv = -dy / length, dx / length
        px = x0[..., None] + t * dx[..., None] + off * nxv[..., None]
        py = y0[..., None] + t * dy[..., None] + off * nyv[..., None]
        return px, py, keep

    # Horizontal edges (i, j) → (i+1, j) and vertical edges (i, j) → (i, j+1).
    amp_h = 0.06 * np.minimum(small[:-1, :], small[1:, :])
    hx, hy, hk = edge_points(jx[:-1, :], jy[:-1, :], jx[1:, :], jy[1:, :], amp_h)
    amp_v = 0.06 * np.minimum(small[:, :-1], small[:, 1:])
    vx, vy, vk = edge_points(jx[:, :-1], jy[:, :-1], jx[:, 1:], jy[:, 1:], amp_v)
    ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    i, j = ii.ravel()[:n], jj.ravel()[:n]
    # Ring, counter-clockwise: corner (i,j), bottom edge, corner (i+1,j), right edge up,
    # corner (i+1,j+1), top edge backwards, corner (i,j+1), left edge backwards.
    parts_x = [jx[i, j][:, None], hx[i, j], jx[i + 1, j][:, None], vx[i + 1, j],
               jx[i + 1, j + 1][:, None], hx[i, j + 1][:, ::-1], jx[i, j + 1][:, None],
               vx[i, j][:, ::-1]]
    parts_y = [jy[i, j][:, None], hy[i, j], jy[i + 1, j][:, None], vy[i + 1, j],
               jy[i + 1, j + 1][:, None], hy[i, j + 1][:, ::-1], jy[i, j + 1][:, None],
               vy[i, j][:, ::-1]]
    ones = np.ones((n, 1), dtype=bool)
    parts_k = [ones, hk[i, j], ones, vk[i + 1, j], ones, hk[i, j + 1][:, ::-1], ones,
               vk[i, j][:, ::-1]]
    x, y, keep = (np.concatenate(parts_x, axis=1), np.concatenate(parts_y, axis=1),
                  np.concatenate(parts_k, axis=1))
    parcels = _polygons_from_padded(x, y, keep)
    # Inner box, clear of the corners' jitter and the edges' sideways push.
    margin = 0.07 * np.minimum(small[i, j], small[i + 1, j + 1])
    x0 = np.maximum(jx[i, j], jx[i, j + 1]) + margin
    x1 = np.minimum(jx[i + 1, j], jx[i + 1, j + 1]) - margin
    y0 = np.maximum(jy[i, j], jy[i + 1, j]) + margin
    y1 = np.minimum(jy[i, j + 1], jy[i + 1, j + 1]) - margin
    top = np.maximum(jy[i, j + 1], jy[i + 1, j + 1]) + margin
    inner = np.column_stack([x0, y0, x1, y1])
    return parcels, inner, top, i.astype(np.int64), j.astype(np.int64)


def _break(parcels: Geoms, share: float, rng: np.random.Generator) -> Ints:
    """Make ``share`` of the parcels invalid: bow-ties and self-touching spikes."""
    count = max(1, round(len(parcels) * share)) if share > 0 else 0
    chosen = np.sort(rng.choice(len(parcels), count, replace=False)) if count else np.zeros(
        0, dtype=np.int64)
    for k, pos in enumerate(chosen):
        ring = shapely.get_coordinates(parcels[pos])[:-1]
        if k % 2 == 0:      # bow-tie: a vertex swapped with one across the ring
            far = len(ring) // 2
            ring[[1, far]] = ring[[far, 1]]
        else:               # spike: out to a point beyond the first edge and back
            mid = (ring[0] + ring[1]) / 2
            tip = mid + (mid - ring.mean(axis=0)) * 0.3
            ring = np.vstack([ring[:1], mid, tip, mid, ring[1:]])
        parcels[pos] = shapely.Polygon(ring)
    return chosen.astype(np.int64)


def buildings_on(inner: Floats, top: Floats, rng: np.random.Generator
                 ) -> tuple[Geoms, Ints]:
    """1–5 L/U/T/courtyard/rectangle buildings per parcel, rotated; and each one's parcel."""
    n = len(inner)
    k = rng.integers(1, 6, n)
    owner = np.repeat(np.arange(n), k)
    slot = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
    m = len(owner)
    kk = k[owner]
    x0, y0, x1, y1 = (inner[owner, c] for c in range(4))
    sw = np.maximum(x1 - x0, 1.0) / kk
    sh = np.maximum(y1 - y0, 1.0)
    cx = x0 + (slot + 0.5) * sw
    cy = (y0 + y1) / 2 + sh * rng.uniform(-0.1, 0.1, m)
    bw = sw * rng.uniform(0.6, 0.85, m)
    bh = sh * rng.uniform(0.35, 0.7, m)
    angle = np.where(rng.random(m) < 0.1, rng.uniform(0, np.pi, m),
                     rng.uniform(-0.44, 0.44, m))
    c, s = np.abs(np.cos(angle)), np.abs(np.sin(angle))
    # Shrink until the rotated box fits the slot (sw × sh, with a tenth to spare).
    fit = np.minimum(1.0, np.minimum(0.9 * sw / (bw * c + bh * s), 0.9 * sh / (bw * s + bh * c)))
    bw, bh = bw * fit, bh * fit
    straddle = rng.random(m) < 0.05
    cy = np.where(straddle, top[owner] + bh * rng.uniform(-0.3, 0.1, m), cy)
    kinds = list(_TEMPLATES)
    kind = rng.choice(len(kinds), m, p=[_SHARES[t] for t in kinds])
    out = np.empty(m, dtype=object)
    cos, sin = np.cos(angle), np.sin(angle)

    def place(unit: list[tuple[float, float]], sel: Ints) -> tuple[Floats, Floats]:
        ux, uy = (np.array([p[0] for p in unit]), np.array([p[1] for p in unit]))
        px, py = ux[None, :] * bw[sel, None], uy[None, :] * bh[sel, None]
        return (cx[sel, None] + px * cos[sel, None] - py * sin[sel, None],
                cy[sel, None] + px * sin[sel, None] + py * cos[sel, None])

    for t, name in enumerate(kinds):
        sel = np.flatnonzero(kind == t)
        if not len(sel):
            continue
        x, y = place(_TEMPLATES[name], sel)
        shells = _rings(x, y)
        if name == "court":
            hx, hy = place(_COURT_HOLE, sel)
            out[sel] = shapely.polygons(shells, holes=_rings(hx, hy)[:, None])
        else:
            out[sel] = shapely.polygons(shells)
    return out, owner.astype(np.int64)


def _rings(x: Floats, y: Floats) -> Geoms:
    n, k = x.shape
    coords = np.column_stack([np.concatenate([x, x[:, :1]], axis=1).ravel(),
                              np.concatenate([y, y[:, :1]], axis=1).ravel()])
    return np.asarray(shapely.linearrings(coords, indices=np.repeat(np.arange(n), k + 1)),
                      dtype=object)


def generate(n: int, seed: int = 42, invalid: float = 0.0005) -> Layers:
    """``n`` realistic parcels (a tiling coverage) and ~3 buildings each."""
    rng = np.random.default_rng(seed)
    parcels, inner, top, i, j = parcel_grid(n, rng)
    buildings, _owner = buildings_on(inner, top, rng)
    broken = _break(parcels, invalid, rng)
    m = len(buildings)
    floors = 1 + np.floor(20 * rng.random(m) ** 2)
    storey = np.where((floors == 1) & (rng.random(m) < 0.3), 10.0, 3.5)
    height = np.round(floors * storey + 0.5, 1)
    zone = np.char.add(np.char.add("Z", np.char.zfill((i // 125).astype(str), 2)),
                       np.char.zfill((j // 125).astype(str), 2))
    land_use = np.where(rng.random(n) < 0.6, "M1", "R2")
    return Layers(parcels, zone, land_use, buildings, floors, height, broken)


def write_gpkg(layers: Layers, path: Path) -> None:
    """Both layers into one GeoPackage (Arrow writes, R-tree indexes)."""
    import geopandas as gpd

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    n, m = len(layers.parcels), len(layers.buildings)
    p = gpd.GeoDataFrame({"parcel_id": np.char.add("P", np.char.zfill(np.arange(n).astype(str),
                                                                      7)),
                          "zone_id": layers.zone_id, "land_use": layers.land_use},
                         geometry=layers.parcels, crs=4544)
    b = gpd.GeoDataFrame({"building_id": np.char.add("B", np.char.zfill(
                              np.arange(m).astype(str), 8)),
                          "floors": layers.floors, "height": layers.height},
                         geometry=layers.buildings, crs=4544)
    p.to_file(path, layer="parcels", engine="pyogrio", use_arrow=True)
    b.to_file(path, layer="buildings", engine="pyogrio", use_arrow=True, append=True)


def cached(n: int, seed: int = 42) -> Path:
    """The GeoPackage of ``n`` realistic parcels under ``benchmarks/data/``, made once."""
    path = HERE / "data" / f"realistic_{n}.gpkg"
    if not path.exists():
        t = time.perf_counter()
        layers = generate(n, seed)
        t1 = time.perf_counter()
        write_gpkg(layers, path)
        print(f"generated {path.name}: {n:,} parcels, {len(layers.buildings):,} buildings "
              f"in {t1 - t:.1f} s, written in {time.perf_counter() - t1:.1f} s", flush=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    cached(args.parcels, args.seed)


if __name__ == "__main__":
    main()
