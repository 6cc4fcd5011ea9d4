"""Labels: every word a user reads, in Chinese and English, with units — one catalogue.

Two tables, both keyed by stable identifiers:

- :data:`LABELS` — words and phrases (map UI, layer names, sheet names, headings, titles,
  statuses), looked up with :func:`label`. Text with numbers or names inside is a format
  template: ``label("demo.n_layers", lang).format(n=3)``.
- :data:`COLUMNS` — the label and unit of every canonical and result column, looked up with
  :func:`column`. A column has one label wherever it appears: workbook header, map popup,
  legend caption. A key ``"rows.column"`` (``"zones.plot_ratio"``) gives the label a column
  has in a table whose rows are of that kind, where the same name means something else
  (a zone's 综合容积率 against a parcel's 容积率); a plain key is the label everywhere else.

This module is the only place that chooses between a Chinese and an English text.
"""

from __future__ import annotations

from ..analysis import intensity, per_mu
from ..kinds import KINDS, LAND_STATUS_CODES, LAND_STATUS_NAMES_EN

LANGS = ("zh", "en")

# Units in Chinese and English; a Chinese label reads 面积(亩), an English one Area (mu).
UNITS: dict[str, tuple[str, str]] = {
    "亩": ("亩", "mu"), "公顷": ("公顷", "ha"), "m²": ("m²", "m²"), "m": ("m", "m"),
    "%": ("%", "%"), "万元": ("万元", "10k CNY"), "万元/亩": ("万元/亩", "10k CNY/mu"),
    "万元/公顷": ("万元/公顷", "10k CNY/ha"), "万元/人": ("万元/人", "10k CNY/person"),
    "万元/吨标准煤": ("万元/吨标准煤", "10k CNY/tce"), "吨标准煤": ("吨标准煤", "tce"),
    "人": ("人", "persons"), "人/公顷": ("人/公顷", "persons/ha"), "比值": ("比值", "ratio"),
    "吨": ("吨", "t"), "万元/吨": ("万元/吨", "10k CNY/t"), "分": ("分", "points"),
    "km": ("公里", "km"), "km²": ("平方公里", "km²"),
}

def _in_sentence(name: str) -> str:
    """An English name as it reads inside a sentence: ``Idle land rate`` → ``idle land rate``."""
    return name[:1].lower() + name[1:]


