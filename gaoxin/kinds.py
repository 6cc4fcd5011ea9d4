"""Layer kinds: the canonical fields of each, their aliases, and the land-status codes.

The shared vocabulary of the package (design.md, "Layer kinds"): the readers normalise to
it, the analyses compute on it, the reports label it. A leaf module: it imports nothing of
gaoxin.

Real files name the same field many ways (地块编号, DKBH, 宗地代码 …). Each canonical field
lists the aliases we recognise; a workspace can map any other name with ``[layers.X.fields]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    """One canonical field of a layer kind."""

    name: str
    dtype: str  # "str", "float", "int"
    required: bool = False
    unique: bool = False
    aliases: tuple[str, ...] = ()
    label_zh: str = ""
    unit: str = ""
    # Plausible values of a numeric field (lower bound exclusive when ``positive``); values
    # outside are treated as unknown and named, never used: a building of 1e308 floors.
    maximum: float = float("inf")
    minimum: float = float("-inf")
    positive: bool = False


@dataclass(frozen=True)
class LayerKind:
    """A kind of layer: its geometry, fields and labels."""

    name: str
    geometry: str  # "polygon", "line", "point", "table", "raster"
    label_zh: str
    label_en: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def id_field(self) -> str | None:
        return next((f.name for f in self.fields if f.unique), None)


def _f(name: str, dtype: str, *aliases: str, required: bool = False, unique: bool = False,
       label: str = "", unit: str = "", minimum: float = float("-inf"),
       maximum: float = float("inf"), positive: bool = False) -> Field:
    if positive:
        minimum = max(minimum, 0.0)
    return Field(name, dtype, required, unique, aliases, label, unit, maximum, minimum, positive)


# Land-status codes of the development-zone land survey (domain.md §1.2).
# Levels of a development zone as the data writes them (国家级 / 省级, or the codes).
ZONE_LEVELS: dict[str, str] = {"national": "national", "国家级": "national", "国家": "national",
                               "provincial": "provincial", "省级": "provincial",
                               "省": "provincial"}

LAND_STATUS_CODES: dict[str, str] = {
    "A": "已建成城镇建设用地", "A1": "住宅用地", "A2": "工矿仓储用地", "A31": "街巷用地",
    "A32": "其他交通运输用地", "A4": "商服用地", "A51": "公园与绿地",
    "A52": "其他公共管理与公共服务用地", "A6": "其他城镇建设用地",
    "B11": "已建成农村工矿仓储用地", "B12": "其他已建成农村建设用地",
    "B21": "已达到供地条件的其他土地", "B22": "未达到供地条件的其他土地",
    "C1": "河湖及蓄滞洪区", "C2": "自然、生态保护区", "C3": "其他不可建设土地",
    "D1": "已供应(划拨)", "D21": "已供应(有偿未到期)", "D22": "已供应(有偿已到期未处置)",
    "E1": "尚可供应(划拨)", "E21": "尚可供应(工矿仓储)", "E22": "尚可供应(其他有偿)",
    "F": "不可供应土地", "G": "闲置土地", "H1": "一类高新技术产业用地",
    "H2": "二类高新技术产业用地",
}

# The same classes in English, for maps and tables written with ``--lang en``.
LAND_STATUS_NAMES_EN: dict[str, str] = {
    "A": "Built urban construction land", "A1": "Residential", "A2": "Industrial and storage",
    "A31": "Streets and lanes", "A32": "Other transport", "A4": "Commercial and business",
    "A51": "Parks and green space", "A52": "Other public administration and services",
    "A6": "Other urban construction land", "B11": "Built rural industrial and storage",
    "B12": "Other built rural construction land", "B21": "Other land ready for supply",
    "B22": "Other land not ready for supply", "C1": "Rivers, lakes and flood storage",
    "C2": "Nature and ecological reserves", "C3": "Other unbuildable land",
    "D1": "Supplied (allocated)", "D21": "Supplied (paid, term running)",
    "D22": "Supplied (paid, expired, not disposed of)", "E1": "Available (allocation)",
    "E21": "Available (industrial and storage)", "E22": "Available (other paid use)",
    "F": "Not available for supply", "G": "Idle land",
    "H1": "Class I high-tech industrial land", "H2": "Class II high-tech industrial land",
}

KINDS: dict[str, LayerKind] = {k.name: k for k in (
    LayerKind("zones", "polygon", "高新区", "High-tech zones", (
        _f("zone_id", "str", "园区代码", "开发区代码", "KFQDM", "ZONE_ID", "code", "id",
           required=True, unique=True, label="园区代码"),
        _f("name", "str", "名称", "园区名称", "开发区名称", "KFQMC", "MC", "NAME", required=True,
           label="名称"),
        _f("level", "str", "级别", "JB", label="级别"),
        _f("city", "str", "市", "所在市", "城市", label="市"),
        _f("county", "str", "县", "区县", "所在县", label="区县"),
        _f("approved_area_ha", "float", "核准面积", "核准面积_公顷", "HZMJ", label="核准面积",
           unit="公顷", positive=True, maximum=1e6),
        _f("industries", "str", "主导产业", "产业", label="主导产业"),
        _f("gdp", "float", "地区生产总值", "GDP", label="地区生产总值", unit="万元", minimum=0.0),
        _f("fiscal_revenue", "float", "财政收入", "一般公共预算收入", label="财政收入",
           unit="万元", minimum=0.0),
    )),
    LayerKind("parks", "polygon", "产业园区", "Industrial parks", (
        _f("park_id", "str", "园区代码", "园区编号", "YQBH", "id", required=True, unique=True,
           label="园区编号"),
        _f("name", "str", "名称", "园区名称", "YQMC", "MC", "NAME", required=True, label="名称"),
        _f("city", "str", "市", "所在市", label="市"),
        _f("county", "str", "县", "区县", "所在县", label="区县"),
        _f("industries", "str", "主导产业", "产业", label="主导产业"),
        _f("host_zone_id", "str", "托管高新区", "所属高新区", label="托管高新区"),
        _f("gdp", "float", "地区生产总值", "GDP", label="地区生产总值", unit="万元", minimum=0.0),
        _f("fiscal_revenue", "float", "财政收入", "一般公共预算收入", label="财政收入",
           unit="万元", minimum=0.0),
    )),
    LayerKind("parcels", "polygon", "地块", "Parcels", (
        _f("parcel_id", "str", "地块编号", "DKBH", "宗地代码", "ZDDM", "宗地号", "地块号", "id",
           required=True, unique=True, label="地块编号"),
        _f("land_use", "str", "用地性质", "YDXZ", "地类编码", "DLBM", "用地类型", "土地用途",
           label="用地性质"),
        _f("status", "str", "土地状态", "利用状况", "现状类型", "TDZT", label="土地状态"),
        _f("zone_id", "str", "园区代码", "所属园区", "KFQDM", label="所属园区"),
        _f("planned_far_min", "float", "容积率下限", "规划容积率下限", label="容积率下限",
           minimum=0.0, maximum=50.0),
        _f("planned_far_max", "float", "容积率上限", "规划容积率上限", label="容积率上限",
           minimum=0.0, maximum=50.0),
        _f("name", "str", "地块名称", "名称", "DKMC", label="地块名称"),
        # 标准地 readiness and the indicator package a parcel is offered with.
        _f("regional_assessment", "str", "区域评估", "区域评估完成", label="区域评估已完成"),
        _f("assessments_done", "str", "已完成评估", "已完成区域评估事项", label="已完成评估事项"),
        _f("servicing", "str", "基础设施配套", "开发程度", "几通几平", label="基础设施配套"),
        _f("acquisition_done", "str", "净地", "是否净地", "征收完成", label="征收完成(净地)"),
        _f("ownership_dispute", "str", "权属争议", "是否有权属争议", label="权属争议"),
        _f("investment_intensity", "float", "固定资产投资强度", "投资强度",
           label="固定资产投资强度", unit="万元/亩", minimum=0.0),
        _f("tax_per_mu", "float", "亩均税收", "亩均税收指标", label="亩均税收", unit="万元/亩",
           minimum=0.0),
        _f("output_intensity", "float", "产出强度", "亩均产出", label="产出强度",
           unit="万元/亩", minimum=0.0),
        _f("rd_intensity_pct", "float", "R&D投入强度", "研发投入强度", label="R&D投入强度",
           unit="%", minimum=0.0, maximum=100.0),
        _f("environment", "str", "环境标准", label="环境标准"),
        _f("case_by_case", "str", "一事一议", label="一事一议"),
        # The area a register states (in any unit its header names): compared with the
        # drawn area, the cheapest check for a wrong CRS or a mis-digitised parcel.
        _f("declared_area_mu", "float", "ZDMJ", label="宗地面积", unit="亩", positive=True),
    )),
    LayerKind("buildings", "polygon", "建筑", "Buildings", (
        _f("building_id", "str", "建筑编号", "JZBH", "房屋编号", "id", required=True, unique=True,
           label="建筑编号"),
        _f("floors", "float", "层数", "CS", "楼层数", "地上层数", "building_levels",
           "building:levels", label="层数", positive=True, maximum=200.0),
        _f("height", "float", "高度", "建筑高度", "GD", "JZGD", "height_m", label="高度", unit="m",
           positive=True, maximum=1000.0),
        _f("storey_height", "float", "层高", "CG", label="层高", unit="m", positive=True,
           maximum=100.0),
    )),
    LayerKind("enterprises", "table", "企业", "Enterprises", (
        _f("enterprise_id", "str", "统一社会信用代码", "信用代码", "企业代码", "TYSHXYDM",
           required=True, label="统一社会信用代码"),
        _f("name", "str", "企业名称", "名称", "QYMC", label="企业名称"),
        _f("parcel_id", "str", "地块编号", "DKBH", "宗地代码", "ZDDM", required=True,
           label="地块编号"),
        _f("industry_code", "str", "行业代码", "国民经济行业代码", "HYDM", label="行业代码"),
        _f("industry_std", "str", "行业分类标准", "标准版本", label="行业分类标准"),
        _f("revenue", "float", "营业收入", "营收", "主营业务收入", label="营业收入", unit="万元",
           minimum=0.0),
        _f("tax", "float", "税收", "税收总额", "实缴税金", label="税收", unit="万元"),
        _f("value_added", "float", "增加值", "工业增加值", label="增加值", unit="万元"),
        _f("energy_tce", "float", "综合能耗", "能耗", label="综合能耗", unit="吨标准煤",
           minimum=0.0),
        _f("employees", "float", "从业人员", "职工人数", "年平均职工人数", label="从业人员",
           unit="人", minimum=0.0),
        _f("rd_spend", "float", "研发投入", "R&D经费", "研发经费", label="研发投入", unit="万元",
           minimum=0.0),
        _f("fixed_investment", "float", "固定资产投资", "累计固定资产投资", label="固定资产投资",
           unit="万元", minimum=0.0),
        _f("emission", "float", "主要污染物排放量", "污染物排放量", "排放量", "排放当量",
           label="主要污染物排放量", unit="吨", minimum=0.0),
        # The land a firm states it uses; when given it replaces the share of its parcel.
        _f("land_mu", "float", "企业用地面积", label="用地面积", unit="亩", positive=True),
    )),
    LayerKind("redlines", "polygon", "生态保护红线", "Ecological red lines", (
        _f("patch_id", "str", "图斑编号", "TBBH", "BSM", "id", label="图斑编号"),
        _f("name", "str", "名称", "MC", label="名称"),
    )),
    LayerKind("farmland", "polygon", "永久基本农田", "Permanent basic farmland", (
        _f("patch_id", "str", "图斑编号", "TBBH", "BSM", "id", label="图斑编号"),
    )),
    LayerKind("dev_boundary", "polygon", "城镇开发边界", "Urban development boundary", (
        _f("patch_id", "str", "图斑编号", "BSM", "id", label="编号"),
    )),
    LayerKind("roads", "line", "道路", "Roads", (
        _f("road_class", "str", "class", "等级", "道路等级", "highway", label="道路等级"),
        _f("name", "str", "名称", "道路名称", label="名称"),
    )),
    LayerKind("requests", "polygon", "扩区申请", "Expansion requests", (
        _f("parcel_id", "str", "地块编号", "DKBH", label="地块编号"),
        _f("name", "str", "地块名称", "名称", label="名称"),
    )),
    LayerKind("assessments", "polygon", "区域评估", "Regional assessments", (
        _f("assessment_type", "str", "评估类型", "评估事项", "PGLX", "type", required=True,
           label="评估事项"),
        _f("name", "str", "名称", "评估名称", "MC", label="名称"),
        _f("approval", "str", "批复文号", "批复", label="批复文号"),
        _f("completed", "str", "完成日期", "批复日期", label="完成日期"),
    )),
    LayerKind("counties", "polygon", "县级行政区", "Counties", (
        _f("county_id", "str", "行政区划代码", "adcode", "XZQDM", "code", label="行政区划代码"),
        _f("name", "str", "名称", "区县", "XZQMC", "NAME", required=True, label="名称"),
        _f("city", "str", "市", "所在市", "地级市", label="所在市"),
    )),
    LayerKind("dem", "raster", "数字高程模型", "Digital elevation model"),
)}
