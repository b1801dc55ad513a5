"""The needs (技术需求) Excel sheet: one row per need, saved through needs.services (imports.spec)."""

import re
from typing import Any

from techmarket.catalog.models import Visibility
from techmarket.catalog.visibility import can_edit, owner_label
from techmarket.imports.columns import (
    industry_choices,
    industry_dropdown,
    list_filters,
    load_by_external_key,
    normalise_industry,
    region_choices,
    region_dropdown,
    save_through,
)
from techmarket.imports.spec import EXTERNAL_KEY_HEADER, Column, ExportColumn, ImportSpec, Kind
from techmarket.reference.models import Industry, Region

from .fields import NEED_FIELDS
from .models import CooperationForm, CooperationMode, Education, Need, NeedKind, TalentMode
from .selectors import need_list_visible_to
from .services import need_create, need_update

_PARAM_SPLIT = re.compile(r"[；;\n]+")
_PIPE = re.compile(r"[|｜]")


def parse_parameters(text: str) -> list[dict[str, str]]:
    """ "指标|目标值|单位" items separated by ；, e.g. "容量保持率|≥85|%；循环寿命|3000|次"."""
    items = []
    for number, piece in enumerate((p.strip() for p in _PARAM_SPLIT.split(text) if p.strip()), start=1):
        parts = [p.strip() for p in _PIPE.split(piece)]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ValueError(
                f"第 {number} 项“{piece[:30]}”格式不对",
                "每项写成“指标|目标值|单位”（单位可省略），多项之间用“；”分隔",
            )
        items.append({"indicator": parts[0], "target": parts[1], "unit": parts[2] if len(parts) == 3 else ""})
    return items


def format_parameters(value: Any) -> str:
    return "；".join(
        f"{r['indicator']}|{r['target']}|{r['unit']}" if r.get("unit") else f"{r['indicator']}|{r['target']}"
        for r in value or []
    )


load_existing = load_by_external_key(Need)
save = save_through(
    create=need_create,
    update=lambda need, **kw: need_update(need=need, **kw),
    codes={"industry": Industry, "region": Region},
)
list_visible = list_filters(
    need_list_visible_to,
    text=("kind", "industry", "region", "status"),
    ints=("chain_node", "owner"),
    dates=("date_from", "date_to"),
)

_MULTI_HELP = "可填多个，用“、”分隔"