LABELS: dict[str, tuple[str, str]] = {
    # The map page's own words (keys without a dot are those the page script reads).
    "map.legend": ("图例", "Legend"),
    "map.search": ("搜索地块/园区编号", "Search parcel / zone id"),
    "map.notFound": ("未找到", "Not found"),
    "map.more": ("另有 {n} 个要素未列出", "{n} more features not listed"),
    "map.basemapOffline": ("底图无法加载（无网络或离线），已显示为纯色背景",
                           "Basemap unavailable (no network or offline): plain background shown"),
    "map.gcj02": ("叠加图层已转换为 GCJ-02 坐标，以与高德底图对齐",
                  "Overlays shifted to GCJ-02 to line up with the AMap basemap"),
    "map.nodata": ("无数据", "No data"), "map.layers": ("图层", "Layers"),
    "map.other": ("其他", "Other"),
    "map.result": ("分析结果", "Results"), "map.layer": ("图层", "Layer"),
    "map.vec": ("天地图 矢量", "Tianditu vector"), "map.img": ("天地图 影像", "Tianditu imagery"),
    "map.osm": ("OpenStreetMap", "OpenStreetMap"), "map.amap": ("高德地图", "AMap"),
    "map.amap_img": ("高德 影像", "AMap imagery"), "map.fullscreen": ("全屏", "Full screen"),
    "map.exit_fullscreen": ("退出全屏", "Exit full screen"),
    "map.highlight": ("重点", "highlighted"),
    "map.north": ("北", "N"),
    # A big layer's level of detail: grid cells when zoomed out, every feature zoomed in.
    "map.lod": ("共 {n} 个要素，全部在图上：缩小时按网格汇总着色，放大后逐个显示",
                "All {n} features are on the map: zoomed out as grid cells in the same "
                "classes, zoomed in one by one"),
    "map.cell": ("网格汇总", "Grid cell"),
    "map.cell_count": ("要素数", "Features"),
    "map.cell_mean": ("{name}（按面积加权平均）", "{name} (area-weighted mean)"),
    "map.cell_class": ("{name}（占面积最多的类别）", "{name} (class covering most area)"),
    "yes": ("是", "yes"), "no": ("否", "no"),
    "with_unit": ("{name}({unit})", "{name} ({unit})"),
    # Layers an analysis draws that are not input kinds.
    "layer.result": ("分析结果", "Results"), "layer.conflicts": ("冲突部分", "Conflicts"),
    "layer.applicant_zone": ("申请开发区", "Applicant zone"),
    "layer.requested_area": ("扩区申请范围", "Requested area"),
    "layer.intensity_score": ("集约度分值", "Intensity score"),
    "layer.zone_type": ("评价类型", "Zone type"),
    "layer.low_efficiency": ("低效用地", "Low-efficiency land"),
    "layer.per_mu_class": ("亩均评价类别", "Per-mu class"),
    "layer.per_mu_tax": ("亩均税收", "Tax per mu"),
    "layer.parcel_plot_ratio": ("地块容积率", "Parcel plot ratio"),
    "layer.parcels_to_check": ("需关注地块(不达标/无法计算)",
                               "Parcels to check (below minimum / not computable)"),
    "layer.built_plot_ratio": ("已建成地块容积率", "Plot ratio of built parcels"),
    "layer.not_applicable": ("未建/不适用地块", "Unbuilt / not applicable parcels"),
    "layer.not_applicable_note": ("{n:,} 宗,不计容积率", "{n:,} parcels, no plot ratio"),
    "layer.note_separator": ("；", "; "),
    "layer.first_n_note": ("图上只画前 {n:,} 宗(共 {total:,} 宗)",
                           "Only the first {n:,} of {total:,} parcels are drawn"),
    "layer.lowest_n_note": ("图上只画容积率最低的 {n:,} 宗(共 {total:,} 宗)",
                            "Only the {n:,} lowest of {total:,} parcels are drawn"),
    # A plot-ratio check's layer: a short name; its counts go in the legend note.
    "layer.check.far_min": ("容积率控制指标核查", "Minimum plot ratio check"),
    "layer.check.building_coefficient": ("建筑系数核查", "Building coverage check"),
    "layer.check.admin_share": ("行政办公比重核查", "Admin share check"),
    # The checks of industrial parcels against the control indicators (plot-ratio command):
    # every count says compared / passed / failed / not comparable and why.
    "pr_check.far_min": ("容积率控制值", "Minimum plot ratio"),
    "pr_check.building_coefficient": ("建筑系数", "Building coverage"),
    "pr_check.admin_share": ("行政办公及生活服务设施比重", "Admin and service share"),
    "pr_check.counts": ("{check}:工业地块 {total:,} 宗,比较 {compared:,} 宗,达标 {passed:,},"
                        "不达标 {failed:,}{failed_pct};不可比较 {not_comparable:,}{reasons}",
                        "{check}: {total:,} industrial parcels, {compared:,} compared, "
                        "{passed:,} pass, {failed:,} fail{failed_pct}; {not_comparable:,} "
                        "not comparable{reasons}"),
    "pr_check.failed_pct": ("(占比较的 {pct:.0f}%)", " ({pct:.0f} % of compared)"),
    "pr_check.reasons": ("({items})", " ({items})"),
    "pr_check.reason_item": ("{reason} {n:,}", "{reason} {n:,}"),
    "pr_check.separator": (",", ", "),
    "pr_check.data_problems": ("数据问题:{n:,} 宗工业地块土地状态为已建成,但地块上没有任何建筑",
                               "Data problem: {n:,} industrial parcels have a built status but "
                               "no building at all"),
    "pr_status.pass": ("达标", "pass"), "pr_status.fail": ("不达标", "fail"),
    "pr_status.not_comparable": ("不可比较", "not comparable"),
    "pr_status.unbuilt": ("未建/不适用", "unbuilt / not applicable"),
    "pr_reason.no_parcel_area": ("地块面积为零", "parcel has no area"),
    "pr_reason.unbuilt": ("未建/不适用", "unbuilt / not applicable"),
    "pr_reason.no_buildings_but_built_status": ("已建成状态但无建筑(数据问题)",
                                                "built status but no building (data problem)"),
    "pr_reason.no_buildings_status_unknown": ("无建筑且土地状态不明",
                                              "no building and land status unknown"),
    "pr_reason.no_industry_code": ("无行业代码", "no industry code"),
    "pr_reason.no_minimum_for_code": ("该行业代码无控制值", "no minimum for the industry code"),
    "pr_reason.no_building_use": ("建筑无用途字段", "buildings have no use field"),
    "pr_reason.floors_unknown": ("建筑层数与高度缺失", "building floors unknown"),
    # The constraint a piece of an expansion request conflicts with.
    "conflict.redline": ("生态保护红线冲突", "Red-line conflicts"),
    "conflict.farmland": ("永久基本农田冲突", "Farmland conflicts"),
    "conflict.dev_boundary_outside": ("城镇开发边界外部分", "Outside the development boundary"),
    "conflict.other_zones": ("与其他开发区/园区重叠", "Overlap with other zones/parks"),
    # Statuses of a check, verdicts of a request.
    "status.pass": ("通过", "pass"), "status.fail": ("不通过", "fail"),
    "status.warn": ("提示", "warn"), "status.info": ("说明", "info"),
    "verdict.pass": ("通过", "pass"), "verdict.warn": ("通过(有提示)", "warn"),
    "verdict.fail": ("不通过", "fail"),
    # Why a parcel is on the low-efficiency list.
    "reason.idle": ("闲置土地", "Idle land"),
    "reason.low_far_low_tax": ("容积率低于控制值且亩均税收低于阈值",
                               "Plot ratio below the minimum and tax per mu below the threshold"),
    # Sheet names of the workbooks.
    "sheet.checks": ("检查结论", "Checks"), "sheet.conflicts": ("冲突图斑", "Conflicts"),
    "sheet.details": ("明细", "Details"), "sheet.rules": ("规则", "Rules"),
    "sheet.evaluation": ("评价结果", "Evaluation"),
    "sheet.benchmarks": ("全国对比", "National benchmarks"),
    "sheet.weights": ("权重与理想值(默认⚙)", "Weights & ideals (defaults)"),
    "sheet.low_efficiency": ("低效用地清单", "Low-efficiency land"),
    "sheet.summary": ("汇总", "Summary"), "sheet.enterprises": ("企业", "Enterprises"),
    "sheet.not_evaluated": ("未参评", "Not evaluated"), "sheet.notes": ("说明", "Notes"),
    # What a workbook leaves out of a sheet at its row cap, and where the whole table is.
    "xlsx.capped": ("工作表“{sheet}”只列前 {shown:,} 行(共 {total:,} 行);"
                    "完整表见 {file} 的图层 {layer}",
                    "Sheet '{sheet}' lists the first {shown:,} of {total:,} rows; "
                    "the whole table is layer {layer} of {file}"),
    "xlsx.omitted": ("全部地块共 {total:,} 宗,超过 {cap:,} 行,未列入本工作簿;"
                     "完整表见 {file} 的图层 {layer}",
                     "All {total:,} parcels exceed {cap:,} rows and are not in this workbook; "
                     "the whole table is layer {layer} of {file}"),
    "sheet.parcels": ("地块", "Parcels"), "sheet.zones": ("园区汇总", "Zones"),
    "sheet.below_minimum": ("容积率不达标工业地块", "Below minimum"),
    "sheet.not_computable": ("无法计算地块", "Not computable"),
    "sheet.check_counts": ("核查汇总", "Check counts"),
    "sheet.data_problems": ("数据问题地块", "Data problems"),
    "sheet.minimum_table": ("控制指标表", "Minimum table"),
    "sheet.all_parcels": ("全部地块", "All parcels"),
    "sheet.zone_areas": ("高新区", "High-tech zones"), "sheet.park_areas": ("园区", "Parks"),
    "sheet.areas": ("面积", "Areas"),
    # The per-mu summary sheet.
    "per_mu.item": ("项目", "item"), "per_mu.value": ("值", "value"),
    "per_mu.rule_set": ("评价规则", "rule set"), "per_mu.class": ("{c} 类", "class {c}"),
    # The per-mu evaluation's outputs (issue 11): the scheme by name, who was not evaluated
    # and why, the indicators left out of the score and how the weights were treated.
    "per_mu.scheme.sichuan": ("四川方案", "Sichuan scheme"),
    "per_mu.scheme.zhejiang": ("浙江方案", "Zhejiang scheme"),
    "per_mu.scheme_year": ("{scheme}({year})", "{scheme} ({year})"),
    "per_mu.rule_version": ("{scheme},规则版本 {version}", "{scheme}, rules version {version}"),
    "per_mu.enterprises": ("企业总数", "Enterprises"),
    "per_mu.evaluated": ("参评企业", "Evaluated"),
    "per_mu.not_evaluated": ("未参评", "Not evaluated"),
    "per_mu.not_evaluated_because": ("未参评({reason})", "Not evaluated ({reason})"),
    "per_mu.reason.parcel_not_found": ("地块编号不在地块图层中",
                                       "parcel id not in the parcel layer"),
    "per_mu.reason.no_land": ("无用地面积", "no land"),
    "per_mu.reason.below_min_land": ("用地不足{min_land:g}亩", "land under {min_land:g} mu"),
    "per_mu.reason.no_indicator": ("无可计算的评价指标", "no indicator could be computed"),
    "per_mu.not_computed": ("未计算指标", "Indicator not computed"),
    "per_mu.weights": ("权重处理", "Weights"),
    "per_mu.not_computed.no_field": ("企业表无「{fields}」字段",
                                     "the enterprise table has no “{fields}” field"),
    "per_mu.not_computed.no_values": ("企业表「{fields}」字段全部为空",
                                      "the enterprise table's “{fields}” field is empty"),
    "per_mu.not_computed.no_benchmark": ("规则未给出基准值", "the rules give no benchmark"),
    "per_mu.not_computed.item": ("{name}({points:g} 分)未计算:{why}",
                                 "{name} ({points:g} points) not computed: {why}"),
    "per_mu.renormalised": ("其余指标({computed:g} 分)的权重按比例放大到 {total:g} 分"
                            "(×{scale:.4f}),得分仍按 {total:g} 分计",
                            "The other indicators' weights ({computed:g} points) are scaled up "
                            "to {total:g} (×{scale:.4f}); scores stay out of {total:g}"),
    "per_mu.excluded_rule": ("用地不足{min_land:g}亩的企业不参评", "Enterprises on less than "
                             "{min_land:g} mu are not evaluated"),
    "per_mu.excluded_list": ("未参评企业 {n:,} 家,名单与原因见「{sheet}」工作表;"
                             "其地块在地图上单列为「未参评」类",
                             "{n:,} enterprises not evaluated, listed with the reason on the "
                             "{sheet} sheet; their parcels have their own class on the map"),
    "per_mu.terminal.counts": ("企业 {total:,} 家:参评 {evaluated:,} 家,未参评 {excluded:,} 家"
                               "{reasons}",
                               "{total:,} enterprises: {evaluated:,} evaluated, {excluded:,} not "
                               "evaluated{reasons}"),
    "per_mu.terminal.reasons": ("({items})", " ({items})"),
    "per_mu.terminal.reason_item": ("{reason} {n:,} 家", "{reason}: {n:,}"),
    "per_mu.terminal.classes": ("分类:{items}", "Classes: {items}"),
    "per_mu.terminal.class_item": ("{c} 类 {n:,} 家({pct})", "{c} {n:,} ({pct})"),
    # Figures the scheme scores on that the enterprise table lacks (issue 16), said first.
    "per_mu.missing.no_field": ("企业表无「{field}」列:{indicators}无法计算{cost}",
                                "The enterprise table has no “{field}” column: {indicators} "
                                "cannot be computed{cost}"),
    "per_mu.missing.no_values": ("企业表「{field}」列没有数值:{indicators}无法计算{cost}",
                                 "The enterprise table's “{field}” column has no values: "
                                 "{indicators} cannot be computed{cost}"),
    "per_mu.missing.cost": (",{scheme}评分缺其 {points:g} 分,只按其余指标折算,不是完整评分",
                            "; the {scheme} score lacks its {points:g} points and is only "
                            "rescaled from the other indicators, not the full score"),
    "per_mu.missing": ("缺少的数据", "Missing data"),
    "per_mu.separator": (",", ", "),
    "per_mu.wrote": ("已写出 {out}/({files})", "wrote {out}/ ({files})"),
    "per_mu.list_separator": ("、", ", "),
    "per_mu.note": ("说明", "Note"), "per_mu.source": ("依据:{source}", "Source: {source}"),
    # Titles of maps, reports and overview drawings.
    "title.expansion_map": ("扩区审核 — {zone}", "Expansion check — {zone}"),
    "title.expansion_report": ("扩区审核报告", "Expansion check report"),
    "title.request_detail": ("申请范围详图", "Request detail"),
    "title.context": ("区位总览", "Context"),
    "title.intensity": ("开发区土地集约利用评价", "Development-zone land-intensity evaluation"),
    "title.intensity_table": ("开发区土地集约利用评价", "Land-intensity evaluation"),
    "title.expansion_table": ("扩区审核 {request} → {zone}:{verdict}",
                              "Expansion check {request} → {zone}: {verdict}"),
    # Terminal tables of the command line.
    "cli.check": ("审查项", "Check"), "cli.status": ("结论", "Status"),
    "cli.details": ("说明", "Details"), "cli.zone": ("园区", "Zone"),
    "cli.type": ("类型", "Type"), "cli.score": ("集约度分值", "Score"),
    "cli.left_out": ("未参评指标", "Left out"),
    # Every other line the command line prints: headings, summaries, notes, progress.
    "cli.note": ("提示", "note"),
    "cli.deprecated_option": ("选项 {old} 已改名为 {new},旧名仍可使用",
                              "option {old} is now called {new}; the old name still works"),
    "cli.check_title": ("工作区检查 — {name}", "gaoxin check — {name}"),
    "cli.area_title": ("{file} — 椭球面积(CGCS2000);源坐标系 {crs}",
                       "{file} — ellipsoidal area (CGCS2000); source CRS {crs}"),
    "cli.index": ("序号", "index"),
    "cli.txt_parcel_id": ("地块编号", "Parcel no."),
    "cli.txt_parcel_name": ("地块名称", "Parcel name"),
    "cli.txt_parcel_order": ("第 {n} 宗", "parcel {n}"),
    "cli.more_rows": ("… 另有 {n:,} 行", "… {n:,} more"),
    "cli.total": ("合计", "total"),
    "cli.wrote": ("已写出 {path}", "wrote {path}"),
    "cli.wrote_features": ("已写出 {n:,} 个要素到 {path}(坐标系 {crs})",
                           "wrote {n:,} features to {path} ({crs})"),
    "cli.wrote_outputs": ("已写出 {folder}/({files}),用时 {seconds} 秒",
                          "wrote {folder}/ ({files}) in {seconds} s"),
    "cli.wrote_outputs_untimed": ("已写出 {folder}/({files})", "wrote {folder}/ ({files})"),
    "cli.file_separator": ("、", ", "),
    "cli.init_done": ("已写出 {path}:请填写各图层路径,然后运行 gaoxin check {option} {path}",
                      "wrote {path}: edit the layer paths, then run 'gaoxin check {option} "
                      "{path}'"),
    "cli.open": ("请打开 {path}", "open {path}"),
    "cli.interrupted": ("已中断;成果文件均整体写出,不会留下写了一半的文件",
                        "interrupted; outputs are written atomically, so none is half-written"),
    "cli.plot_ratio_parcels": ("共 {parcels:,} 宗地块,其中 {not_computable:,} 宗无法计算"
                               "(建筑既无层数也无高度)",
                               "{parcels:,} parcels, {not_computable:,} not computable "
                               "(buildings with neither floors nor height)"),
    "cli.per_mu_line": ("{scheme} {year} 年规则:参评企业 {evaluated:,} 家;{classes}",
                        "{scheme} {year}: {evaluated:,} enterprises evaluated; {classes}"),
    "cli.per_mu_class": ("{c} 类 {n:,} 家", "class {c} {n:,}"),
    "cli.scheme.sichuan": ("四川", "Sichuan"), "cli.scheme.zhejiang": ("浙江", "Zhejiang"),
    "cli.low_efficiency_line": ("低效用地 {parcels:,} 宗,{mu:,.2f} 亩({ha:,.4f} 公顷)",
                                "{parcels:,} parcels, {mu:,.2f} mu ({ha:,.4f} ha)"),
    "cli.gcj02_output": ("坐标为 {offset}(按网络地图数据惯例标注为 {tag}),"
                         "只能与相应的网络底图配合使用",
                         "coordinates are {offset} (tagged {tag} as web-map data is); "
                         "use them only with matching basemaps"),
    # How the encoding of a layer was found (gaoxin check).
    "encoding_how.declared": ("已指定", "declared"), "encoding_how.cpg": ("编码声明文件", ".cpg"),
    "encoding_how.ldid": ("文件头标记", "LDID"), "encoding_how.heuristic": ("推测", "heuristic"),
    "title.low_efficiency": ("低效用地(腾笼换鸟)", "Low-efficiency land"),
    "title.per_mu": ("亩均论英雄评价 — {rule_set}", "Per-mu evaluation — {rule_set}"),
    "title.plot_ratio": ("容积率与建筑系数", "Plot ratio and building coverage"),
    # The workspace check (HTML report and terminal table).
    # Which column each canonical field came from, and its unit conversion (issue 16).
    "check.fields": ("字段对应", "Fields"),
    "check.fields_of": ("{layer}:{fields}", "{layer}: {fields}"),
    "check.fields_separator": (";", "; "),
    "check.field_line": ("{field} ← {column}{note}", "{field} ← {column}{note}"),
    "check.field_converted": ("({unit} → {canonical},×{factor:g})",
                              " ({unit} → {canonical}, ×{factor:g})"),
    "check.field_assumed": ("(表头未注明单位,按{canonical})",
                            " (no unit in the header: taken as {canonical})"),
    "check.title": ("工作区检查", "Workspace check"),
    "check.verdict_ok": ("全部图层可用", "every layer is usable"),
    "check.verdict_bad": ("存在阻断问题", "blocking problems"),
    "check.workspace": ("工作区", "Workspace"), "check.crs": ("工作坐标系", "Working CRS"),
    "check.layer": ("图层", "Layer"), "check.status": ("状态", "Status"),
    "check.features": ("要素数", "Features"), "check.crs_short": ("坐标系", "CRS"),
    "check.encoding": ("编码", "Encoding"), "check.notes": ("说明", "Notes"),
    "check.file": ("文件", "File"),
    "check.ok": ("正常", "ok"), "check.fixed": ("已修复", "fixed"),
    "check.warning": ("警告", "warning"), "check.refused": ("拒绝", "refused"),
    "check.encoding_how.declared": ("工作区声明", "declared in the workspace"),
    "check.encoding_how.cpg": ("由同名编码声明文件声明", "declared by the .cpg file"),
    "check.encoding_how.ldid": ("由属性表文件头的语言标识确定",
                                "from the DBF header's language id"),
    "check.encoding_how.heuristic": ("推断", "guessed"),
    "check.encoding_how.heuristic.why": (
        "文件未声明编码(无同名编码声明文件,属性表文件头也未标明),按文字内容推断;"
        "若中文显示为乱码,请在工作区为该图层声明编码",
        "the file declares no encoding (no .cpg file, none in the DBF header), so it was "
        "judged from the text; if Chinese reads garbled, declare encoding for the layer"),
    "check.raster_cells": ("{width}×{height} 像元,像元 {dx:g}×{dy:g} {unit}",
                           "{width}×{height} px, cells {dx:g} × {dy:g} {unit}"),
    "check.request": ("扩区申请 {name}", "request {name}"),
    # Coordinate reference systems as a page names them, built from pyproj's facts.
    "crs.none": ("无坐标系", "no CRS"),
    "crs.with_code": ("{name} ({code})", "{name} ({code})"),
    "crs.geographic": ("{datum} 地理坐标系(经纬度)", "{datum} geographic (longitude/latitude)"),
    "crs.gauss_kruger": ("{datum} / {width}度带高斯-克吕格投影 第{zone}带(中央经线 {cm}°E)",
                         "{datum} / {width}-degree Gauss-Krüger zone {zone} (CM {cm}°E)"),
    "crs.gauss_kruger.prefixed": (
        "{datum} / {width}度带高斯-克吕格投影 第{zone}带(中央经线 {cm}°E,横坐标含带号)",
        "{datum} / {width}-degree Gauss-Krüger zone {zone} (CM {cm}°E, zone-prefixed "
        "eastings)"),
    "crs.utm": ("{datum} / 通用横轴墨卡托投影 第{zone}带", "{datum} / UTM zone {zone}"),
    "crs.projected": ("{datum} / 投影坐标系 {name}", "{datum} / {name}"),
    "crs.datum.China Geodetic Coordinate System 2000": ("CGCS2000", "CGCS2000"),
    "crs.datum.Xian 1980": ("西安1980", "Xian 1980"),
    "crs.datum.Beijing 1954": ("北京1954", "Beijing 1954"),
    "crs.datum.New Beijing": ("新北京54", "New Beijing"),
    "crs.unit.metre": ("米", "m"), "crs.unit.degree": ("度", "°"),
    # The expansion report (report.html); statuses and verdicts are status.* and verdict.*.
    "report.applicant_zone": ("申请开发区", "Applicant zone"),
    "report.request_file": ("申请文件", "Request file"),
    "report.generated": ("生成时间", "Generated"), "report.verdict": ("结论", "Verdict"),
    "report.summary_of_checks": ("检查汇总", "Summary of checks"),
    "report.check": ("检查项", "Check"), "report.status": ("结论", "Status"),
    "report.details": ("说明", "Details"), "report.overview_map": ("总览图", "Overview map"),
    "report.interactive_map": ("交互地图见", "Interactive map:"),
    "report.conflict_pieces": ("冲突图斑", "Conflict pieces"),
    "report.tables": ("表格", "Tables"),
    "report.boundary_points": ("界址点坐标", "Boundary points"),
    "report.conflicting_patches": ("冲突图斑", "Conflicting patches"),
    "report.rules_used": ("采用的规则", "Rules used"),
    "report.rule": ("规则", "Rule"), "report.value": ("取值", "Value"),
    "report.unit": ("单位", "Unit"), "report.source": ("依据", "Source"),
    # Rules as staff read them (the report's rules table, the 规则 sheets): the key a
    # workspace overrides, the confidence of a number as a plain-text badge with its
    # explanation, units as staff write them, values that are no number.
    "rules.confidence": ("可信度", "Confidence"),
    "rules.overridden": ("工作区已修改", "Overridden"), "rules.rule_set": ("规则集", "Rule set"),
    "rules.key": ("键", "Key"),
    "rules.confidence.official": ("原文", "official"),
    "rules.confidence.secondary": ("转述", "secondary"),
    "rules.confidence.default": ("默认", "default"),
    "rules.confidence.not_found": ("未取得", "not found"),
    "rules.confidence_note.official": ("已核读文件原文", "the document's own text was read"),
    "rules.confidence_note.secondary": ("据转载、报道或转述,原文待核对",
                                        "from a reprint, a news report or recalled; the "
                                        "original is still to be read"),
    "rules.confidence_note.default": ("项目默认值,无官方数值,可在工作区修改",
                                      "project default: no official number; editable in the "
                                      "workspace"),
    "rules.confidence_note.not_found": ("官方数值未取得,可在工作区填写",
                                        "official number not found; fill it in the workspace"),
    "rules.overridden_source": ("工作区修改(默认值 {default}:{source})",
                                "Workspace override (default {default}: {source})"),
    "rules.value_not_found": ("未取得", "not found"), "rules.value_none": ("不设", "none"),
    "rules.list_separator": ("、", ", "),
    "rules.choice_value": ("{label}({value})", "{label} ({value})"),
    "rules.choice.sichuan": ("四川方案", "Sichuan scheme"),
    "rules.choice.zhejiang": ("浙江式方案", "Zhejiang-style scheme"),
    "rules.choice.equal": ("均分", "equal shares"),
    "rules.choice.revenue": ("按营业收入", "by revenue"),
    "rules.choice.employees": ("按从业人员", "by employees"),
    "rules.choice.ratio_to_ideal": ("实际值 ÷ 理想值", "actual ÷ ideal"),
    "rules.choice.MLR-2008": ("2008版", "2008 standard"),
    "rules.choice.MNR-2023": ("2023国家版", "2023 national standard"),
    "rules.choice.SC-2024": ("四川2024版", "Sichuan 2024 standard"),
    # A rule's unit as staff write it; a unit not listed here reads as labels.UNITS gives it.
    "rules.unit.m²": ("平方米", "m²"), "rules.unit.m": ("米", "m"),
    "rules.unit.°": ("度", "degrees"),
    "rules.unit.4πA/P²": ("紧凑度(4π×面积÷周长²,圆为 1,越狭长越接近 0)",
                          "compactness 4πA/P² (1 for a circle, near 0 for a thin sliver)"),
    "rules.unit.区块": ("个区块", "blocks"), "rules.unit.权重": ("权重", "weight"),
    "rules.unit.年": ("年", "year"), "rules.unit.倍权重": ("倍权重", "× weight"),
    "rules.unit.分": ("分", "points"), "rules.unit.万元/吨": ("万元/吨", "10k CNY/t"),
    "report.provenance": ("数据来源", "Provenance"),
    "report.working_crs": ("工作坐标系", "Working CRS"), "report.areas": ("面积", "Areas"),
    "report.file": ("文件", "File"), "report.reading_notes": ("读取说明", "Reading notes"),
    "report.area_method": ("椭球面积(CGCS2000 椭球)",
                           "ellipsoidal (CGCS2000 / GRS80 ellipsoid)"),
    "report.files": ("文件", "Files"),
    # The edition of the 三区三线 data a report was checked against (issue 11).
    "report.constraint_data": ("三区三线数据版本", "Edition of the control-line data"),
    "report.constraint_layer": ("图层", "Layer"),
    "report.constraint_modified": ("文件修改日期", "File modified"),
    "report.constraint_edition": ("版本/批次", "Edition"),
    "report.no_edition": ("未注明版本", "no edition declared"),
    "report.no_edition_fix": (
        "未注明版本的图层,请在工作区 {file} 该图层一节中写明 {key}(如 \"2023年批复版\"),"
        "报告即载明所用批次。",
        "For a layer without an edition, declare it in the workspace's {file}, in the layer's "
        "section: {key} (e.g. \"approved 2023\"), and the report names it."),
    "report.not_provided": ("工作区未提供", "not in the workspace"),
    "report.date": ("{year}年{month:02d}月{day:02d}日", "{year}-{month:02d}-{day:02d}"),
    # The expansion report's area, size basis, 界址点 table and reviewer block (issue 11).
    "report.request_area": ("申请面积", "Requested area"),
    "report.area_kind": ("面积类型", "Area"),
    "report.area_mu": ("亩", "mu"), "report.area_ha": ("公顷", "ha"),
    "report.area_m2": ("平方米", "m²"),
    "report.area_ellipsoidal": ("椭球面积(CGCS2000 椭球面,各项检查采用)",
                                "Ellipsoidal area (CGCS2000 ellipsoid, used by every check)"),
    "report.area_planar": ("平面面积(CGCS2000 高斯-克吕格 3° 带第 {zone} 带,界址点坐标文件所注)",
                           "Plane area (CGCS2000 Gauss-Krüger 3° zone {zone}, as the 界址点 "
                           "TXT states)"),
    "report.area_difference": (
        "两者相差 {mu:,.2f} 亩({ha:,.4f} 公顷):平面面积是在高斯-克吕格投影平面上量算的面积,"
        "含投影长度变形(离中央经线越远越大);椭球面积是椭球面上的实际面积,不受投影影响。",
        "They differ by {mu:,.2f} mu ({ha:,.4f} ha): the plane area is measured on the "
        "Gauss-Krüger projection plane and carries its scale error (growing away from the "
        "central meridian); the ellipsoidal area is measured on the ellipsoid, free of it."),
    "check.size.no_limit.basis": ("扩区后 {after_ha:,.4f} 公顷({basis});"
                                  "{level}开发区无面积上限规定",
                                  "{after_ha:,.4f} ha after expansion ({basis}); no maximum "
                                  "for level {level}"),
    "check.size.limit.basis": ("扩区后 {after_ha:,.4f} 公顷({basis}),上限 {limit_ha:,.0f} 公顷",
                               "{after_ha:,.4f} ha after expansion ({basis}), limit "
                               "{limit_ha:,.0f} ha"),
    "check.size.basis.approved": ("按核准面积 {approved:,.4f} 公顷 + 新增 {added:,.4f} 公顷计",
                                  "approved area {approved:,.4f} ha + {added:,.4f} ha added"),
    "check.size.basis.gis": ("开发区记录无核准面积,按图形椭球面积计",
                             "no approved area on record: ellipsoidal area of the drawn "
                             "boundary"),
    "report.page_of": ("第 {page} 页,共 {pages} 页", "Page {page} of {pages}"),
    "report.point_table": ("申请范围界址点坐标(CGCS2000 高斯-克吕格 3° 带第 {zone} 带,"
                           "横坐标含带号,单位 m)",
                           "Boundary points of the request (CGCS2000 Gauss-Krüger 3° zone "
                           "{zone}, Y with zone prefix, metres)"),
    "report.parcel_no": ("地块编号", "Parcel"), "report.point_no": ("点号", "Point"),
    "report.ring_no": ("圈号", "Ring"), "report.point_x": ("纵坐标", "X (northing)"),
    "report.point_y": ("横坐标(含带号)", "Y (easting)"),
    "report.datetime": ("{year}年{month:02d}月{day:02d}日 {hour:02d}:{minute:02d}",
                        "{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"),
    "report.review": ("审查意见", "Review"),
    "report.review_opinion": ("审查意见", "Opinion"), "report.reviewer": ("审查人", "Reviewer"),
    "report.review_date": ("日期", "Date"), "report.review_seal": ("单位(盖章)", "Office (seal)"),
    # Columns of the checks workbook's 明细 sheet that are no canonical column.
    "report.detail.part": ("区块", "Block"), "report.detail.piece": ("图斑序号", "Piece"),
    "report.detail.compactness": ("紧凑度", "Compactness"),
    "report.detail.distance_m": ("距现有区块(m)", "Distance to existing blocks (m)"),
    "report.detail.adjacent": ("相邻", "Adjacent"),
    "report.detail.indicator": ("指标代码", "Indicator code"),
    "report.detail.name": ("指标", "Indicator"),
    "report.detail.value": ("实际值", "Value"), "report.detail.reference": ("参考值", "Reference"),
    "report.detail.meets_reference": ("达到参考值", "Meets reference"),
    # The demo index.
    "demo.title": ("gaoxin 示例成果", "gaoxin demo results"),
    "demo.sample_workspace": ("示例工作区", "Sample workspace"),
    "demo.sample_workspace_text": (
        "成都西南的模拟数据(CGCS2000),由 gaoxin 生成;可作为自己数据的模板。",
        "Simulated data south-west of Chengdu (CGCS2000), generated by gaoxin; a template "
        "for your own data."),
    "demo.layer_list": ("图层清单与字段映射", "layer list and field mappings"),
    "demo.check_report": ("工作区检查报告", "Workspace check report"),
    "demo.check_data": ("检查结果数据", "Check results as data"),
    "demo.summary_data": ("{name} 审核结果数据", "{name} results as data"),
    "demo.data_note": ("可供程序读取的结构化数据", "structured data for programs"),
    "demo.n_layers": ("{n} 个图层", "{n} layers"),
    "demo.areas": ("面积", "Areas"),
    "demo.areas_table": ("高新区与园区面积(m²、公顷、亩)", "Zone and park areas (m², ha, mu)"),
    "demo.maps": ("地图", "Maps"),
    "demo.all_layers": ("全部图层总览(离线可用)", "All layers (works offline)"),
    "demo.expansion": ("扩区审核", "Expansion requests"),
    "demo.expansion_text": ("两个示例申请:一个干净,一个占用生态保护红线与永久基本农田。",
                            "Two sample requests: one clean, one crossing red line and "
                            "farmland."),
    "demo.report": ("报告", "report"), "demo.request_map": ("{name} 地图", "{name} map"),
    "demo.land": ("土地集约利用", "Land-use intensity"),
    "demo.land_text": (
        "容积率与建筑系数、亩均论英雄分类(四川2022规则)、开发区土地集约利用评价"
        "(权重与理想值为项目默认 ⚙)、低效用地清单。",
        "Plot ratio and coverage, per-mu classes (Sichuan 2022 rules), zone land-intensity "
        "evaluation (default ⚙ weights and ideals), low-efficiency land list."),
    "demo.plot_ratio_map": ("容积率地图", "Plot-ratio map"),
    "demo.n_parcels": ("{n} 宗地块", "{n} parcels"),
    "demo.plot_ratio_tables": ("容积率表(电子表格)", "Plot-ratio tables"),
    "demo.per_mu_map": ("亩均评价类别地图", "Per-mu class map"),
    "demo.per_mu_tables": ("亩均评价表(电子表格)", "Per-mu tables"),
    "demo.intensity_map": ("集约利用评价地图", "Zone evaluation map"),
    "demo.intensity_tables": ("集约利用评价表与全国对比(电子表格)",
                              "Evaluation and national benchmarks"),
    "demo.low_efficiency_map": ("低效用地地图", "Low-efficiency land map"),
    "demo.low_efficiency_list": ("低效用地清单(电子表格)", "Low-efficiency land list"),
    # The demo's progress lines in the terminal ({step}/{steps} is prefixed).
    "demo.step.sample": ("生成示例工作区 …", "generating the sample workspace …"),
    "demo.step.check": ("检查各图层 …", "checking every layer …"),
    "demo.step.areas": ("计算面积表 …", "area tables …"),
    "demo.step.map": ("绘制总览地图 …", "overview map …"),
    "demo.step.expansion": ("扩区审核 …", "expansion requests …"),
    "demo.step.land": ("容积率、亩均论英雄、土地集约利用评价、低效用地 …",
                       "plot ratio, per-mu evaluation, land-intensity evaluation, "
                       "low-efficiency land …"),
    "demo.step.standard_land": ("标准地出让条件 …", "standard-land readiness …"),
    # 标准地 readiness (gaoxin standard-land): conditions, outcomes, reasons, summary, sheets.
    "sl_cond.spatial": ("三区三线", "Spatial conflicts"),
    "sl_cond.use": ("规划用途", "Planned use"), "sl_cond.shape": ("面积与形状", "Size and shape"),
    "sl_cond.terrain": ("地形坡度", "Terrain"), "sl_cond.servicing": ("基础设施配套", "Servicing"),
    "sl_cond.assessment": ("区域评估", "Regional assessments"),
    "sl_cond.acquisition": ("征收与权属", "Acquisition and ownership"),
    "sl_cond.indicators": ("指标包", "Indicator package"),
    "sl_outcome.pass": ("通过", "pass"), "sl_outcome.conditional": ("有条件", "conditional"),
    "sl_outcome.fail": ("不通过", "fail"), "sl_outcome.unverified": ("无法核验", "not verified"),
    "sl_readiness.ready": ("可出让", "Ready"),
    "sl_readiness.conditional": ("有条件出让", "Ready with conditions"),
    "sl_readiness.blocked": ("暂不具备出让条件", "Blocked"),
    "sl_short.redline": ("与生态保护红线重叠", "overlaps the ecological red line"),
    "sl_short.farmland": ("占用永久基本农田", "overlaps permanent basic farmland"),
    "sl_short.outside_boundary": ("位于城镇开发边界外", "outside the urban development boundary"),
    "sl_short.use_not_allowed": ("规划用途不符", "planned use not allowed"),
    "sl_short.area_small": ("面积过小", "too small"),
    "sl_short.area_large": ("面积过大", "too large"),
    "sl_short.irregular": ("形状不规则", "irregular shape"),
    "sl_short.narrow": ("宽度不足", "too narrow"), "sl_short.slope": ("坡度过大", "too steep"),
    "sl_short.steep_share": ("陡坡面积较多", "much steep ground"),
    "sl_short.not_levelled": ("场地未平整", "site not levelled"),
    "sl_short.servicing_below": ("基础设施配套不足", "servicing below the required level"),
    "sl_short.no_road": ("无道路接入", "no road access"),
    "sl_short.assessment": ("{type}未完成", "{type} not done"),
    "sl_short.not_acquired": ("土地征收未完成(非净地)", "acquisition not complete"),
    "sl_short.dispute": ("存在权属争议", "ownership dispute"),
    "sl_short.package_missing": ("指标包缺少{field}", "package lacks {field}"),
    "sl_short.package_below": ("{field}低于园区标准", "{field} below the zone's standard"),
    "sl_short.case_by_case": ("{field}按一事一议", "{field} agreed case by case"),
    "sl_short.unverified": ("无法核验:缺少{what}", "not verified: no {what}"),
    "sl_detail.redline": ("与生态保护红线重叠 {mu} 亩",
                          "overlaps the ecological red line by {mu} mu"),
    "sl_detail.farmland": ("占用永久基本农田 {mu} 亩",
                           "overlaps permanent basic farmland by {mu} mu"),
    "sl_detail.outside_boundary": ("{mu} 亩位于城镇开发边界外",
                                   "{mu} mu outside the urban development boundary"),
    "sl_detail.use_not_allowed": ("规划用途 {code} 不属于标准地出让用途",
                                  "planned use {code} is not a standard-land use"),
    "sl_detail.area_small": ("面积 {area} 亩,小于 {limit} 亩", "area {area} mu, below {limit} mu"),
    "sl_detail.area_large": ("面积 {area} 亩,大于 {limit} 亩,宜分宗出让",
                             "area {area} mu, above {limit} mu: offer in parts"),
    "sl_detail.irregular": ("紧凑度 {value},低于 {limit},需结合项目布局论证",
                            "compactness {value}, below {limit}: needs a layout study"),
    "sl_detail.narrow": ("宽度不小于 {limit} 米的部分仅占 {share}",
                         "only {share} of it is at least {limit} m wide"),
    "sl_detail.slope": ("平均坡度 {value}°,超过 {limit}°", "mean slope {value}°, above {limit}°"),
    "sl_detail.steep_share": ("坡度大于 {limit}° 的面积占 {share},需场地平整论证",
                              "{share} steeper than {limit}°: needs grading"),
    "sl_detail.servicing_below": ("基础设施为{have},未达到{need}", "servicing {have}, not {need}"),
    "sl_detail.no_road": ("距最近道路 {dist} 米,超过 {limit} 米",
                          "{dist} m from the nearest road, more than {limit} m"),
    "sl_detail.no_road_at_all": ("道路图层中无道路", "the roads layer holds no road"),
    "sl_detail.package_below": ("{field} {value},低于园区标准 {limit}",
                                "{field} {value}, below the zone's standard {limit}"),
    "sl_what.redlines": ("生态保护红线图层", "red-line layer"),
    "sl_what.farmland": ("永久基本农田图层", "farmland layer"),
    "sl_what.dev_boundary": ("城镇开发边界图层", "development-boundary layer"),
    "sl_what.land_use": ("用地性质", "land-use code"), "sl_what.dem": ("高程数据", "DEM"),
    "sl_what.dem_extent": ("覆盖地块的高程数据", "DEM over the parcel"),
    "sl_what.servicing": ("基础设施配套字段", "servicing field"),
    "sl_what.roads": ("道路图层", "roads layer"),
    "sl_what.assessments": ("区域评估图层或字段", "assessments layer or field"),
    "sl_what.acquisition": ("征收完成字段", "acquisition field"),
    "sl_what.dispute": ("权属争议字段", "ownership-dispute field"),
    "sl.summary_line": (
        "候选地块 {candidates} 宗 {candidates_mu:,.2f} 亩:可出让 {ready} 宗 {ready_mu:,.2f} 亩,"
        "有条件出让 {conditional} 宗 {conditional_mu:,.2f} 亩,"
        "暂不具备 {blocked} 宗 {blocked_mu:,.2f} 亩",
        "{candidates} candidate parcels, {candidates_mu:,.2f} mu: ready {ready} "
        "({ready_mu:,.2f} mu), ready with conditions {conditional} ({conditional_mu:,.2f} mu), "
        "blocked {blocked} ({blocked_mu:,.2f} mu)"),
    "sl.unverified_line": ("无法核验:缺少{what}({n} 宗)", "not verified: no {what} ({n} parcels)"),
    "sl.unlock_heading": ("解除后可释放土地最多的阻碍:", "What would unlock most land:"),
    "sl.unlock_line": ("{reason}:单独阻碍 {only} 宗 {only_mu:,.2f} 亩(共阻碍 {blocks} 宗 "
                       "{blocks_mu:,.2f} 亩)", "{reason}: alone blocks {only} parcels, "
                       "{only_mu:,.2f} mu (blocks {blocks}, {blocks_mu:,.2f} mu in all)"),
    "sl.sheet_title": ("标准地出让指标表", "Standard-land indicator sheet"),
    "sl.sheets_title": ("标准地出让指标表目录", "Standard-land indicator sheets"),
    "sl.no_ready": ("暂无可出让地块。", "No parcel is ready."),
    "sl.outline": ("地块轮廓", "Parcel outline"), "sl.parcel_id": ("地块编号", "Parcel"),
    "sl.parcel_name": ("地块名称", "Name"), "sl.zone": ("所属园区", "Zone"),
    "sl.land_use": ("规划用途", "Planned use"), "sl.area": ("用地面积", "Area"),
    "sl.mu": ("亩", "mu"), "sl.ha": ("公顷", "ha"),
    "sl.location": ("位置(地块内一点)", "Location (a point inside)"),
    "sl.servicing": ("基础设施配套", "Site servicing"),
    "sl.package": ("出让指标", "Indicator package"), "sl.indicator": ("指标", "Indicator"),
    "sl.value": ("本地块", "This parcel"), "sl.zone_standard": ("园区标准", "Zone standard"),
    "sl.package_note": ("指标随土地出让合同和“标准地”投资建设协议一并约定,按期考核。",
                        "The indicators are agreed with the land contract and the "
                        "standard-land investment agreement, and checked on schedule."),
    "sl.conditions": ("出让条件核验", "Conditions checked"),
    "sl.condition": ("条件", "Condition"), "sl.outcome": ("结论", "Outcome"),
    "sl.rules_used": ("所用规则", "Rules used"),
    "layer.standard_land": ("标准地出让条件", "Standard-land readiness"),
    "title.standard_land": ("标准地出让条件", "Standard-land readiness"),
    "sheet.sl_parcels": ("候选地块", "Candidate parcels"),
    "sheet.sl_zones": ("园区汇总", "Zones"), "sheet.sl_unlock": ("阻碍排序", "Blocking reasons"),
    "demo.standard_land": ("标准地", "Standard land"),
    "demo.standard_land_text": (
        "未供应地块能否带指标包按“标准地”出让:八项条件逐宗核验,列出阻碍及解除后可释放的土地。",
        "Which unsupplied parcels can be offered as standard land with their indicator package: "
        "eight conditions per parcel, the blocking reasons and the land each would unlock."),
    "demo.standard_land_map": ("标准地出让条件地图", "Standard-land readiness map"),
    "demo.standard_land_tables": ("逐宗核验表、园区汇总与阻碍排序",
                                  "Parcel conditions, zone summary and blocking reasons"),
    "demo.n_sheets": ("{n} 份", "{n} sheets"),
    # 一区多园 consolidation (gaoxin consolidate): factors, relations, decisions, summary,
    # the plan report and the demo.
    "demo.step.consolidation": ("一区多园整合托管 …", "consolidation under one zone, many parks …"),
    "cons_factor.proximity": ("区位相邻", "Proximity"),
    "cons_factor.admin": ("行政邻近", "Administrative nearness"),
    "cons_factor.industry": ("产业相近", "Industry similarity"),
    "cons_factor.fragmentation": ("分布零散", "Fragmentation"),
    "cons_relation.same_county": ("同一区县", "same county"),
    "cons_relation.adjacent_county": ("相邻区县", "adjacent county"),
    "cons_relation.same_city": ("同一地级市", "same prefecture"),
    "cons_relation.other": ("不同地级市", "other prefecture"),
    "cons_relation.unknown": ("行政区不明", "county unknown"),
    "cons_decision.assign": ("建议整合托管", "consolidate"),
    "cons_decision.alone": ("暂不整合", "leave alone"),
    "cons_decision.hosted": ("已托管", "already hosted"),
    "cons.summary_line": (
        "{parks} 个园区(已托管 {hosted} 个)、{zones} 个高新区,候选配对 {pairs} 对;最优方案整合 "
        "{assigned} 个园区,总分 {plan_score:.2f}(逐对贪心:{greedy_assigned} 个,{greedy_score:.2f})",
        "{parks} parks ({hosted} already hosted), {zones} zones, {pairs} candidate pairs; the "
        "optimal plan consolidates {assigned} parks, total score {plan_score:.2f} (greedy: "
        "{greedy_assigned}, {greedy_score:.2f})"),
    "cons.host_line": ("{zone}:{parks}", "{zone}: {parks}"),
    "cons.scattered_line": ("小而散园区(不大于 {small} 平方公里或多区块"
        ")用地占园区与高新区总面积的 {share:.1%}",
                            "Small or scattered parks (≤ {small} km² or several blocks) hold "
                            "{share:.1%} of the parks' and zones' land"),
    "cons.clusters_line": ("远离高新区的小园区群 {n} 个,可作为新设开发区的区块候选",
                           "{n} clusters of small parks far from any zone could form a new zone"),
    "cons.existing_line": ("整合前已超出限制:{what}", "Over a limit before any merger: {what}"),
    "cons.unknown_industries": ("未对照行业代码的主导产业:{names}"
                                "(可在规则“主导产业的行业代码”中补充)",
                                "Leading industries without a code: {names} (add them to the "
                                "rules' industry_codes)"),
    "cons.no_counties": ("无县级行政区图层:按区县、市字段判断同县同市,无法判断相邻区县",
                         "No county layer: same county and city from the attributes; adjacency "
                         "not known"),
    "cons.no_roads": ("无道路图层:区位相邻按边界距离计算", "No road layer: proximity uses the "
                      "boundary distance"),
    "cons.reason_assign": (
        "与{zone}{relation},{distance_kind} {km:,.1f} 公里;产业相近度 {industry:.2f};园区零散度 "
        "{fragmentation:.2f};得分 {score:.2f}。整合后区块 {blocks_before} → {blocks_after} 个,"
        "面积 {area_before:,.2f} → {area_after:,.2f} 平方公里",
        "{relation} as {zone}, {distance_kind} {km:,.1f} km; industry similarity {industry:.2f}; "
        "fragmentation {fragmentation:.2f}; score {score:.2f}. Host blocks {blocks_before} → "
        "{blocks_after}, area {area_before:,.2f} → {area_after:,.2f} km²"),
    "cons.distance_road": ("道路距离", "by road"),
    "cons.distance_boundary": ("边界距离", "boundary distance"),
    "cons.reason_constrained": ("有得分达标的高新区({zone},{score:.2f}"
        "),但受区块数或每县一个省级开发区的限制未纳入",
                                "A zone scores enough ({zone}, {score:.2f}) but the block or "
                                "one-provincial-zone-per-county limit keeps it out"),
    "cons.reason_low": ("最高得分 {score:.2f}({zone}),低于纳入方案的 {limit:.2f}",
                        "Best score {score:.2f} ({zone}), below the plan's {limit:.2f}"),
    "cons.reason_none": ("{km:,.0f} 公里内无高新区", "No zone within {km:,.0f} km"),
    "cons.reason_hosted": ("已由{zone}托管", "Already hosted by {zone}"),
    "cons.over_area": ("整合后面积超过 {limit:,.0f} 平方公里(提示)",
                       "Area after merging above {limit:,.0f} km² (flagged)"),
    "cons.sharing": ("地区生产总值 {gdp} 万元、财政收入 {fiscal} 万元,高新区分成 {share}",
                     "GDP {gdp} (10k CNY), fiscal revenue {fiscal}, host's share {share}"),
    "cons.report_title": ("一区多园整合托管方案", "Consolidation plan"),
    "cons.plan_heading": ("方案(每个园区至"
        "多一个托管高新区)", "The plan (each park at most one host)"),
    "cons.method": (
        "最优方案:整数规划精确求解,在区块数与每县一个省级开发区等硬约束下"
        "使总分最大;与逐对贪心选择比较。",
        "Optimal plan: an integer program (scipy.optimize.milp, HiGHS) maximising the total score "
        "under the hard limits (blocks per zone, one provincial zone per county); compared with "
        "the greedy choice."),
    "cons.park": ("园区", "Park"), "cons.host": ("拟托管高新区", "Proposed host"),
    "cons.decision": ("结论", "Decision"), "cons.reasons": ("理由", "Reasons"),
    "cons.greedy": ("贪心选择", "Greedy choice"),
    "cons.constraints_heading": ("约束", "Limits"),
    "cons.constraint_blocks": ("每个开发区区块数不超过 {n} 个(适用于:{levels})",
                               "At most {n} blocks per zone (levels: {levels})"),
    "cons.constraint_county": ("每个区县省级开发区"
        "不超过 {n} 个", "At most {n} provincial zone(s) per county"),
    "cons.constraint_area": ("省级开发区面积不超过 {n:,.0f} 平方公里({how})",
                             "Provincial zone area at most {n:,.0f} km² ({how})"),
    "cons.hard": ("硬约束", "binding"), "cons.flag_only": ("仅提示", "flagged only"),
    "cons.sensitivity_heading": ("敏感性:参数变化 ±50% 时排序与方案的变化",
                                 "Sensitivity: how ranking and plan move when a parameter changes "
                                 "by ±50 %"),
    "cons.clusters_heading": ("新设开发区候选(远离高新区的小园区群)",
                              "New-zone candidates (small parks far from any zone)"),
    "cons.none": ("无", "none"),
    "layer.cons_parks": ("园区(按拟托管高新区着色)", "Parks by proposed host"),
    "layer.cons_links": ("园区—高新区整合连线", "Park to host"),
    "title.consolidation": ("一区多园整合托管", "Consolidation"),
    "sheet.cons_pairs": ("候选配对", "Candidate pairs"),
    "sheet.cons_plan": ("整合方案", "Plan"),
    "sheet.cons_clusters": ("新设开发区候选", "New-zone clusters"),
    "sheet.cons_sensitivity": ("敏感性分析", "Sensitivity"),
    "sheet.cons_land_use": ("整合前后土地利用", "Land use before and after"),
    "cons.figure": ("指标", "Figure"),
    "cons.before": ("整合前", "Before"), "cons.after": ("整合后", "After"),
    "cons.land_use_heading": ("整合前后土地利用(按地块土地状态)",
                              "Hosts' land use before and after (from parcel status)"),
    "cons.no_parcels": ("工作区无带土地状态的地块:整合前后的土地利用未计算",
                        "No parcels with land status: land use before and after not computed"),
    "demo.consolidation": ("一区多园", "Consolidation"),
    "demo.consolidation_text": (
        "哪些区位相邻、产业相近、分布零散的园区宜由哪个高新区"
            "整合或托管:逐对打分、最优方案、地区生产总值与财税分成。",
        "Which nearby, related, scattered parks each zone should integrate or entrust: pairs "
        "scored, the optimal plan, and the sharing of GDP and fiscal revenue."),
    "demo.consolidation_map": ("整合托管方案地图", "Consolidation map"),
    "demo.consolidation_tables": ("候选配对、方案、敏感性分析", "Pairs, plan and sensitivity"),
    "demo.consolidation_report": ("整合托管方案报告(可打印)", "Plan report (printable)"),
    # Evaluation types of a development zone.
    **{f"zone_type.{k}": v for k, v in intensity.ZONE_TYPES.items()},
    # Levels of a development zone, as a sentence names them.
    "zone_level.national": ("国家级", "national"),
    "zone_level.provincial": ("省级", "provincial"),
    "zone_level.unknown": ("该", "(unknown)"),
    # Land-status classes of the survey (gaoxin.kinds), by code.
    **{f"land_status.{code}": (name, LAND_STATUS_NAMES_EN[code])
       for code, name in LAND_STATUS_CODES.items()},
    # The checks of an expansion request (gaoxin.report.checks): a title per check and a
    # message per outcome, "check.<check>.<outcome>"; the red-line, farmland and other-zones
    # checks share "check.overlap.<outcome>", naming the constraint by the check's title.
    "check.area": ("{mu:,.2f} 亩 ({ha:,.4f} 公顷, {sq_m:,.1f} m²)",
                   "{mu:,.2f} mu ({ha:,.4f} ha, {sq_m:,.1f} m²)"),
    "check.distance": ("{m:,.0f} m", "{m:,.0f} m"),
    "check.geometry.title": ("申请范围几何", "Request geometry"),
    "check.geometry.invalid": ("申请范围几何无效:{problems}",
                               "invalid request geometry: {problems}"),
    "check.geometry.slivers": ("{parts} 个区块,其中 {n_slivers} 个为碎片或狭长图形(区块 {slivers})",
                               "{parts} blocks, {n_slivers} of them slivers (blocks {slivers})"),
    "check.geometry.valid": ("几何有效、闭合、无自相交;{parts} 个区块,共 {area}",
                             "valid, closed, no self-intersection; {parts} blocks, {area} in all"),
    "check.redline.title": ("生态保护红线", "ecological red line"),
    "check.farmland.title": ("永久基本农田", "permanent basic farmland"),
    "check.other_zones.title": ("其他开发区与园区", "other zones and parks"),
    "check.overlap.no_layer": ("工作区未提供{name}图层,未检查",
                               "no {name} layer in the workspace: not checked"),
    "check.overlap.overlap": ("与{name}重叠 {patches} 处,共 {area}",
                              "overlaps {patches} {name} patches, {area} in all"),
    "check.overlap.tolerated": ("不占用{name}(重叠 {area},在允许范围内)",
                                "no {name} overlap ({area}, within tolerance)"),
    "check.overlap.none": ("不占用{name}", "no {name} overlap"),
    "check.dev_boundary.title": ("城镇开发边界", "Urban development boundary"),
    "check.dev_boundary.no_layer": ("工作区未提供城镇开发边界,未检查",
                                    "no urban development boundary in the workspace: not checked"),
    "check.dev_boundary.outside": ("{share:.2%} 位于城镇开发边界外({area})",
                                   "{share:.2%} lies outside the urban development boundary "
                                   "({area})"),
    "check.dev_boundary.inside": ("全部位于城镇开发边界内",
                                  "entirely inside the urban development boundary"),
    "check.contiguity.title": ("集中连片", "Contiguity"),
    "check.contiguity.blocks": (
        "现有 {existing_blocks} 个区块,扩区后 {blocks_after} 个(上限 {max_blocks});"
        "申请区块距现有区块 {distances}",
        "{existing_blocks} existing blocks, {blocks_after} after expansion "
        "(limit {max_blocks}); request parts lie {distances} from them"),
    "check.size.title": ("面积", "Size"),
    "check.size.no_limit": ("扩区后 {after_ha:,.2f} 公顷;{level}开发区无面积上限规定",
                            "{after_ha:,.2f} ha after expansion; no maximum for level {level}"),
    "check.size.limit": ("扩区后 {after_ha:,.2f} 公顷,上限 {limit_ha:,.0f} 公顷",
                         "{after_ha:,.2f} ha after expansion, limit {limit_ha:,.0f} ha"),
    "check.terrain.title": ("地形", "Terrain"),
    "check.terrain.no_layer": ("工作区未提供 DEM,未检查", "no DEM in the workspace: not checked"),
    "check.terrain.too_coarse": (
        "DEM 分辨率({cell})相对申请范围过粗,无法计算坡度;请提供更细的 DEM",
        "the DEM's cells ({cell}) are too coarse for the request: no slope can be computed "
        "inside it; give a finer DEM"),
    "check.terrain.cell_deg": ("{size:g}°", "{size:g}°"),
    "check.terrain.cell_m": ("{size:g} m", "{size:g} m"),
    "check.terrain.not_covered": ("DEM 未覆盖申请范围", "the DEM does not cover the request"),
    "check.terrain.slopes": (
        "平均坡度 {mean_slope_deg:.1f}°,最大 {max_slope_deg:.1f}°;坡度大于 {steep_slope_deg:g}° "
        "的面积占 {steep_share:.1%};高程 {min_elevation_m:.0f}–{max_elevation_m:.0f} m",
        "mean slope {mean_slope_deg:.1f}°, max {max_slope_deg:.1f}°; {steep_share:.1%} steeper "
        "than {steep_slope_deg:g}°; elevation {min_elevation_m:.0f}–{max_elevation_m:.0f} m"),
    "check.land_use.title": ("现状土地利用", "Current land use"),
    "check.land_use.no_layer": ("工作区未提供带土地状态的地块图层,未检查",
                                "no parcels with land-status codes in the workspace: not checked"),
    "check.land_use.no_parcels": ("申请开发区内没有地块数据", "no parcels of the applicant zone"),
    "check.land_use.rate": ("{name} {value}", "{name} {value}"),
    "check.land_use.percent": ("{value:.1%}", "{value:.1%}"),
    "check.land_use.ratio": ("{value:.2f}", "{value:.2f}"),
    "check.land_use.rates": ("{rates}", "{rates}"),
    "check.land_use.below": ("{rates}。未达参考线:{below}",
                             "{rates}. Below the reference: {below}"),
    # The land-use check names the evaluation's indicators inside a sentence (lower case).
    **{f"check.land_use.indicator.{k}": (intensity.INDICATOR_LABELS[k][0],
                                         _in_sentence(intensity.INDICATOR_LABELS[k][1]))
       for k in ("development_rate", "supply_rate", "built_rate", "idle_rate", "plot_ratio")},
}


