"""The achievements (科技成果) sheet, saved through techmarket.achievements.services.

Team members (links to expert profiles) are not part of the sheet: they are chosen on the platform.
"""

import re
from typing import Any

from techmarket.catalog.models import Visibility
from techmarket.catalog.visibility import can_edit, owner_label
from techmarket.imports import normalise
from techmarket.imports.columns import (
    codes_to_objects,
    discipline_choices,
    join_list,
    list_filters,
    load_by_external_key,
    parse_industries,
    region_choices,
    region_dropdown,
    wrote,
)
from techmarket.imports.spec import EXTERNAL_KEY_HEADER, Column, ExportColumn, ImportSpec, Kind
from techmarket.orgs.models import Organization
from techmarket.reference.models import Discipline, Region

from .fields import ACHIEVEMENT_FIELDS
from .models import PATENT_TYPES, Achievement, IPType, LegalStatus, Stage, TransferMode
from .selectors import achievement_list_visible_to
from .services import achievement_create, achievement_ip_set, achievement_update
from .validators import normalize_patent_number

_KEYWORD_SEPARATORS = re.compile(r"[、,，;；\n]+")
_LIST_SPLIT = re.compile(r"[；;\n]+")
_PIPE = re.compile(r"[|｜]")
_IP_TYPES = {str(label): value for value, label in IPType.choices}
_LEGAL = {str(label): value for value, label in LegalStatus.choices}
_IP_LABELS = dict(IPType.choices)
_LEGAL_LABELS = dict(LegalStatus.choices)


def parse_ip_rights(text: str) -> list[dict[str, Any]]:
    """ "类型|编号|名称|法律状态|到期日" items separated by ；. Patent numbers and dates go through the
    shared normalisers (so an unchanged list compares equal); check digits are checked by the service."""
    rows = []
    for number, piece in enumerate((p.strip() for p in _LIST_SPLIT.split(text) if p.strip()), start=1):
        parts = [p.strip() for p in _PIPE.split(piece)] + [""] * 5
        if parts[0] not in _IP_TYPES or not parts[2] or (parts[3] and parts[3] not in _LEGAL):
            raise ValueError(
                f"第 {number} 项“{piece[:30]}”格式不对",
                "每项写成“类型|编号|名称|法律状态|到期日”，类型为"
                + "、".join(_IP_TYPES)
                + "，法律状态为"
                + "、".join(_LEGAL)
                + "（可省略），多项之间用“；”分隔",
            )
        ip_type = _IP_TYPES[parts[0]]
        expiry = None
        if parts[4]:
            try:
                expiry = normalise.parse_date(parts[4])
            except ValueError as exc:
                raise ValueError(
                    f"第 {number} 项的到期日“{parts[4][:20]}”{exc.args[0]}", normalise.DATE_EXPECTED
                ) from exc
        code = (
            normalize_patent_number(parts[1])  # the service's own normaliser
            if ip_type in PATENT_TYPES
            else normalise.fold_width(parts[1])
        )
        rows.append(
            {
                "ip_type": ip_type,
                "number": code,
                "title": parts[2],
                "legal_status": _LEGAL.get(parts[3], LegalStatus.GRANTED),
                "expiry_date": expiry,
            }
        )
    return rows


def parse_keywords(text: str) -> list[str]:
    """Split at 、，,；; and new lines. Without such separators, spaces separate Chinese keywords but
    English phrases stay whole ("machine learning" is one keyword, "锂电池 正极材料" two)."""
    if _KEYWORD_SEPARATORS.search(text):
        return [w.strip() for w in _KEYWORD_SEPARATORS.split(text) if w.strip()]
    words: list[str] = []
    for part in text.split():
        if words and part.isascii() and words[-1].isascii():
            words[-1] += " " + part
        else:
            words.append(part)
    return words


def format_ip_rights(rows: Any) -> str:
    return "；".join(
        "|".join(
            [
                str(_IP_LABELS.get(r["ip_type"], r["ip_type"])),
                r.get("number", ""),
                r["title"],
                str(_LEGAL_LABELS.get(r.get("legal_status"), "")),
                str(r.get("expiry_date") or ""),
            ]
        ).rstrip("|")
        for r in rows
    )


load_existing = load_by_external_key(Achievement)


IP_COMPARED = ("ip_type", "number", "title", "legal_status", "expiry_date")


def save(
    data: dict[str, Any], existing: Achievement | None, acting_user: Any, owner: Organization
) -> tuple[Achievement, bool]:
    """Create or update through the services; says whether anything was written."""
    data = codes_to_objects(data, {"discipline": Discipline, "region": Region})
    ip_rights = data.pop("ip_rights", None)
    if existing is None:
        return achievement_create(
            acting_user=acting_user, owner=owner, ip_rights=ip_rights or [], **data
        ), True
    stamp = existing.updated_at
    item = achievement_update(achievement=existing, acting_user=acting_user, **data)
    changed = wrote(item, stamp)
    if ip_rights is not None:
        current = [{k: r[k] for k in IP_COMPARED} for r in item.ip_rights.values(*IP_COMPARED)]
        if current != [{k: r[k] for k in IP_COMPARED} for r in ip_rights]:
            achievement_ip_set(achievement=item, acting_user=acting_user, ip_rights=ip_rights)
            changed = True
    return item, changed


