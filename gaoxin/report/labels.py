"""Labels: every word a user reads, in Chinese and English, with units — one catalogue.

Column labels, layer names, check statuses, conflict layers and the map's own words.
"""

from __future__ import annotations

from ..analysis import per_mu
from ..kinds import KINDS

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "legend": "图例", "search": "搜索地块/园区编号", "notFound": "未找到",
        "basemapOffline": "底图无法加载（无网络或离线），已显示为纯色背景",
        "gcj02": "叠加图层已转换为 GCJ-02 坐标，以与高德底图对齐",
        "nodata": "无数据", "layers": "图层", "result": "分析结果", "layer": "图层",
        "vec": "天地图 矢量", "img": "天地图 影像", "osm": "OpenStreetMap",
        "amap": "高德地图", "amap_img": "高德 影像", "fullscreen": "全屏",
        "exit_fullscreen": "退出全屏", "highlight": "重点",
    },
    "en": {
        "legend": "Legend", "search": "Search parcel / zone id", "notFound": "Not found",
        "basemapOffline": "Basemap unavailable (no network or offline): plain background shown",
        "gcj02": "Overlays shifted to GCJ-02 to line up with the AMap basemap",
        "nodata": "No data", "layers": "Layers", "result": "Results", "layer": "Layer",
        "vec": "Tianditu vector", "img": "Tianditu imagery", "osm": "OpenStreetMap",
        "amap": "AMap", "amap_img": "AMap imagery", "fullscreen": "Full screen",
        "exit_fullscreen": "Exit full screen", "highlight": "highlighted",
    },
}


AREA_LABELS: dict[str, dict[str, str]] = {
    "zh": {"area_mu": "面积(亩)", "area_ha": "面积(公顷)", "area_m2": "面积(m²)"},
    "en": {"area_mu": "Area (mu)", "area_ha": "Area (ha)", "area_m2": "Area (m²)"},
}


AREA_DECIMALS = {"area_mu": 2, "area_ha": 4, "area_m2": 1}


# Common result columns of the analyses (label_zh, label_en, unit).
RESULT_LABELS: dict[str, tuple[str, str, str]] = {
    "far": ("容积率", "Plot ratio", ""), "plot_ratio": ("容积率", "Plot ratio", ""),
    "building_coverage": ("建筑系数", "Building coverage", "%"),
    "status": ("状态", "Status", ""), "verdict": ("结论", "Verdict", ""),
    "class": ("类别", "Class", ""), "grade": ("等级", "Grade", ""),
    "conflict_area_mu": ("冲突面积", "Conflict area", "亩"),
    "conflict_area_ha": ("冲突面积", "Conflict area", "公顷"),
    "output_per_mu": ("亩均产出", "Output per mu", "万元/亩"),
    "tax_per_mu": ("亩均税收", "Tax per mu", "万元/亩"),
    "revenue": ("营业收入", "Revenue", "万元"), "tax": ("税收", "Tax", "万元"),
    "reason": ("原因", "Reason", ""), "layer": ("图层", "Layer", ""),
    "constraint": ("约束", "Constraint", ""), "patch_id": ("图斑编号", "Patch", ""),
    "area_m2": ("面积", "Area", "m²"),
}


def layer_label(kind: str | None, lang: str) -> str:
    """Display name of a layer kind.

    Examples
    --------
    >>> layer_label("parcels", "zh"), layer_label("parcels", "en")
    ('地块', 'Parcels')
    """
    if kind in KINDS:
        return KINDS[kind].label_zh if lang == "zh" else KINDS[kind].label_en
    if kind in RESULT_LAYERS:
        return RESULT_LAYERS[kind][0 if lang == "zh" else 1]
    return TEXT[lang]["layer"]


# Layers an analysis draws that are not input kinds: (zh, en).
RESULT_LAYERS: dict[str, tuple[str, str]] = {
    "result": ("分析结果", "Results"),
    "conflicts": ("冲突部分", "Conflicts"),
}


def column_label(column: str, kind: str | None, lang: str) -> str:
    """Label of an attribute column, with its unit: ``面积(亩)``, ``核准面积(公顷)``.

    Examples
    --------
    >>> column_label("area_mu", "parcels", "zh")
    '面积(亩)'
    >>> column_label("approved_area_ha", "zones", "zh")
    '核准面积(公顷)'
    >>> column_label("parcel_id", "parcels", "en")
    'Parcel id'
    """
    if column in AREA_LABELS[lang]:
        return AREA_LABELS[lang][column]
    spec = next((f for k in ([kind] if kind in KINDS else list(KINDS))
                 for f in KINDS[k].fields if f.name == column), None)
    if column in RESULT_LABELS and (spec is None or kind not in KINDS):
        zh, en, unit = RESULT_LABELS[column]
        return with_unit(zh if lang == "zh" else en, unit)
    if spec is not None:
        name = spec.label_zh if lang == "zh" else column.replace("_", " ").capitalize()
        return with_unit(name, spec.unit)
    return column


def with_unit(name: str, unit: str) -> str:
    return f"{name}({unit})" if unit else name