NEEDS = ImportSpec(
    key="needs",
    title="技术需求",
    columns=[
        Column(
            EXTERNAL_KEY_HEADER,
            "external_key",
            required=True,
            max_length=NEED_FIELDS["external_key"].max_length,
            sensitive=True,
            width=14,
            help="贵单位给这条需求的编号，同一单位内不能重复；再次导入时按此编号更新而不是新增",
            example="XQ-2025-001",
        ),
        Column(
            "标题",
            "title",
            **NEED_FIELDS.column("title"),
            width=30,
            help="2–120 字，写清要解决的技术问题",
            example="磷酸铁锂电池正极材料低温性能提升",
        ),
        Column(
            "需求类型",
            "kind",
            Kind.CHOICE,
            required=True,
            choices=NeedKind.choices,
            help="从下拉列表中选择",
            example="技术需求",
        ),
        Column(
            "公开摘要",
            "summary",
            **NEED_FIELDS.column("summary"),
            width=40,
            help="对所有可见用户展示的简介，不要写保密内容",
            example="提升 -20℃ 放电容量保持率",
        ),
        Column(
            "需求背景",
            "background",
            **NEED_FIELDS.column("background"),
            width=30,
            example="冬季北方市场续航投诉较多",
        ),
        Column(
            "技术难题",
            "problem",
            **NEED_FIELDS.column("problem"),
            width=40,
            help="要解决的具体技术问题；“技术需求”必填，人才需求和校企合作需求可不填",
            example="低温下容量衰减明显",
        ),
        Column(
            "技术指标",
            "parameters",
            Kind.CUSTOM,
            parse=parse_parameters,
            fmt=format_parameters,
            default=[],
            width=36,
            help="每项写成“指标|目标值|单位”，多项之间用“；”分隔",
            example="-20℃容量保持率|≥85|%；循环寿命|3000|次",
        ),
        Column(
            "现有方案及不足",
            "current_solution",
            **NEED_FIELDS.column("current_solution"),
            width=30,
            example="掺杂改性，成本高",
        ),
        Column(
            "预期成果",
            "expected_outcome",
            **NEED_FIELDS.column("expected_outcome"),
            width=30,
            example="中试样品及工艺包",
        ),
        Column(
            "预算下限（万元）",
            "budget_min",
            Kind.DECIMAL,
            **NEED_FIELDS.column("budget_min"),
            units=("万元", "万"),
            help="单位：万元，填数字，最多 2 位小数；可写“50”或“50万元”",
            example="50",
        ),
        Column(
            "预算上限（万元）",
            "budget_max",
            Kind.DECIMAL,
            **NEED_FIELDS.column("budget_max"),
            units=("万元", "万"),
            help="单位：万元，填数字，不低于预算下限",
            example="120",
        ),
        Column(
            "研发周期（月）",
            "rd_cycle_months",
            Kind.INT,
            **NEED_FIELDS.column("rd_cycle_months"),
            units=("个月", "月"),
            help="1–120 的整数，可写“18”或“18个月”",
            example="18",
        ),
        Column(
            "合作方式",
            "cooperation_modes",
            Kind.MULTI,
            choices=CooperationMode.choices,
            width=24,
            help=_MULTI_HELP + "，可选：" + "、".join(str(label) for label in CooperationMode.labels),
            example="合作开发、技术转让",
        ),
        # 人才需求 (kind=talent): what the enterprise looks for and how it brings people in.
        Column(
            "岗位名称",
            "talent_position",
            max_length=64,
            width=20,
            help="人才需求填写（人才需求须填岗位名称或技术难题），如“电池材料研发工程师”",
            example="",
        ),
        Column(
            "需求人数",
            "talent_count",
            Kind.INT,
            min_value=1,
            max_value=999,
            units=("人", "名"),
            help="人才需求填写，1–999 的整数，可写“3”或“3人”",
            example="",
        ),
        Column(
            "专业领域",
            "talent_field",
            max_length=128,
            width=20,
            help="人才需求填写，如“材料科学与工程”",
            example="",
        ),
        Column(
            "学历要求",
            "talent_education",
            Kind.CHOICE,
            choices=Education.choices,
            default=Education.ANY,
            help="人才需求填写，留空为“不限”，可选：" + "、".join(str(label) for label in Education.labels),
            example="",
        ),
        Column(
            "引才方式",
            "talent_modes",
            Kind.MULTI,
            choices=TalentMode.choices,
            width=20,
            help="人才需求填写，"
            + _MULTI_HELP
            + "，可选："
            + "、".join(str(label) for label in TalentMode.labels),
            example="",
        ),
        # 校企合作需求 (kind=cooperation)
        Column(
            "合作形式",
            "cooperation_forms",
            Kind.MULTI,
            choices=CooperationForm.choices,
            width=24,
            help="校企合作需求填写（须填合作形式或技术难题），"
            + _MULTI_HELP
            + "，可选："
            + "、".join(str(label) for label in CooperationForm.labels),
            example="",
        ),
        Column(
            "所属行业",
            "industry",
            Kind.CODE,
            choices=industry_choices,
            dropdown=industry_dropdown,
            normalise=normalise_industry,
            width=24,
            getter=lambda need: need.industry_id,
            help="GB/T 4754-2017 行业代码，如 C26 或 26，也可只填门类字母",
            example="C26",
        ),
        Column(
            "所在地区",
            "region",
            Kind.CODE,
            choices=region_choices,
            dropdown=region_dropdown,
            width=20,
            getter=lambda need: need.region_id,
            help="GB/T 2260 六位行政区划代码",
            example="371302",
        ),
        Column(
            "截止日期",
            "deadline",
            Kind.DATE,
            help="日期，不早于今天；可写 2026-06-30、2026/6/30、2026.6.30、2026年6月30日、20260630 或 Excel 日期",
            example="2030-06-30",
        ),
        Column(
            "可见范围",
            "visibility",
            Kind.CHOICE,
            choices=Visibility.choices,
            default=Visibility.PUBLIC,
            help="留空为“公开”",
            example="公开",
        ),
        Column(
            "匿名发布", "is_anonymous", Kind.BOOL, default=False, help="是 / 否，留空为“否”", example="否"
        ),
        Column(
            "联系人", "contact_name", **NEED_FIELDS.column("contact_name"), sensitive=True, example="张工"
        ),
        Column(
            "联系电话",
            "contact_phone",
            **NEED_FIELDS.column("contact_phone"),
            sensitive=True,
            example="0539-8888888",
        ),
        Column(
            "保密详情",
            "confidential_detail",
            **NEED_FIELDS.column("confidential_detail"),
            sensitive=True,
            width=30,
            help="仅在您授权后对申请方机构可见",
            example="配方与工艺窗口另附",
        ),
    ],
    load_existing=load_existing,
    save=save,
    export_columns=[
        ExportColumn("所属机构", lambda need, user: owner_label(user, need), width=24),
        ExportColumn("状态", lambda need, user: need.get_status_display(), width=10),
        ExportColumn("发布时间", lambda need, user: need.published_at, width=18),
    ],
    can_edit=can_edit,
    list_visible=list_visible,
    creates_drafts=True,
)
