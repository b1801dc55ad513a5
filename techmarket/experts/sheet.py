"""The experts (专家人才) sheet, saved through techmarket.experts.services with the affiliation as owner.

The organisation chosen on upload is every row's affiliation (所在单位). Review-panel eligibility is not
part of the sheet: it is set by operators on the platform. Profiles created here are not linked to an
account; an expert who registers later is linked by an operator or their organisation's admin.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.imports.columns import (
    join_list,
    list_filters,
    load_by_external_key,
    parse_industries,
    split_list,
    wrote,
)
from techmarket.imports.spec import EXTERNAL_KEY_HEADER, Column, ImportSpec, Kind
from techmarket.orgs.models import Organization

from .models import Availability, Expert
from .selectors import can_manage_expert, expert_list_visible_to
from .services import expert_create, expert_set_relations, expert_update


def parse_codes(text: str) -> list[str]:
    return split_list(text, fold=True)


load_existing = load_by_external_key(Expert, owner_field="affiliation")


def _related(names: list[str]) -> list[Organization]:
    found = {
        o.name: o for o in Organization.objects.filter(name__in=names, status=Organization.Status.APPROVED)
    }
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationError(
            {
                "related_organizations": _("平台上没有这些已审核的单位：%(v)s。请填写单位全称。")
                % {"v": "、".join(missing)}
            }
        )
    return [found[n] for n in names]


def save(
    data: dict[str, Any], existing: Expert | None, acting_user: Any, owner: Organization
) -> tuple[Expert, bool]:
    """Create or update through the services; says whether anything was written."""
    # Without this check expert_create would link a plain member's own account to the first row.
    if not roles.is_org_admin(acting_user, owner):
        raise PermissionDenied(_("批量导入专家须由“%(o)s”的机构管理员或平台运营操作。") % {"o": owner})
    data = dict(data)
    names = data.pop("related_organizations", None)
    related = _related(names or [])
    if existing is None:
        expert, changed = expert_create(acting_user=acting_user, affiliation=owner, **data), True
    else:
        stamp = existing.updated_at
        expert = expert_update(expert=existing, acting_user=acting_user, **data)
        changed = wrote(expert, stamp)
    if names is None or (existing is None and not related):
        return expert, changed
    if {o.pk for o in related} != set(expert.related_organizations.values_list("pk", flat=True)):
        try:
            expert_set_relations(expert=expert, acting_user=acting_user, organizations=related)
        except ValidationError as exc:
            raise ValidationError({"related_organizations": exc.messages}) from exc
        changed = True
    return expert, changed


list_visible = list_filters(
    expert_list_visible_to,
    text=("discipline", "industry", "availability", "region"),
    ints=("affiliation",),
    flags=("panel_eligible",),
    ordering=None,
)


EXPERTS = ImportSpec(
    key="experts",
    title="专家人才",
    columns=[
        Column(
            EXTERNAL_KEY_HEADER,
            "external_key",
            required=True,
            max_length=64,
            sensitive=True,
            width=14,
            help="贵单位给这位专家的编号（如工号），同一单位内不能重复；再次导入时按此编号更新而不是新增",
            example="ZJ-2025-001",
        ),
        Column("姓名", "name", required=True, max_length=64, width=12, example="王立新"),
        Column(
            "职称", "title", max_length=64, width=12, help="例如：教授、研究员、高级工程师", example="教授"
        ),
        Column(
            "研究方向",
            "research_fields",
            required=True,
            max_length=2000,
            width=40,
            help="具体的技术方向和关键词，企业和经纪人按此检索",
            example="磷酸铁锂电池正极材料；储能系统热管理",
        ),
        Column(
            "个人简介",
            "bio",
            max_length=5000,
            width=40,
            example="长期从事新能源材料研究，主持国家级项目 3 项。",
        ),
        Column(
            "学科",
            "disciplines",
            Kind.CUSTOM,
            parse=parse_codes,
            fmt=join_list,
            default=[],
            getter=lambda e: [d.pk for d in e.disciplines.all()],
            width=16,
            help="GB/T 13745 一级学科代码，可填多个，用“、”分隔，如 430（材料科学）、530（化学工程）",
            example="430、530",
        ),
        Column(
            "服务行业",
            "industries",
            Kind.CUSTOM,
            parse=parse_industries,
            fmt=join_list,
            default=[],
            getter=lambda e: [i.pk for i in e.industries.all()],
            width=16,
            help="GB/T 4754 行业代码，可填多个，用“、”分隔",
            example="C38、C26",
        ),
        Column(
            "合作意向",
            "availability",
            Kind.MULTI,
            choices=Availability.choices,
            width=24,
            help="可填多个，用“、”分隔，可选：" + "、".join(str(label) for label in Availability.labels),
            example="技术咨询、揭榜攻关",
        ),
        Column(
            "电子邮箱",
            "email",
            max_length=254,
            sensitive=True,
            width=24,
            help="只对经纪人、平台运营、本单位管理员和专家同意的用户显示",
            example="wanglx@example.edu.cn",
        ),
        Column(
            "联系电话",
            "phone",
            max_length=20,
            sensitive=True,
            width=16,
            help="手机号或带区号的座机号",
            example="0539-8766123",
        ),
        Column(
            "申报的关联单位",
            "related_organizations",
            Kind.CUSTOM,
            parse=split_list,
            fmt=join_list,
            default=[],
            getter=lambda e: [o.name for o in e.related_organizations.all()],
            sensitive=True,
            width=30,
            help="用于评审回避：曾任职、兼职、持股或近三年合作的单位全称，用“、”分隔；须是平台上已审核的单位",
            example="",
        ),
        Column(
            "在目录中展示", "is_active", Kind.BOOL, default=True, help="是 / 否，留空为“是”", example="是"
        ),
    ],
    load_existing=load_existing,
    save=save,
    can_edit=can_manage_expert,
    list_visible=list_visible,
)