def field_en(kind: str, name: str) -> str:
    """English label of a canonical field, without its unit."""
    return _FIELD_EN.get(f"{kind}.{name}") or _FIELD_EN.get(name) or \
        name.replace("_", " ").capitalize()


# English labels of canonical fields where the field name does not read as one.
_FIELD_EN = {
    "approved_area_ha": "Approved area", "energy_tce": "Energy use", "industry_std": "Code version",
    "parcels.zone_id": "Zone", "rd_spend": "R&D spending",
    "planned_far_min": "Minimum plot ratio (planned)", "emission": "Pollutant emissions",
    "planned_far_max": "Maximum plot ratio (planned)",
}


def _indicator_columns() -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for k, (zh, en, unit, _) in intensity.INDICATOR_LABELS.items():
        out[k] = (zh, en, unit)
        out[f"s_{k}"] = (f"{zh}标准化值", f"{en} (standardised)", "")
    for k, (zh, en, unit, *_) in per_mu.INDICATORS.items():
        out[k] = (zh, en, unit)
        out[f"score_{k}"] = (f"{zh}得分", f"{en} score", "")
    return out


# Column -> (label_zh, label_en, unit). Built from the canonical fields of gaoxin.kinds
# ("kind.field"), the indicators of the analyses, and the result columns below.
COLUMNS: dict[str, tuple[str, str, str]] = {
    **{f"{k}.{f.name}": (f.label_zh, field_en(k, f.name), f.unit)
       for k, kind in KINDS.items() for f in kind.fields},
    **_indicator_columns(),
    # Areas, computed for every polygon layer.
    "area_m2": ("面积", "Area", "m²"), "area_ha": ("面积", "Area", "公顷"),
    "area_mu": ("面积", "Area", "亩"),
    "planar_area_m2": ("高斯平面面积", "Plane area (Gauss-Krüger)", "m²"),
    # Plot ratio and industrial control, per parcel.
    "far": ("容积率", "Plot ratio", ""), "plot_ratio": ("容积率", "Plot ratio", ""),
    "parcel_area_m2": ("用地面积", "Area", "m²"),
    "floor_area_m2": ("建筑面积", "Floor area", "m²"),
    "footprint_m2": ("建筑基底面积", "Footprint", "m²"),
    "plot_ratio_known": ("容积率(已知层数部分,下限)", "Plot ratio (known floors, lower bound)",
                         ""),
    "building_coverage": ("建筑系数", "Building coverage", "%"),
    "unknown_floors": ("层数与高度均缺失的建筑数", "Buildings with neither floors nor height", ""),
    "computable": ("可计算", "Computable", ""), "industrial": ("工业地块", "Industrial", ""),
    "far_min": ("容积率控制值", "Minimum plot ratio", ""),
    "far_ok": ("容积率达标", "Plot ratio ok", ""),
    "coefficient_ok": ("建筑系数达标(≥30%)", "Coverage ok (≥30 %)", ""),
    "admin_share": ("行政办公比重", "Admin share", "%"),
    "admin_ok": ("行政办公达标(≤7%)", "Admin ok (≤7 %)", ""),
    "far_status": ("容积率核查", "Plot ratio check", ""),
    "far_reason": ("容积率不可比较原因", "Plot ratio not comparable because", ""),
    "coefficient_status": ("建筑系数核查", "Coverage check", ""),
    "coefficient_reason": ("建筑系数不可比较原因", "Coverage not comparable because", ""),
    "admin_status": ("行政办公核查", "Admin share check", ""),
    "admin_reason": ("行政办公不可比较原因", "Admin share not comparable because", ""),
    "check_class": ("核查结论", "Check result", ""),
    "notes.note": ("说明", "Note", ""),
    "check_counts.check": ("核查项", "Check", ""),
    "check_counts.total": ("工业地块数", "Industrial parcels", ""),
    "check_counts.compared": ("比较", "Compared", ""),
    "check_counts.passed": ("达标", "Pass", ""), "check_counts.failed": ("不达标", "Fail", ""),
    "check_counts.failed_pct": ("不达标占比较", "Fail of compared", "%"),
    "check_counts.not_comparable": ("不可比较", "Not comparable", ""),
    "check_counts.reasons": ("不可比较原因", "Not comparable because", ""),
    # Per zone (the plot-ratio summary and the land-intensity evaluation).
    "zones.parcels": ("地块数", "Parcels", ""),
    "zones.parcels_unknown": ("无法计算地块数", "Not computable", ""),
    "zones.area_m2": ("总面积", "Area", "m²"), "built_m2": ("已建成面积", "Built", "m²"),
    "industrial_m2": ("工业用地面积", "Industrial", "m²"),
    "industrial_floor_area_m2": ("工业建筑面积", "Industrial floor area", "m²"),
    "industrial_footprint_m2": ("工业建筑基底", "Industrial footprint", "m²"),
    "total_ha": ("总面积", "Total area", "公顷"), "built_ha": ("已建成面积", "Built", "公顷"),
    "ready_ha": ("已达到供地条件面积", "Ready for supply", "公顷"),
    "not_ready_ha": ("未达到供地条件面积", "Not ready for supply", "公顷"),
    "unbuildable_ha": ("不可建设面积", "Unbuildable", "公顷"),
    "unknown_status_ha": ("土地状态不明面积", "Status unknown", "公顷"),
    "supplied_ha": ("已供应面积", "Supplied", "公顷"), "idle_ha": ("闲置土地面积", "Idle", "公顷"),
    "industrial_ha": ("工业用地面积", "Industrial", "公顷"),
    "high_tech_ha": ("高新技术产业用地面积", "High-tech industry", "公顷"),
    "floor_area_ha": ("建筑面积", "Floor area", "公顷"),
    "residential_ha": ("住宅用地面积", "Residential", "公顷"),
    "residential_rate": ("住宅用地率", "Residential share", "%"),
    "population": ("人口", "Population", "人"),
    "zone_type": ("评价类型代码", "Zone type code", ""),
    "zone_type_label": ("类型", "Type", ""), "score": ("集约度分值", "Score", ""),
    "zones.plot_ratio": intensity.INDICATOR_LABELS["plot_ratio"][:3],
    # Per enterprise and per parcel of the 亩均 evaluation.
    "land_mu": ("用地", "Land", "亩"), "enterprises.score": ("综合得分", "Score", ""),
    "class": ("类别", "Class", ""),
    "class_share": ("占参评企业", "Share of evaluated", "%"),
    "enterprises.reason": ("未参评原因", "Not evaluated because", ""),
    "parcel_ids": ("地块", "Parcels", ""), "enterprises.parcels": ("地块数", "Parcel count", ""),
    "enterprises.zone_id": ("所属园区", "Zone", ""), "evaluated": ("参评", "Evaluated", ""),
    "firms": ("企业数", "Enterprises", ""), "main_enterprise": ("主要企业", "Main enterprise", ""),
    "revenue": ("营业收入", "Revenue", "万元"), "tax": ("税收", "Tax", "万元"),
    # Low-efficiency land.
    "rank": ("排序", "Rank", ""), "reason_label": ("原因", "Reason", ""),
    "densify_floor_m2": ("达到控制值尚缺建筑面积", "Floor area to reach minimum", "m²"),
    "freed_mu": ("可腾退面积", "Land freed", "亩"),
    # 标准地 readiness, per candidate parcel, per zone and per blocking reason.
    "redline_mu": ("与生态保护红线重叠", "In the red line", "亩"),
    "farmland_mu": ("占用永久基本农田", "In farmland", "亩"),
    "outside_boundary_mu": ("城镇开发边界外", "Outside the boundary", "亩"),
    "use_category": ("用途类别", "Use category", ""), "compactness": ("紧凑度", "Compactness", ""),
    "inscribed_width_m": ("最大内切圆直径", "Widest point", "m"),
    "usable_share": ("满足最小宽度面积占比", "Share wide enough", "%"),
    "mean_slope_deg": ("平均坡度", "Mean slope", "°"),
    "steep_share": ("陡坡面积占比", "Steep share", "%"),
    "servicing_level": ("基础设施配套", "Servicing", ""),
    "road_distance_m": ("距最近道路", "To nearest road", "m"),
    "assessments_missing": ("未完成的区域评估", "Assessments not done", ""),
    "cond_spatial": ("三区三线", "Spatial conflicts", ""),
    "cond_use": ("规划用途", "Planned use", ""),
    "cond_shape": ("面积与形状", "Size and shape", ""),
    "cond_terrain": ("地形坡度", "Terrain", ""),
    "cond_servicing": ("基础设施配套条件", "Servicing", ""),
    "cond_assessment": ("区域评估", "Regional assessments", ""),
    "cond_acquisition": ("征收与权属", "Acquisition", ""),
    "cond_indicators": ("指标包", "Indicator package", ""),
    "readiness": ("出让条件", "Readiness", ""), "reasons": ("原因", "Reasons", ""),
    "sl_zones.candidates": ("候选地块", "Candidates", ""),
    "sl_zones.candidates_mu": ("候选面积", "Candidate area", "亩"),
    "sl_zones.ready": ("可出让", "Ready", ""), "sl_zones.ready_mu": ("可出让面积", "Ready", "亩"),
    "sl_zones.conditional": ("有条件出让", "Conditional", ""),
    "sl_zones.conditional_mu": ("有条件出让面积", "Conditional", "亩"),
    "sl_zones.blocked": ("暂不具备", "Blocked", ""),
    "sl_zones.blocked_mu": ("暂不具备面积", "Blocked", "亩"),
    "unlock.reason": ("阻碍", "Blocking reason", ""),
    "unlock.only": ("单独阻碍地块", "Parcels it alone blocks", ""),
    "unlock.only_mu": ("单独阻碍面积", "Land it alone blocks", "亩"),
    "unlock.blocks": ("阻碍地块", "Parcels it blocks", ""),
    "unlock.blocks_mu": ("阻碍面积", "Land it blocks", "亩"),
    # 一区多园 consolidation: pairs, plan, clusters, sensitivity.
    "cons.boundary_km": ("边界距离", "Boundary distance", "km"),
    "cons.road_km": ("道路距离", "Road distance", "km"),
    "cons.travel_km": ("计分距离", "Distance scored", "km"),
    "cons.relation": ("行政关系", "Administrative relation", ""),
    "cons.proximity": ("区位相邻得分",
        "Proximity", ""), "cons.admin": ("行政邻近得分", "Administrative", ""),
    "cons.industry": ("产业相近得分", "Industry similarity", ""),
    "cons.fragmentation": ("分布零散得分", "Fragmentation", ""),
    "cons.score": ("总分", "Score", ""), "cons.rank": ("排名", "Rank", ""),
    "cons.ind_exact": ("相同行业代码数", "Codes in common", ""),
    "cons.ind_partial": ("同门类行业代码数", "Codes in the same group", ""),
    "cons.ind_union": ("行业代码总数", "Codes in all", ""),
    "cons.industry_known": ("双方均有行业代码", "Both sides coded", ""),
    "cons.adds_block": ("新增区块", "Adds a block", ""),
    "cons.area_km2": ("面积", "Area", "km²"), "cons.blocks": ("区块数", "Blocks", ""),
    "cons.spread": ("形态松散度", "Spread", ""), "cons.codes": ("行业代码", "Industry codes", ""),
    "cons.decision": ("结论", "Decision", ""),
    "cons.host_zone_id": ("拟托管高新区", "Proposed host", ""),
    "cons.greedy_host_zone_id": ("贪心选择的高新区", "Greedy host", ""),
    "cons.host_blocks_before": ("高新区整合前区块数", "Host blocks before", ""),
    "cons.host_blocks_after": ("高新区整合后区块数", "Host blocks after", ""),
    "cons.host_area_before_km2": ("高新区整合前面积", "Host area before", "km²"),
    "cons.host_area_after_km2": ("高新区整合后面积", "Host area after", "km²"),
    "cons.over_area_cap": ("超过面积上限", "Over the area limit", ""),
    "cons.host_share": ("高新区分成比例", "Host's share", "%"),
    "cons.host_gdp": ("高新区分得地区生产总值", "Host's GDP", "万元"),
    "cons.host_fiscal": ("高新区分得财政收入", "Host's fiscal revenue", "万元"),
    "cons.reasons_text": ("理由", "Reasons", ""),
    "cons.cluster": ("园区群", "Cluster", ""), "cons.parks": ("园区数", "Parks", ""),
    "cons.park_ids": ("园区编号", "Parks", ""),
    "cons.over_blocks": ("超过区块数上限", "Over the block limit", ""),
    "cons.parameter": ("参数", "Parameter", ""), "cons.factor": ("变化倍数", "Factor", ""),
    "cons.value": ("默认值", "Default", ""), "cons.new_value": ("变化后", "Changed to", ""),
    "cons.pairs": ("候选配对数",
        "Pairs", ""), "cons.pairs_change": ("配对数变化", "Change in pairs", ""),
    "cons.rank_correlation": ("斯皮尔曼等级相关系数", "Rank correlation (Spearman)", ""),
    "cons.top_kept": ("前列配"
        "对保留数", "Top pairs kept", ""), "cons.top": ("前列配对数", "Top pairs", ""),
    "cons.plan_changes": ("方案变化的园区数", "Parks whose host changes", ""),
    "proposed_host": ("拟托管高新区", "Proposed host", ""), "cons.key": ("键", "Key", ""),
    # A host's land use before and after taking its parks (from the parcels).
    **{f"cons.{rate}_{when}": (f"{intensity.INDICATOR_LABELS[rate][0]}({when_zh})",
                               f"{intensity.INDICATOR_LABELS[rate][1]} ({when})", "%")
       for rate in ("development_rate", "supply_rate", "built_rate", "idle_rate",
                    "industrial_rate")
       for when, when_zh in (("before", "整合前"), ("after", "整合后"))},
    "cons.total_ha_before": ("整合前面积", "Area before", "公顷"),
    "cons.total_ha_after": ("整合后面积", "Area after", "公顷"),
    "cons.parks_without_parcels": ("无地块数据的园区", "Parks without parcels", ""),
    # Expansion checks and conflicts.
    "verdict": ("结论", "Verdict", ""), "grade": ("等级", "Grade", ""),
    "reason": ("原因", "Reason", ""), "layer": ("图层", "Layer", ""),
    "constraint": ("约束", "Constraint", ""), "patch_id": ("图斑编号", "Patch", ""),
    "name": ("名称", "Name", ""),
    "conflict_area_mu": ("冲突面积", "Conflict area", "亩"),
    "conflict_area_ha": ("冲突面积", "Conflict area", "公顷"),
    "checks.check": ("检查项", "check", ""), "checks.status": ("结论", "status", ""),
    "checks.details": ("说明", "details", ""),
    # The national benchmarks sheet (intensity.benchmark_table): an indicator a row, its
    # label with unit in the cell; the national values by monitoring year ({year} filled in).
    "benchmarks.indicator": ("指标", "Indicator", ""),
    "benchmarks.national": ("{year}年全国监测值", "National value {year}", ""),
    # The minimum plot-ratio table (plot_ratio.min_plot_ratio_table).
    "minimum_table.standard": ("控制标准", "Standard", ""),
    "minimum_table.code_version": ("行业分类版本", "Code version", ""),
    "minimum_table.code": ("行业代码", "Industry code", ""),
    "minimum_table.industry": ("行业名称", "Industry", ""),
    "minimum_table.confidence": ("可信度", "Confidence", ""),
    "minimum_table.source": ("依据", "Source", ""),
    "minimum_table.overridden": ("工作区已修改", "Overridden", ""),
}