# Labels of the check report (HTML and the terminal table), by language.
CHECK_LABELS = {
    "zh": {
        "title": "gaoxin 示例成果",
        "check_title": "工作区检查",
        "headers": ["图层", "状态", "要素数", "坐标系", "编码", "说明", "文件"],
        "status": {"ok": "正常", "fixed": "已修复", "warning": "警告", "refused": "拒绝"},
        "verdict_ok": "全部图层可用", "verdict_bad": "存在阻断问题",
        "workspace": "工作区", "crs": "工作坐标系",
    },
    "en": {
        "title": "gaoxin demo results",
        "check_title": "Workspace check",
        "headers": ["Layer", "Status", "Features", "CRS", "Encoding", "Notes", "File"],
        "status": {"ok": "ok", "fixed": "fixed", "warning": "warning", "refused": "refused"},
        "verdict_ok": "every layer is usable", "verdict_bad": "blocking problems",
        "workspace": "Workspace", "crs": "Working CRS",
    },
}


STATUS_ZH = {"pass": "通过", "fail": "不通过", "warn": "提示", "info": "说明"}


CONFLICT_LAYERS = {
    "redline": ("生态保护红线冲突", "Red-line conflicts"),
    "farmland": ("永久基本农田冲突", "Farmland conflicts"),
    "dev_boundary_outside": ("城镇开发边界外部分", "Outside the development boundary"),
    "other_zones": ("与其他开发区/园区重叠", "Overlap with other zones/parks"),
}


CONFLICT_COLUMNS = {"zh": ["约束", "图斑", "名称", "面积(m²)", "面积(公顷)", "面积(亩)"],
                    "en": ["Constraint", "Patch", "Name", "Area (m²)", "Area (ha)", "Area (mu)"]}


PARCEL_LABELS = {
    "parcel_id": ("地块编号", "Parcel"), "zone_id": ("所属园区", "Zone"),
    "status": ("土地状态", "Status"), "land_use": ("用地性质", "Land use"),
    "parcel_area_m2": ("用地面积(m²)", "Area (m²)"), "area_mu": ("面积(亩)", "Area (mu)"),
    "area_ha": ("面积(公顷)", "Area (ha)"), "floor_area_m2": ("建筑面积(m²)", "Floor area (m²)"),
    "footprint_m2": ("建筑基底面积(m²)", "Footprint (m²)"),
    "plot_ratio": ("容积率", "Plot ratio"),
    "plot_ratio_known": ("容积率(已知层数部分,下限)", "Plot ratio (known floors, lower bound)"),
    "building_coverage": ("建筑系数(%)", "Building coverage (%)"),
    "unknown_floors": ("层数与高度均缺失的建筑数", "Buildings with neither floors nor height"),
    "computable": ("可计算", "Computable"), "industrial": ("工业地块", "Industrial"),
    "industry_code": ("行业代码", "Industry code"),
    "industry_std": ("行业分类标准", "Code version"),
    "far_min": ("容积率控制值", "Minimum plot ratio"), "far_ok": ("容积率达标", "Plot ratio ok"),
    "coefficient_ok": ("建筑系数达标(≥30%)", "Coverage ok (≥30 %)"),
    "admin_share": ("行政办公比重(%)", "Admin share (%)"),
    "admin_ok": ("行政办公达标(≤7%)", "Admin ok (≤7 %)"),
}


ZONE_LABELS = {
    "parcels": ("地块数", "Parcels"), "parcels_unknown": ("无法计算地块数", "Not computable"),
    "area_m2": ("总面积(m²)", "Area (m²)"), "built_m2": ("已建成面积(m²)", "Built (m²)"),
    "floor_area_m2": ("建筑面积(m²)", "Floor area (m²)"),
    "footprint_m2": ("建筑基底面积(m²)", "Footprint (m²)"),
    "industrial_m2": ("工业用地面积(m²)", "Industrial (m²)"),
    "industrial_floor_area_m2": ("工业建筑面积(m²)", "Industrial floor area (m²)"),
    "industrial_footprint_m2": ("工业建筑基底(m²)", "Industrial footprint (m²)"),
    "plot_ratio": ("综合容积率", "Plot ratio"), "building_density": ("建筑密度(%)", "Density (%)"),
    "industrial_plot_ratio": ("工业用地综合容积率", "Industrial plot ratio"),
    "industrial_building_coefficient": ("工业用地建筑系数(%)", "Industrial coverage (%)"),
}


FIRM_LABELS = {
    "enterprise_id": ("统一社会信用代码", "Enterprise id"), "name": ("企业名称", "Name"),
    "industry_code": ("行业代码", "Industry code"), "land_mu": ("用地(亩)", "Land (mu)"),
    "revenue": ("营业收入(万元)", "Revenue (10k CNY)"), "tax": ("税收(万元)", "Tax (10k CNY)"),
    "score": ("综合得分", "Score"), "class": ("类别", "Class"),
    "reason": ("未参评原因", "Not evaluated because"), "parcel_ids": ("地块", "Parcels"),
    **{k: (f"{v[0]}({v[2]})", f"{v[1]} ({v[2]})") for k, v in per_mu.INDICATORS.items()},
}
