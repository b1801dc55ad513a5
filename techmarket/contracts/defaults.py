"""The technology-contract types of the 民法典 (技术合同章) and the 2001 认定规则: the rows every installation
starts with (source: shared/data/reference/tech_contract_types.csv, statute). Operators edit them in the admin
or replace them with ``manage.py load_contract_types <csv>`` when the 2026 rules change the table.
"""

from typing import Any

TYPES = [
    (
        "技术开发",
        "委托开发",
        "民法典第851条",
        "新技术/新产品/新工艺/新品种/新材料及其系统的研究开发；书面形式",
    ),
    ("技术开发", "合作开发", "民法典第851条", ""),
    (
        "技术开发",
        "科技成果实施转化（参照适用技术开发）",
        "民法典第851条第4款",
        "具有实用价值的科技成果实施转化",
    ),
    ("技术转让", "专利权转让", "民法典第863条", "书面形式"),
    ("技术转让", "专利申请权转让", "民法典第863条", ""),
    ("技术转让", "技术秘密转让", "民法典第863条", ""),
    (
        "技术转让",
        "其他（如集成电路布图设计、植物新品种、计算机软件等权利转让）",
        "技术合同认定规则（2001）/民法典第876条",
        "民法典876条：其他知识产权转让、许可参照适用",
    ),
    (
        "技术许可",
        "专利实施许可",
        "民法典第862-863条",
        "许可方式：独占/排他/普通（另有分许可、交叉许可等约定）",
    ),
    ("技术许可", "技术秘密使用许可", "民法典第862-863条", "同上"),
    ("技术咨询", "技术咨询", "民法典第878条", "可行性论证、技术预测、专题技术调查、分析评价报告等"),
    ("技术服务", "技术服务", "民法典第878条", "以技术知识为对方解决特定技术问题；不含承揽/建设工程"),
    ("技术服务", "技术中介", "民法典第887条", ""),
    ("技术服务", "技术培训", "民法典第887条", ""),
]


def ensure_default_types(model: Any = None) -> int:
    """Create the missing default rows (existing rows, edited by operators, are left alone)."""
    if model is None:
        from .models import ContractType as model
    created = 0
    for order, (type_name, subtype_name, legal_basis, note) in enumerate(TYPES, start=1):
        _obj, made = model.objects.get_or_create(
            type_name=type_name,
            subtype_name=subtype_name,
            defaults={"legal_basis": legal_basis, "note": note, "sort_order": order * 10},
        )
        created += made
    return created