list_visible = list_filters(
    achievement_list_visible_to,
    text=("discipline", "industry", "region", "stage", "transfer_mode", "status"),
    ints=("chain_node", "trl_min", "trl_max", "owner"),
    dates=("date_from", "date_to"),
)


ACHIEVEMENTS = ImportSpec(
    key="achievements",
    title="科技成果",
    columns=[
        Column(
            EXTERNAL_KEY_HEADER,
            "external_key",
            **ACHIEVEMENT_FIELDS.column("external_key", required=True),
            sensitive=True,
            width=14,
            help="贵单位给这项成果的编号，同一单位内不能重复；再次导入时按此编号更新",
            example="CG-2025-001",
        ),
        Column(
            "标题",
            "title",
            **ACHIEVEMENT_FIELDS.column("title"),
            width=30,
            help="2–120 字",
            example="高镍三元正极材料表面包覆技术",
        ),
        Column(
            "公开摘要",
            "summary",
            **ACHIEVEMENT_FIELDS.column("summary"),
            width=40,
            help="对所有可见用户展示的简介，不要写保密内容",
            example="循环 1000 次容量保持率 ≥ 90%",
        ),
        Column(
            "关键词",
            "keywords",
            Kind.CUSTOM,
            parse=parse_keywords,
            fmt=join_list,
            default=[],
            width=24,
            help="最多 20 个，每个不超过 30 字，用“、”“，”或“；”分隔；英文词组中的空格不拆分",
            example="正极材料、包覆、锂电池",
        ),
        Column(
            "学科",
            "discipline",
            Kind.CODE,
            choices=discipline_choices,
            getter=lambda a: a.discipline_id,
            width=20,
            help="GB/T 13745 学科代码",
            example="530",
        ),
        Column(
            "适用行业",
            "industries",
            Kind.CUSTOM,
            parse=parse_industries,
            fmt=join_list,
            default=[],
            getter=lambda a: [i.pk for i in a.industries.all()],
            width=20,
            help="GB/T 4754 行业代码，可填多个，用“、”分隔",
            example="C38、C26",
        ),
        Column(
            "技术成熟度（TRL）",
            "trl",
            Kind.INT,
            **ACHIEVEMENT_FIELDS.column(
                "trl", required=True
            ),  # a draft may leave it empty; the sheet asks for it
            units=("级",),
            help="1–9 的整数（GB/T 22900-2022），可写“7”或“7级”",
            example="6",
        ),
        Column(
            "所处阶段",
            "stage",
            Kind.CHOICE,
            choices=Stage.choices,
            default=Stage.LAB,
            help="留空为“实验室”",
            example="中试",
        ),
        Column(
            "技术优势",
            "advantages",
            **ACHIEVEMENT_FIELDS.column("advantages"),
            width=30,
            help="尽量量化，与现有方案对比",
            example="能量密度提升 15%",
        ),
        Column(
            "产业化路径",
            "route_to_market",
            **ACHIEVEMENT_FIELDS.column("route_to_market"),
            width=30,
            example="与电池厂合作中试",
        ),
        Column(
            "转化方式",
            "transfer_modes",
            Kind.MULTI,
            choices=TransferMode.choices,
            width=24,
            help="可填多个，用“、”分隔，可选：" + "、".join(str(label) for label in TransferMode.labels),
            example="转让、普通许可",
        ),
        Column(
            "报价（万元）",
            "asking_price_wan",
            Kind.DECIMAL,
            **ACHIEVEMENT_FIELDS.column("asking_price_wan"),
            units=("万元", "万"),
            help="单位：万元，填数字，最多 2 位小数；可写“300”或“300万元”",
            example="300",
        ),
        Column(
            "面议", "price_negotiable", Kind.BOOL, default=False, help="是 / 否，留空为“否”", example="否"
        ),
        Column(
            "知识产权",
            "ip_rights",
            Kind.CUSTOM,
            parse=parse_ip_rights,
            fmt=format_ip_rights,
            default=[],
            getter=lambda a: list(
                a.ip_rights.values("ip_type", "number", "title", "legal_status", "expiry_date")
            ),
            identifying=True,
            width=40,
            help="每项写成“类型|编号|名称|法律状态|到期日”，多项之间用“；”分隔；专利号不区分大小写、可带空格，"
            "会校验格式和校验位；到期日写法同日期列",
            example="发明专利|ZL202310123456.6|一种正极材料包覆方法|已授权|2043-05-01",
        ),
        Column(
            "所在地区",
            "region",
            Kind.CODE,
            choices=region_choices,
            dropdown=region_dropdown,
            width=20,
            getter=lambda a: a.region_id,
            help="GB/T 2260 六位行政区划代码",
            example="370102",
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
            "保密详情",
            "confidential_detail",
            **ACHIEVEMENT_FIELDS.column("confidential_detail"),
            sensitive=True,
            width=30,
            help="仅在您授权后对申请方机构可见",
            example="工艺参数另附",
        ),
    ],
    load_existing=load_existing,
    save=save,
    export_columns=[
        ExportColumn("所属机构", lambda a, user: owner_label(user, a), width=24),
        ExportColumn("状态", lambda a, user: a.get_status_display(), width=10),
        ExportColumn("发布时间", lambda a, user: a.published_at, width=18),
    ],
    can_edit=can_edit,
    list_visible=list_visible,
    creates_drafts=True,
)
