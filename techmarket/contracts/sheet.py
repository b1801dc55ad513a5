"""The contracts sheet (技术合同导入), one row per contract, saved through techmarket.contracts.services.

Deductions and the payment schedule are written in one cell each ("项目:金额；…", "日期:金额；…").
Rows carrying a 登记编号 and 登记日期 are registered on import (registration offices only), so a bureau
can bring in years of registered contracts.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from techmarket.imports.columns import industry_choices, normalise_industry, region_choices, region_dropdown
from techmarket.imports.spec import EXTERNAL_KEY_HEADER, Column, ExportColumn, ImportSpec, Kind
from techmarket.imports.specs import register_spec
from techmarket.orgs.models import Organization

_ITEMS = re.compile(r"[；;\n]+")
_PAIR = re.compile(r"^(.+?)[:：]\s*([-\d.,]+)$")


def _pairs(text: str, what: str, example: str) -> list[tuple[str, Decimal]]:
    out = []
    for n, piece in enumerate((p.strip() for p in _ITEMS.split(text) if p.strip()), start=1):
        match = _PAIR.match(piece)
        try:
            if match is None:
                raise InvalidOperation
            out.append((match.group(1).strip(), Decimal(match.group(2).replace(",", ""))))
        except InvalidOperation:
            raise ValueError(
                f"第 {n} 项“{piece[:30]}”格式不对", f"每项写成“{what}”，多项用“；”分隔，如 {example}"
            ) from None
    return out


def parse_deductions(text: str) -> list[tuple[str, Decimal]]:
    return _pairs(text, "项目:金额", "设备购置:120000；原材料:30000")


def parse_schedule(text: str) -> list[tuple[datetime.date, Decimal, str]]:
    out = []
    for day, amount in _pairs(text, "日期:金额", "2026-03-01:500000；2026-09-01:500000"):
        try:
            out.append((datetime.date.fromisoformat(day), amount, ""))
        except ValueError:
            raise ValueError(f"日期“{day}”无效", "日期写成 2026-03-01") from None
    return out


def _fmt_pairs(rows: Any) -> str:
    return "；".join(f"{a}:{b}" for a, b, *_rest in rows)


def _type_choices() -> list[tuple[int, str]]:
    from .models import ContractType

    return [(t.pk, str(t)) for t in ContractType.objects.filter(is_active=True)]


def _kinds() -> list[tuple[str, Any]]:
    return list(Organization.Kind.choices)


# The template's example row: a university licenses to an enterprise (valid credit codes).
EXAMPLE_PARTIES = {
    "seller": ("临沂示范大学", "12371300MB0000001", "高校"),
    "buyer": ("临沂示范不锈钢有限公司", "91371302MA0000001", "企业"),
}


def _party_columns(prefix: str, role: str) -> list[Column]:
    from techmarket.orgs.validators import make_uscc

    name, uscc_body, kind = EXAMPLE_PARTIES[role]

    def get(attr: str) -> Any:
        return lambda c: getattr(c.party(role), attr, "") if c.party(role) else ""

    return [
        Column(
            f"{prefix}名称",
            f"{role}_name",
            required=True,
            max_length=128,
            getter=get("name"),
            width=28,
            example=name,
        ),
        Column(
            f"{prefix}统一社会信用代码",
            f"{role}_uscc",
            required=True,
            max_length=18,
            getter=get("uscc"),
            width=22,
            example=make_uscc(uscc_body),
        ),
        Column(
            f"{prefix}主体类型",
            f"{role}_kind",
            Kind.CHOICE,
            required=True,
            choices=_kinds,
            getter=get("kind"),
            example=kind,
        ),
        Column(
            f"{prefix}所在地区",
            f"{role}_region",
            Kind.CODE,
            choices=region_choices,
            dropdown=region_dropdown,
            getter=lambda c: getattr(c.party(role), "region_id", "") if c.party(role) else "",
            help="GB/T 2260 行政区划代码，如 371300",
            example="371302",
        ),
    ]


def _columns() -> list[Column]:
    from .models import PaymentMode

    return [
        Column(
            EXTERNAL_KEY_HEADER,
            "external_key",
            required=True,
            max_length=64,
            help="本单位对该合同的唯一编号",
            example="HT-2026-001",
        ),
        Column(
            "合同名称",
            "title",
            required=True,
            max_length=160,
            width=30,
            example="不锈钢带材表面缺陷检测技术开发合同",
        ),
        Column("合同编号", "contract_number", max_length=64),
        Column(
            "合同类型",
            "contract_type",
            Kind.CHOICE,
            required=True,
            choices=_type_choices,
            width=28,
            example="技术开发-委托开发",
            getter=lambda c: c.contract_type_id,
        ),
        Column("签订日期", "signed_on", Kind.DATE, required=True, example="2026-03-02"),
        Column("履行期限起", "starts_on", Kind.DATE),
        Column("履行期限止", "ends_on", Kind.DATE),
        Column(
            "合同成交额（元）",
            "total_amount",
            Kind.DECIMAL,
            required=True,
            min_value=0,
            units=("元",),
            example="1000000.00",
        ),
        Column(
            "非技术性费用",
            "deductions",
            Kind.CUSTOM,
            parse=parse_deductions,
            fmt=_fmt_pairs,
            getter=lambda c: [(d.item, d.amount) for d in c.deductions.all()],
            help="项目:金额，多项用“；”分隔",
            example="设备购置:120000",
            width=30,
        ),
        Column(
            "支付方式",
            "payment_mode",
            Kind.CHOICE,
            required=True,
            choices=PaymentMode.choices,
            example="分期",
        ),
        Column(
            "付款计划",
            "schedule",
            Kind.CUSTOM,
            parse=parse_schedule,
            fmt=_fmt_pairs,
            getter=lambda c: [(i.due_on, i.amount) for i in c.schedule.all()],
            help="日期:金额，多期用“；”分隔",
            example="2026-03-10:500000；2026-09-10:500000",
            width=30,
        ),
        *_party_columns("卖方", "seller"),
        *_party_columns("买方", "buyer"),
        Column(
            "应用行业",
            "industry",
            Kind.CODE,
            choices=industry_choices,
            normalise=normalise_industry,
            getter=lambda c: c.industry_id,
            help="GB/T 4754-2017 行业代码，如 C26",
            example="3130",
        ),
        Column(
            "关联专利号",
            "patent_numbers",
            max_length=500,
            help="多个用“、”分隔；会校验格式和校验位，保存为规范写法",
            example="ZL202310123456.6",
        ),
        Column("主要技术内容", "summary", max_length=2000, width=40),
        Column("登记编号", "registration_number", max_length=64, help="已登记的合同填写；仅登记机构可导入"),
        Column("登记日期", "registered_on", Kind.DATE),
    ]


def load_existing(owner: Organization, keys: list[str]) -> dict[str, Any]:
    from .models import TechContract

    qs = TechContract.objects.unscoped().filter(owner=owner, external_key__in=keys)
    return {c.external_key: c for c in qs.prefetch_related("parties")}


def save(data: dict[str, Any], existing: Any, acting_user: Any, owner: Organization) -> Any:
    from .imported import save_row

    return save_row(data, existing, acting_user, owner)


def list_visible(user: Any, params: Any) -> Any:
    from .selectors import contract_list_visible_to

    return contract_list_visible_to(
        user, q=params.get("q", "").strip()[:100], status=params.get("status", "")
    )


def contract_owner_choices(user: Any) -> list[Any]:
    from .selectors import contract_owner_choices

    return contract_owner_choices(user)


def contracts_sheet() -> ImportSpec:
    return ImportSpec(
        key="contracts",
        title="技术合同",
        columns=_columns(),
        load_existing=load_existing,
        save=save,
        list_visible=list_visible,
        owner_choices=contract_owner_choices,
        export_columns=[
            ExportColumn("技术交易额（元）", lambda c, _u: c.technical_amount),
            ExportColumn("登记状态", lambda c, _u: c.get_status_display()),
        ],
    )


def register_sheet() -> None:
    register_spec("contracts", contracts_sheet)
