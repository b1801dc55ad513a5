"""Writes on needs. The review workflow itself lives in catalog.workflow."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog import events
from techmarket.catalog.changes import changed_fields
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.text import clean_markup, reject_html
from techmarket.orgs.models import Organization

from .models import CooperationMode, Need, NeedKind, NeedRevision, NeedVersion

# Real titles can be two characters (冰箱); one is never enough.
MIN_TITLE_LENGTH = 2
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
]
AUDITED = [f if f not in {"industry", "region", "chain_node"} else f + "_id" for f in EDITABLE] + ["status"]


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, label in TEXT_FIELDS.items():
        if field in data and data[field] is not None:
            data[field] = str(data[field]).strip()
            try:
                data[field] = clean_markup(data[field], str(label))
            except ValidationError as exc:
                err(field, exc.messages[0])
    if "title" in data and len(data["title"]) < MIN_TITLE_LENGTH:
        err("title", _("标题至少 %(n)d 个字，请写清要解决的技术问题。") % {"n": MIN_TITLE_LENGTH})
    if "kind" in data and data["kind"] not in NeedKind.values:
        err("kind", _("需求类型只能是：%(v)s。") % {"v": "、".join(str(label) for label in NeedKind.labels)})
    params = data.get("parameters")
    if params is not None:
        if not isinstance(params, list):
            err("parameters", _("技术指标应为列表。"))
        else:
            cleaned = []
            for number, row in enumerate(params, start=1):
                if (
                    not isinstance(row, dict)
                    or not str(row.get("indicator", "")).strip()
                    or not str(row.get("target", "")).strip()
                ):
                    err("parameters", _("第 %(n)d 项技术指标缺少“指标”或“目标值”。") % {"n": number})
                    continue
                cleaned.append(
                    {k: str(row.get(k, "")).strip()[:100] for k in ("indicator", "target", "unit")}
                )
            data["parameters"] = cleaned
    modes = data.get("cooperation_modes")
    if modes is not None:
        unknown = [m for m in modes if m not in CooperationMode.values]
        if unknown:
            err("cooperation_modes", _("未知的合作方式：%(v)s。") % {"v": "、".join(map(str, unknown))})
    low, high = data.get("budget_min"), data.get("budget_max")
    for field in ("budget_min", "budget_max"):
        if data.get(field) is not None and Decimal(str(data[field])) < 0:
            err(field, _("预算不能为负数。"))
    if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
        err("budget_max", _("预算上限（%(h)s 万元）不能低于下限（%(l)s 万元）。") % {"h": high, "l": low})
    cycle = data.get("rd_cycle_months")
    if cycle is not None and not 1 <= int(cycle) <= 120:
        err("rd_cycle_months", _("研发周期应在 1–120 个月之间。"))
    deadline = data.get("deadline")
    if deadline is not None and deadline < timezone.localdate():
        err("deadline", _("截止日期不能早于今天。"))
    if errors:
        raise ValidationError(errors)
    return data


def _check_owner(acting_user: Any, owner: Organization) -> None:
    if roles.is_operator(acting_user):
        return
    if not roles.is_org_member(acting_user, owner):
        raise PermissionDenied(_("只能以自己所在机构的名义发布需求。"))
    if owner.status != Organization.Status.APPROVED:
        raise PermissionDenied(_("机构通过审核后才能发布需求。"))


def need_create(*, acting_user: Any, owner: Organization, **data: Any) -> Need:
    _check_owner(acting_user, owner)
    data = _clean({k: v for k, v in data.items() if k in EDITABLE})
    for field in ("title", "summary", "problem"):
        if not data.get(field):
            raise ValidationError({field: _("请填写“%(f)s”。") % {"f": TEXT_FIELDS[field]}})
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
    if not (roles.is_operator(acting_user) or roles.is_org_member(acting_user, need.owner)):
        raise PermissionDenied(_("只有需求所属机构的成员可以修改。"))
    if need.status in {ListingStatus.CLOSED, ListingStatus.SOLVED, ListingStatus.REJECTED}:
        raise ValidationError(_("“%(s)s”的需求不能再修改。") % {"s": need.get_status_display()})
    changes = changed_fields(need, _clean({k: v for k, v in changes.items() if k in EDITABLE}))
    if not changes:
        return need  # nothing differs: no write, no audit record, no second review
    with transaction.atomic():
        before = snapshot(need, AUDITED)
        for field, value in changes.items():
            setattr(need, field, value)
        if need.status in {
            ListingStatus.PUBLISHED,
            ListingStatus.IN_PROGRESS,
            ListingStatus.PENDING,
        } and not roles.is_operator(acting_user):
            need.status = ListingStatus.PENDING
            need.submitted_at = timezone.now()
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
        transaction.on_commit(lambda: events.listing_changed(need))
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
    return {f: (str(v) if isinstance(v := getattr(need, f), Decimal) else v) for f in VERSIONED}


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
    if not (roles.is_broker(acting_user) or roles.is_operator(acting_user)):
        raise PermissionDenied(_("只有技术经纪人和平台运营人员可以提出凝练建议。"))
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
    with transaction.atomic():
        revision = NeedRevision.objects.create(
            need=need,
            proposed_by=acting_user,
            changes=changed,
            base={k: current.get(k) for k in changed},
            note=note,
        )
        audit_record(
            actor=acting_user,
            action="needs.refinement.propose",
            target=need,
            before=revision.base,
            after=changed,
            note=note[:200],
        )
    return revision


def need_refinement_decide(
    *, revision: NeedRevision, acting_user: Any, accept: bool, note: str = ""
) -> NeedRevision:
    need = revision.need
    if not (roles.is_org_member(acting_user, need.owner) or roles.is_operator(acting_user)):
        raise PermissionDenied(_("只有需求所属机构可以采纳或拒绝凝练建议。"))
    if revision.status != NeedRevision.Status.PROPOSED:
        raise ValidationError(_("该建议已经处理过了。"))
    with transaction.atomic():
        if accept:
            stale = [k for k, v in revision.base.items() if need_content(need).get(k) != v]
            if stale:
                labels = "、".join(str(VERSIONED[k]) for k in stale)
                raise ValidationError(
                    _("提出建议后需求的“%(f)s”已被修改，请让经纪人基于最新内容重新提出。") % {"f": labels}
                )
            need_update(
                need=need, acting_user=acting_user, version_reason=_("采纳凝练建议"), **revision.changes
            )
        revision.status = NeedRevision.Status.ACCEPTED if accept else NeedRevision.Status.REJECTED
        revision.decided_by, revision.decided_at = acting_user, timezone.now()
        revision.decision_note = note.strip()[:500]
        revision.save()
        audit_record(
            actor=acting_user,
            action="needs.refinement." + ("accept" if accept else "reject"),
            target=need,
            after={"revision": revision.pk, "status": revision.status},
            note=note[:200],
        )
    return revision
