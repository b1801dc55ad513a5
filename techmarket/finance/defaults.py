"""The default innovation-points configuration every installation starts with (operators change it in the
admin; every change is audited and recomputes the points). Read by the data migration and by tests whose
database was flushed."""

from decimal import Decimal as D
from typing import Any

DEFAULTS = [
    # group, group cap, [(source, label, points per unit, cap)]
    ("研发投入", D("30"), [
        ("rd_ratio", "研发投入占营业收入比例", D("3"), D("20")),
        ("rd_spend", "年度研发投入", D("0.02"), D("10")),
    ]),
    ("知识产权", D("20"), [("invention_patents", "授权发明专利", D("5"), D("20"))]),
    ("人才", D("15"), [("rd_staff", "研发人员", D("0.5"), D("15"))]),
    ("成果转化", D("25"), [
        ("contracts", "平台登记的技术合同", D("4"), D("16")),
        ("engagements", "平台对接项目", D("2"), D("8")),
        ("projects", "通过验证的概念验证/中试项目", D("3"), D("9")),
    ]),
    ("资质", D("10"), [("qualifications", "有效期内的资质证书", D("5"), D("10"))]),
]  # fmt: skip


def ensure_default_indicators(group_model: Any = None, indicator_model: Any = None) -> int:
    """Create the missing default groups and indicators (rows operators edited are left alone)."""
    if group_model is None or indicator_model is None:
        from .models import Indicator as indicator_model
        from .models import IndicatorGroup as group_model
    created = 0
    for order, (name, cap, indicators) in enumerate(DEFAULTS, start=1):
        group, _made = group_model.objects.get_or_create(
            name=name, defaults={"cap": cap, "sort_order": order * 10}
        )
        for i, (source, label, per_unit, icap) in enumerate(indicators, start=1):
            _obj, made = indicator_model.objects.get_or_create(
                source=source,
                defaults={
                    "group": group,
                    "label": label,
                    "points_per_unit": per_unit,
                    "cap": icap,
                    "sort_order": i,
                },
            )
            created += made
    return created
