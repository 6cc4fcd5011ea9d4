"""The deterministic sample workspace (gaoxin.sample)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from gaoxin import sample
from gaoxin.kinds import LAND_STATUS_CODES
from gaoxin.layers.schema import normalise_fields

KM2 = 1e6
LAYERS = ("redlines", "farmland", "dev_boundary", "roads")


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample.write_sample_workspace(tmp_path_factory.mktemp("sample") / "ws")


def _read_all(root: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    out: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {
        "zones": gpd.read_file(root / "zones.gpkg", layer="zones"),
        "parks": gpd.read_file(root / "parks" / "parks.shp", encoding="GBK"),
        "parcels": gpd.read_file(root / "parcels.gpkg"),
        "buildings": gpd.read_file(root / "buildings.gpkg"),
        "enterprises": pd.read_excel(root / "enterprises.xlsx", dtype=str),
        "request_clean": gpd.read_file(root / "requests" / "request_clean.geojson"),
    }
    for layer in LAYERS:
        out[layer] = gpd.read_file(root / "constraints.gpkg", layer=layer)
    return out


@pytest.fixture(scope="session")
def layers(workspace: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    return _read_all(workspace.parent)


@pytest.fixture(scope="session")
def parcels(layers: dict) -> gpd.GeoDataFrame:
    return normalise_fields(layers["parcels"], "parcels")


def test_zones(layers: dict) -> None:
    zones = layers["zones"]
    assert zones.crs.to_epsg() == 4544
    assert list(zones.level) == ["national", "provincial", "provincial"]
    national = zones.geometry.iloc[0]
    assert len(shapely.get_parts(national)) == 3
    assert 20 * KM2 <= national.area <= 40 * KM2
    assert all(3 * KM2 <= a <= 8 * KM2 for a in zones.area.iloc[1:])
    ratio = zones.approved_area_ha / (zones.area / 1e4)
    assert ((ratio - 1).abs() < 0.05).all() and (ratio != 1).all()
    assert zones.name.str.contains("高新").all()


def test_parks(layers: dict) -> None:
    parks, zones = layers["parks"], layers["zones"]
    assert 10 <= len(parks) <= 14
    assert parks["园区编号"].is_unique
    assert ((parks.area >= 0.3 * KM2) & (parks.area <= 6 * KM2)).all()
    assert parks.distance(zones.union_all()).min() >= 500
    to_national = parks.distance(zones.geometry.iloc[0])
    assert to_national.min() < 3_000 and to_national.max() > 20_000
    assert parks["托管高新区"].notna().sum() in (1, 2, 3)


def test_parcels_tile_zones_and_parks_without_overlap(layers: dict, parcels) -> None:
    assert 4_500 <= len(parcels) <= 5_500
    assert parcels.parcel_id.is_unique
    geoms = parcels.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    union = shapely.union_all(geoms)
    assert abs(shapely.area(geoms).sum() - union.area) <= 1e-6 * union.area
    owners = dict(zip(layers["zones"].zone_id, layers["zones"].geometry, strict=True))
    owners |= dict(zip(layers["parks"]["园区编号"], layers["parks"].geometry, strict=True))
    for owner, group in parcels.groupby("zone_id"):
        site = owners[owner].buffer(1e-6)
        assert group.within(site).all(), owner
        assert group.area.sum() > 0.995 * owners[owner].area, owner


def test_parcel_attributes(parcels) -> None:
    assert set(parcels.status) <= set(LAND_STATUS_CODES)
    share = parcels.status.value_counts(normalize=True)
    assert 0.03 <= share["G"] <= 0.05
    assert share["A2"] > 0.3
    assert {"B21", "B22", "E21", "D1", "D21", "A1", "A4", "A6"} <= set(share.index)
    industrial = parcels.land_use.isin(["M1", "M2", "M3", "W1"])
    assert parcels.loc[industrial, "planned_far_min"].notna().all()
    assert (parcels.planned_far_max > parcels.planned_far_min).loc[industrial].all()
    assert parcels.loc[~industrial, "planned_far_min"].isna().all()
    assert set(parcels.servicing) == {"三通一平", "五通一平", "七通一平", "未平整"}
    ready = (parcels.status == "E21") & parcels.regional_assessment.astype(bool) \
        & parcels.acquisition_done.astype(bool) & parcels.servicing.isin(["五通一平", "七通一平"])
    assert ready.sum() >= 10  # candidates for 标准地


def test_buildings(layers: dict, parcels) -> None:
    buildings = normalise_fields(layers["buildings"], "buildings")
    assert 13_000 <= len(buildings) <= 17_000
    b = buildings.geometry.to_numpy()
    p = parcels.geometry.to_numpy()
    bi, pi = shapely.STRtree(p).query(b, predicate="intersects")
    area = shapely.area(shapely.intersection(b[bi], p[pi]))
    hits = pd.DataFrame({"b": bi, "p": pi})[area > 1.0]
    per_building = hits.groupby("b").size().reindex(range(len(b)), fill_value=0)
    assert (per_building >= 1).all()
    assert 0.03 <= (per_building >= 2).mean() <= 0.05
    on = parcels.status.to_numpy()[hits.p]
    assert not np.isin(on, ["G", "B21", "B22", "E1", "E21", "E22", "D1", "D21"]).any()
    floors = buildings.floors
    assert floors.min() == 1 and floors.max() <= 25 and floors.median() <= 3
    assert 0.08 <= floors.isna().mean() <= 0.12
    assert (floors.isna() & buildings.height.notna()).sum() > 0
    assert 0 < (floors.isna() & buildings.height.isna()).sum() < 0.02 * len(buildings)
    tall = (floors == 1) & buildings.height.between(9, 14)
    assert tall.sum() > 100


def test_enterprises_xlsx(layers: dict, parcels) -> None:
    raw = layers["enterprises"]
    for header in ("统一社会信用代码", "企业名称", "地块编号", "行业代码", "营业收入", "税收"):
        assert header in raw.columns
    table = normalise_fields(raw, "enterprises")
    assert 1_100 <= len(table) <= 1_300
    assert table.enterprise_id.str.fullmatch(r"91\d{6}[0-9A-HJ-NPQRTUWXY]{10}").all()
    assert table.parcel_id.isin(parcels.parcel_id).all()
    assert table.enterprise_id.duplicated().any()  # firms on several parcels
    assert table.parcel_id.duplicated().any()  # parcels with several firms
    assert (table.industry_std == "GB/T 4754-2002").all()
    # Plausible against land: Sichuan 2020 亩均营收 427.4 / 亩均税收 14.3 万元 (domain §4.2).
    mu = parcels.set_index("parcel_id").area / (10000 / 15)
    land = mu.loc[table.parcel_id.unique()].sum()
    assert 250 < table.revenue.sum() / land < 700
    assert 8 < table.tax.sum() / land < 25


def test_enterprises_xlsx_carries_no_save_time(workspace: Path) -> None:
    # openpyxl stamps the save time into docProps/core.xml and every zip entry, which
    # would make the same seed give a different file every second.
    with zipfile.ZipFile(workspace.parent / "enterprises.xlsx") as book:
        assert {info.date_time for info in book.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = book.read("docProps/core.xml").decode("utf-8")
    assert ">2026-01-01T00:00:00Z</dcterms:modified>" in core
    assert ">2026-01-01T00:00:00Z</dcterms:created>" in core


def test_requests(layers: dict, workspace: Path) -> None:
    from gaoxin.layers.boundary_txt import read_boundary_txt

    clean = layers["request_clean"].to_crs(4544).geometry.iloc[0]
    assert 3 * KM2 <= clean.area <= 5 * KM2
    red = layers["redlines"].union_all()
    farm = layers["farmland"].union_all()
    dev = layers["dev_boundary"].union_all()
    assert not clean.intersects(red) and not clean.intersects(farm)
    assert clean.within(dev)
    assert clean.distance(layers["zones"].geometry.iloc[0]) < 1.0  # adjoins the zone
    conflict, _warnings = read_boundary_txt(workspace.parent / "requests" /
                                            "request_conflict.txt")
    geom = conflict.to_crs(4544).geometry.iloc[0]
    assert 4 * KM2 <= geom.area <= 6 * KM2
    assert geom.intersects(red)
    assert layers["farmland"].intersects(geom).sum() >= 3
    assert 0 < geom.difference(dev).area < geom.area
    raw = (workspace.parent / "requests" / "request_conflict.txt").read_bytes()
    assert "界址点".encode("gbk") in raw or "地块坐标".encode("gbk") in raw


def test_constraints_are_consistent(layers: dict) -> None:
    red, farm, dev = layers["redlines"], layers["farmland"], layers["dev_boundary"]
    assert 150 <= len(farm) <= 600
    zones_parks = shapely.union(layers["zones"].union_all(), layers["parks"].union_all())
    assert not farm.intersects(zones_parks).any()
    assert not red.intersects(zones_parks).any()
    assert dev.union_all().buffer(1e-6).contains(zones_parks)
    assert not farm.intersects(dev.union_all()).any()
    west = red.centroid.x < shapely.centroid(zones_parks).x - 20_000
    assert west.mean() > 0.5
    assert set(layers["roads"].road_class) == {"主干路", "次干路", "支路"}
    assert (layers["roads"].geom_type == "LineString").all()


def test_parks_shapefile_is_gbk_without_cpg(workspace: Path, layers: dict) -> None:
    shp = workspace.parent / "parks" / "parks.shp"
    assert not shp.with_suffix(".cpg").exists()
    dbf = shp.with_suffix(".dbf").read_bytes()
    assert "园区编号".encode("gbk") in dbf
    with pytest.raises(UnicodeDecodeError):
        dbf.decode("utf-8")
    names = layers["parks"]["名称"]
    assert names.str.contains("产业园|园").all()


def test_dem(workspace: Path, layers: dict) -> None:
    with rasterio.open(workspace.parent / "dem.tif") as src:
        assert src.crs.to_epsg() == 4544
        assert src.res == (30.0, 30.0)
        assert src.dtypes[0] == "float32" and src.nodata == -9999
        assert src.compression.name.lower() == "deflate"
        dem = src.read(1)
        rows, cols = rasterio.transform.rowcol(
            src.transform, *np.array(layers["zones"].centroid.apply(lambda p: p.coords[0])
                                     .tolist()).T)
    assert dem[:, :20].mean() > dem[:, -20:].mean() + 500
    assert 1_500 <= dem[:, :20].mean() <= 3_000
    assert all(430 <= dem[r, c] <= 620 for r, c in zip(rows, cols, strict=True))
    gy, gx = np.gradient(dem.astype(float), 30.0)
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))
    assert (slope > 25).any()


def test_toml(workspace: Path, layers: dict) -> None:
    data = tomllib.loads(workspace.read_text(encoding="utf-8"))
    assert data["workspace"]["name"] == "成都西南示例高新区"
    assert set(data["layers"]) >= {"zones", "parks", "parcels", "buildings", "enterprises",
                                   "redlines", "farmland", "dev_boundary", "roads", "dem"}
    for entry in [*data["layers"].values(), *data["requests"].values()]:
        assert (workspace.parent / entry["path"]).exists(), entry["path"]
    national = layers["zones"].zone_id.iloc[0]
    assert {r["zone"] for r in data["requests"].values()} == {national}


def test_same_seed_same_data_other_seed_differs(workspace: Path, layers: dict,
                                                tmp_path: Path) -> None:
    again = sample.write_sample_workspace(tmp_path / "again")
    other = _read_all(again.parent)
    for key, frame in layers.items():
        if isinstance(frame, gpd.GeoDataFrame):
            assert shapely.equals_exact(frame.geometry.to_numpy(),
                                        other[key].geometry.to_numpy(), 0.0).all(), key
            pd.testing.assert_frame_equal(pd.DataFrame(frame.drop(columns="geometry")),
                                          pd.DataFrame(other[key].drop(columns="geometry")))
        else:
            pd.testing.assert_frame_equal(frame, other[key])
    for name in ("dem.tif", "enterprises.xlsx"):
        assert (workspace.parent / name).read_bytes() == (again.parent / name).read_bytes(), name

    def txt(root: Path) -> list[str]:  # the 数据产生日期 line carries today's date
        text = (root / "requests" / "request_conflict.txt").read_text(encoding="gbk")
        return [line for line in text.splitlines() if not line.startswith("数据产生日期")]

    assert txt(workspace.parent) == txt(again.parent)

    def zones(seed: int) -> gpd.GeoDataFrame:  # the stream generate_sample gives zones
        child = np.random.SeedSequence(seed).spawn(10)[0]
        return sample.generate_zones(np.random.default_rng(child))

    assert zones(2026).geometry.geom_equals_exact(layers["zones"].geometry, 0.0).all()
    assert not zones(2027).geometry.geom_equals(layers["zones"].geometry).any()


PACKAGE = Path(sample.__file__).parent
ROOT = PACKAGE.parents[1]


def _imports(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import in a module of ``gaoxin.sample``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                out.append((node.module or "", node.lineno))
            else:  # relative: resolve against gaoxin.sample
                base = ["gaoxin", "sample"][: 3 - node.level]
                out.append((".".join([*base, *filter(None, [node.module])]), node.lineno))
    return out


def test_third_party_imports_are_declared_dependencies() -> None:
    declared = {
        re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower().replace("_", "-")
        for dep in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        ["project"]["dependencies"]
    }
    distributions = importlib.metadata.packages_distributions()
    undeclared = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for module, line in _imports(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in ("__future__", "gaoxin"):
                continue
            dists = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
            if not dists & declared:
                undeclared.add(f"{path.name}:{line} imports {module} ({', '.join(sorted(dists))})")
    assert not undeclared, sorted(undeclared)


def test_imports_only_lower_layers() -> None:
    # The generator sits beside the input layer: it may use geo, layers, errors and kinds,
    # never the workflows, maps, reports or front ends built on top of them.
    allowed = ("gaoxin.sample", "gaoxin.geo", "gaoxin.layers", "gaoxin.errors", "gaoxin.kinds")
    upward = [
        f"{path.name}:{line} imports {module}"
        for path in sorted(PACKAGE.glob("*.py"))
        for module, line in _imports(path)
        if module.split(".")[0] == "gaoxin"
        and not any(module == a or module.startswith(f"{a}.") for a in allowed)
    ]
    assert not upward, upward