AREA_DECIMALS = {"area_mu": 2, "area_ha": 4, "area_m2": 1}


def label(key: str, lang: str) -> str:
    """A word or phrase of :data:`LABELS` in ``lang`` (``"zh"`` or ``"en"``).

    Examples
    --------
    >>> label("sheet.rules", "zh"), label("sheet.rules", "en")
    ('规则', 'Rules')
    >>> label("demo.n_layers", "zh").format(n=3)
    '3 个图层'
    """
    return LABELS[key][LANGS.index(lang)]


# Locale codes third-party parts of the map take (tiles, the measure control), by language;
# The language code of an HTML page (its lang attribute), by language.
LOCALES: dict[str, tuple[str, str]] = {"amap": ("zh_cn", "en"), "measure": ("cn", "en"),
                                       "html": ("zh-CN", "en")}


def locale(part: str, lang: str) -> str:
    """The locale code ``part`` of the map takes for ``lang``.

    Examples
    --------
    >>> locale("amap", "zh")
    'zh_cn'
    """
    return LOCALES[part][LANGS.index(lang)]


def bilingual(zh: str, en: str, lang: str) -> str:
    """Of a text given in both languages (a layer kind's label), the one in ``lang``.

    Examples
    --------
    >>> bilingual("面积", "Area", "en")
    'Area'
    """
    return (zh, en)[LANGS.index(lang)]


