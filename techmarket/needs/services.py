"""Writes on needs. The review workflow itself lives in catalog.workflow."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog import events
from techmarket.catalog.changes import changed_fields
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.catalog.review import send_back_to_review_after_edit
from techmarket.catalog.text import reject_html
from techmarket.catalog.workflow import review_due
from techmarket.core.text import word_list
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.orgs.models import Organization

from .fields import NEED_FIELDS
from .models import (
    CooperationForm,
    CooperationMode,
    Education,
    Need,
    NeedKind,
    NeedRevision,
    NeedVersion,
    TalentMode,
)
from .request_types import REFINEMENT

TEXT_FIELDS = {
    "title": _("标题"),
    "summary": _("公开摘要"),
    "confidential_detail": _("保密详情"),
    "background": _("需求背景"),
    "problem": _("技术难题"),
    "current_solution": _("现有方案及不足"),
    "expected_outcome": _("预期成果"),
}
EDITABLE = [
    *TEXT_FIELDS,
    "kind",
    "parameters",
    "budget_min",
    "budget_max",
    "rd_cycle_months",
    "cooperation_modes",
    "industry",
    "region",
    "chain_node",
    "deadline",
    "visibility",
    "is_anonymous",
    "contact_name",
    "contact_phone",
    "external_key",
    "talent_position",
    "talent_count",
    "talent_field",
    "talent_education",
    "talent_modes",
    "cooperation_forms",
]
AUDITED = [f if f not in {"industry", "region", "chain_node"} else f + "_id" for f in EDITABLE] + ["status"]


def _clean(data: dict[str, Any], *, partial: bool = True) -> dict[str, Any]:
    """The one check of need content (needs.fields), shared with the form, the API schema and the import;
    the talent and cooperation facts of the other two lists are checked here."""
    errors: dict[str, list[str]] = {}
    if "visibility" in data and data["visibility"] not in Visibility.values:
        errors["visibility"] = [
            _("可见范围只能是：%(v)s。") % {"v": word_list(str(label) for label in Visibility.labels)}
        ]
    for field, allowed, label in (
        ("talent_modes", TalentMode, _("引才方式")),
        ("cooperation_forms", CooperationForm, _("合作形式")),
    ):
        values = data.get(field)
        if values is not None:
            unknown = [v for v in values if v not in allowed.values]
            if unknown:
                errors.setdefault(field, []).append(
                    _("未知的%(label)s：%(v)s。") % {"label": label, "v": word_list(map(str, unknown))}
                )
    if data.get("talent_education") and data["talent_education"] not in Education.values:
        errors.setdefault("talent_education", []).append(
            _("学历要求只能是：%(v)s。") % {"v": word_list(map(str, Education.labels))}
        )
    for field in ("talent_position", "talent_field"):
        if field in data and data[field] is not None:
            data[field] = str(data[field]).strip()
    count = data.get("talent_count")
    if count is not None and not 1 <= int(count) <= 999:
        errors.setdefault("talent_count", []).append(_("需求人数应在 1–999 之间。"))
    if errors:
        raise ValidationError(errors)
    return NEED_FIELDS.clean(data, partial=partial)


def required_by_kind(data: dict[str, Any]) -> None:
    """Each of the three lists asks for what its kind is about: a technology need states its problem,
    a talent need the position, a cooperation need the form of cooperation."""
    kind = data.get("kind") or NeedKind.TECHNOLOGY
    if kind == NeedKind.TECHNOLOGY and not data.get("problem"):
        raise ValidationError(
            {"problem": _("请填写“技术难题”：写清要解决的问题，技术经理人和供给方据此匹配。")}
        )
    # Talent and cooperation needs imported from older sheets carry only a problem text: still accepted.
    if kind == NeedKind.TALENT and not (data.get("talent_position") or data.get("problem")):
        raise ValidationError({"talent_position": _("人才需求请填写岗位名称，例如“电池材料研发工程师”。")})
    if kind == NeedKind.COOPERATION and not (data.get("cooperation_forms") or data.get("problem")):
        raise ValidationError({"cooperation_forms": _("校企合作需求请至少选择一种合作形式。")})


def _check_owner(acting_user: Any, owner: Organization) -> None:
    if roles.is_operator(acting_user):
        return
    if not roles.is_org_member(acting_user, owner):
        raise PermissionDenied(_("只能以自己所在机构的名义发布需求。"))
    if owner.status != Organization.Status.APPROVED:
        raise PermissionDenied(_("机构通过审核后才能发布需求。"))


def need_create(*, acting_user: Any, owner: Organization, **data: Any) -> Need:
    _check_owner(acting_user, owner)
    data = _clean({k: v for k, v in data.items() if k in EDITABLE}, partial=False)
    required_by_kind(data)
    with transaction.atomic():
        need = Need(owner=owner, created_by=acting_user, **data)
        need.search_text = need.compute_search_text()
        need.save()
        record_version(need=need, acting_user=acting_user, reason=_("创建"))
        audit_record(
            actor=acting_user, action="needs.need.create", target=need, after=snapshot(need, AUDITED)
        )
    return need


def need_update(*, need: Need, acting_user: Any, version_reason: str = "", **changes: Any) -> Need:
    """Owners edit drafts and items sent back for changes; editing a listed item sends it to review again."""
    if not roles.is_member_or_operator(acting_user, need.owner):
        raise PermissionDenied(_("只有需求所属机构的成员可以修改。"))
    if need.status in {ListingStatus.CLOSED, ListingStatus.SOLVED, ListingStatus.REJECTED}:
        raise ValidationError(_("“%(s)s”的需求不能再修改。") % {"s": need.get_status_display()})
    changes = changed_fields(need, _clean({k: v for k, v in changes.items() if k in EDITABLE}))
    if changes:
        required_by_kind(
            {
                f: changes.get(f, getattr(need, f))
                for f in ("kind", "problem", "talent_position", "cooperation_forms")
            }
        )
    if not changes:
        return need  # nothing differs: no write, no audit record, no second review
    with transaction.atomic():
        before = snapshot(need, AUDITED)
        for field, value in changes.items():
            setattr(need, field, value)
        if send_back_to_review_after_edit(need, acting_user):
            need.due_at = review_due(need.submitted_at)
        need.full_clean(exclude=["owner", "created_by"], validate_unique=False)
        need.search_text = need.compute_search_text()
        need.save()
        record_version(need=need, acting_user=acting_user, reason=version_reason or _("修改"))
        audit_record(
            actor=acting_user,
            action="needs.need.update",
            target=need,
            before=before,
            after=snapshot(need, AUDITED),
        )
        events.listing_changed(need)
    return need


# Content a version snapshot keeps and a refinement may change (labels in display order).
VERSIONED = {
    "title": _("标题"),
    "summary": _("公开摘要"),
    "background": _("需求背景"),
    "problem": _("技术难题"),
    "parameters": _("技术指标"),
    "current_solution": _("现有方案及不足"),
    "expected_outcome": _("预期成果"),
    "budget_min": _("预算下限（万元）"),
    "budget_max": _("预算上限（万元）"),
    "rd_cycle_months": _("研发周期（月）"),
    "cooperation_modes": _("合作方式"),
    "talent_position": _("岗位名称"),
    "talent_count": _("需求人数"),
    "talent_field": _("专业领域"),
    "talent_education": _("学历要求"),
    "talent_modes": _("引才方式"),
    "cooperation_forms": _("合作形式"),
}
# Coded values of VERSIONED fields, shown by name in the version history.
VERSION_CHOICES = {
    "cooperation_modes": dict(CooperationMode.choices),
    "talent_modes": dict(TalentMode.choices),
    "cooperation_forms": dict(CooperationForm.choices),
    "talent_education": dict(Education.choices),
}
REFINABLE = [
    "title",
    "summary",
    "background",
    "problem",
    "parameters",
    "current_solution",
    "expected_outcome",
    "budget_min",
    "budget_max",
    "rd_cycle_months",
    "cooperation_modes",
]


def need_content(need: Need) -> dict[str, Any]:
    # Amounts always with two places: 100 typed in a form and 100.00 read back are one value.
    return {
        f: (format(v.quantize(Decimal("0.01")), "f") if isinstance(v := getattr(need, f), Decimal) else v)
        for f in VERSIONED
    }


def record_version(*, need: Need, acting_user: Any, reason: str) -> NeedVersion | None:
    snapshot = need_content(need)
    last = need.versions.order_by("-number").first()
    if last is not None and last.snapshot == snapshot:
        return None
    return NeedVersion.objects.create(
        need=need,
        number=(last.number + 1) if last else 1,
        snapshot=snapshot,
        reason=str(reason)[:200],
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )


def need_refinement_propose(
    *, need: Need, acting_user: Any, changes: dict[str, Any], note: str = ""
) -> NeedRevision:
    """A broker or operator proposes clearer wording, parameters or budget; the owner decides."""
    if not roles.is_broker_or_operator(acting_user):
        raise PermissionDenied(_("只有技术经理人和平台运营人员可以提出凝练建议。"))
    if need.status in {
        ListingStatus.CLOSED,
        ListingStatus.SOLVED,
        ListingStatus.REJECTED,
        ListingStatus.EXPIRED,
    }:
        raise ValidationError(_("“%(s)s”的需求不能再凝练。") % {"s": need.get_status_display()})
    note = reject_html(note.strip(), str(_("凝练说明")))
    current = need_content(need)
    proposed = _clean({k: v for k, v in changes.items() if k in REFINABLE})
    proposed = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in proposed.items()}
    changed = {k: v for k, v in proposed.items() if v != current.get(k)}
    if not changed:
        raise ValidationError(_("建议内容与当前需求相同，没有需要修改的地方。"))
    revision = NeedRevision(
        need=need,
        proposed_by=acting_user,
        changes=changed,
        base={k: current.get(k) for k in changed},
        note=note,
    )
    return request_open(
        request_type=REFINEMENT,
        obj=revision,
        acting_user=acting_user,
        audit_verb="propose",
        before=revision.base,
        after=changed,
        note=note[:200],
    )


def need_refinement_decide(
    *, revision: NeedRevision, acting_user: Any, accept: bool, note: str = ""
) -> NeedRevision:
    need = revision.need
    if not roles.is_member_or_operator(acting_user, need.owner):
        raise PermissionDenied(_("只有需求所属机构可以采纳或拒绝凝练建议。"))
    if revision.status != NeedRevision.Status.PROPOSED:
        raise ValidationError(_("该建议已经处理过了。"))
    with transaction.atomic():
        if accept:
            stale = [k for k, v in revision.base.items() if need_content(need).get(k) != v]
            if stale:
                labels = word_list(str(VERSIONED[k]) for k in stale)
                raise ValidationError(
                    _("提出建议后需求的“%(f)s”已被修改，请让经纪人基于最新内容重新提出。") % {"f": labels}
                )
            need_update(
                need=need, acting_user=acting_user, version_reason=_("采纳凝练建议"), **revision.changes
            )
        return request_decide(
            request_type=REFINEMENT,
            obj=revision,
            acting_user=acting_user,
            approve=accept,
            reason=note.strip()[:500],
            expected_state=NeedRevision.Status.PROPOSED,
        )


def need_refinement_withdraw(*, revision: NeedRevision, acting_user: Any) -> NeedRevision:
    """The proposer takes back a refinement the owner has not decided yet."""
    return request_withdraw(request_type=REFINEMENT, obj=revision, acting_user=acting_user)