def unit_label(unit: str, lang: str) -> str:
    """A unit in ``lang``: ``公顷`` reads ``ha`` in English.

    Examples
    --------
    >>> unit_label("万元/亩", "en")
    '10k CNY/mu'
    """
    return UNITS[unit][LANGS.index(lang)] if unit in UNITS else unit


def column(name: str, lang: str, rows: str | None = None) -> str:
    """Label of column ``name`` with its unit: ``面积(亩)``, ``Area (mu)``.

    ``rows`` is the kind of the table's rows (``"parcels"``, ``"zones"``, ``"enterprises"``);
    a canonical field of that kind has its own label (a parcel's ``zone_id`` is 所属园区). A
    column the catalogue does not know (a field of the user's own) keeps its name.

    Examples
    --------
    >>> column("area_mu", "zh"), column("area_mu", "en")
    ('面积(亩)', 'Area (mu)')
    >>> column("approved_area_ha", "zh", "zones"), column("approved_area_ha", "en", "zones")
    ('核准面积(公顷)', 'Approved area (ha)')
    >>> column("zone_id", "zh", "parcels"), column("plot_ratio", "zh", "zones")
    ('所属园区', '综合容积率')
    >>> column("population_2020", "zh")
    'population_2020'
    """
    entry = COLUMNS.get(f"{rows}.{name}") or COLUMNS.get(name) or next(
        (COLUMNS[f"{k}.{name}"] for k in KINDS if f"{k}.{name}" in COLUMNS), None)
    if entry is None:
        return name
    text, unit = entry[LANGS.index(lang)], unit_label(entry[2], lang)
    return label("with_unit", lang).format(name=text, unit=unit) if unit else text


def column_label(name: str, kind: str | None, lang: str) -> str:
    """Label of a column of a map layer of ``kind`` (an input kind, ``"result"`` or None).

    Examples
    --------
    >>> column_label("parcel_id", "parcels", "en")
    'Parcel id'
    """
    return column(name, lang, kind)


def layer_label(kind: str | None, lang: str) -> str:
    """Display name of a layer kind.

    Examples
    --------
    >>> layer_label("parcels", "zh"), layer_label("parcels", "en")
    ('地块', 'Parcels')
    """
    if kind in KINDS:
        return bilingual(KINDS[kind].label_zh, KINDS[kind].label_en, lang)
    if f"layer.{kind}" in LABELS:
        return label(f"layer.{kind}", lang)
    return label("map.layer", lang)


def with_unit(name: str, unit: str) -> str:
    return f"{name}({unit})" if unit else name


def _by_lang(keys: dict[str, str]) -> dict[str, dict[str, str]]:
    return {lang: {k: label(v, lang) for k, v in keys.items()} for lang in LANGS}


# The map page's words by language, as the page script reads them.
TEXT: dict[str, dict[str, str]] = _by_lang(
    {k.removeprefix("map."): k for k in LABELS if k.startswith("map.")})
