"""Writes on achievements. The review workflow itself lives in catalog.workflow."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog import events
from techmarket.catalog.changes import changed_fields, changed_relations
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.catalog.review import send_back_to_review_after_edit
from techmarket.catalog.text import reject_html
from techmarket.catalog.workflow import listing_transition, review_due
from techmarket.core.text import word_list
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization
from techmarket.reference.models import Industry

from .fields import ACHIEVEMENT_FIELDS
from .models import (
    PATENT_TYPES,
    Achievement,
    AchievementIP,
    IPType,
    LegalStatus,
    Stage,
    TransferMode,
)
from .validators import validate_patent_number

TEXT_FIELDS = {
    "title": _("标题"),
    "summary": _("公开摘要"),
    "confidential_detail": _("保密详情"),
    "advantages": _("技术优势"),
    "route_to_market": _("产业化路径"),
}
EDITABLE = [
    *TEXT_FIELDS,
    "keywords",
    "discipline",
    "industries",
    "trl",
    "stage",
    "transfer_modes",
    "asking_price_wan",
    "price_negotiable",
    "team",
    "region",
    "chain_node",
    "visibility",
    "is_anonymous",
    "external_key",
    "empowerment",
    "empowerment_share",
    "separately_managed",
]
M2M = {"industries", "team"}
AUDITED = [
    f if f not in {"discipline", "region", "chain_node"} else f + "_id" for f in EDITABLE if f not in M2M
]
AUDITED.append("status")
MAX_IP_RIGHTS = 100
FROZEN = {ListingStatus.CLOSED, ListingStatus.SOLVED, ListingStatus.REJECTED}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    # The rules of one field live in fields.py (shared with the form, the API schema and the sheet).
    try:
        ACHIEVEMENT_FIELDS.clean(data)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if "visibility" in data and data["visibility"] not in Visibility.values:
        err(
            "visibility",
            _("可见范围只能是：%(v)s。") % {"v": word_list(str(label) for label in Visibility.labels)},
        )
    if "stage" in data and data["stage"] not in Stage.values:
        err("stage", _("所处阶段只能是：%(v)s。") % {"v": word_list(str(label) for label in Stage.labels)})
    if data.get("transfer_modes") is not None:
        modes = data["transfer_modes"]
        if not isinstance(modes, list | tuple):
            err("transfer_modes", _("转化方式应为列表。"))
        else:
            unknown = [str(m) for m in modes if m not in TransferMode.values]
            if unknown:
                err(
                    "transfer_modes",
                    _("未知的转化方式：%(v)s。可选：%(ok)s。")
                    % {"v": word_list(unknown), "ok": word_list(str(label) for label in TransferMode.labels)},
                )
            data["transfer_modes"] = [m for m in TransferMode.values if m in modes]
    if data.get("industries") is not None:
        codes = [getattr(i, "pk", i) for i in data["industries"]]
        found = {i.pk: i for i in Industry.objects.filter(pk__in=codes)}
        missing = [str(c) for c in codes if c not in found]
        if missing:
            err(
                "industries",
                _("行业代码不存在：%(v)s（应为 GB/T 4754-2017 代码）。") % {"v": word_list(missing)},
            )
        data["industries"] = list(found.values())
    if data.get("team") is not None:
        ids = [getattr(e, "pk", e) for e in data["team"]]
        experts = {e.pk: e for e in Expert.objects.unscoped().filter(pk__in=ids)}
        missing = [str(i) for i in ids if i not in experts]
        if missing:
            err("team", _("专家不存在：%(v)s。") % {"v": word_list(missing)})
        data["team"] = list(experts.values())
    if errors:
        raise ValidationError(errors)
    return data


def _clean_ip_rights(rows: Any) -> list[dict[str, Any]]:
    """Validate an IP list row by row; every message starts with the row number."""
    if not isinstance(rows, list | tuple):
        raise ValidationError({"ip_rights": _("知识产权应为列表。")})
    if len(rows) > MAX_IP_RIGHTS:
        raise ValidationError({"ip_rights": _("知识产权最多 %(n)d 项。") % {"n": MAX_IP_RIGHTS}})
    messages: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=1):
        problems: list[str] = []
        row = dict(row) if isinstance(row, dict) else {}
        ip_type = str(row.get("ip_type") or "").strip()
        title = str(row.get("title") or "").strip()
        number = str(row.get("number") or "").strip()
        legal_status = str(row.get("legal_status") or LegalStatus.GRANTED)
        if ip_type not in IPType.values:
            problems.append(
                _("类型“%(v)s”无效，可选：%(ok)s")
                % {"v": ip_type, "ok": word_list(str(label) for label in IPType.labels)}
            )
        if not title:
            problems.append(_("请填写名称"))
        elif len(title) > 200:
            problems.append(_("名称最多 200 个字"))
        else:
            try:
                reject_html(title, str(_("名称")))
            except ValidationError as exc:
                problems.append(exc.messages[0])
        if legal_status not in LegalStatus.values:
            problems.append(
                _("法律状态“%(v)s”无效，可选：%(ok)s")
                % {"v": legal_status, "ok": word_list(str(label) for label in LegalStatus.labels)}
            )
        if ip_type in PATENT_TYPES:
            if not number:
                problems.append(_("专利须填写申请号或专利号"))
            else:
                try:
                    number = validate_patent_number(number, ip_type=ip_type)
                except ValidationError as exc:
                    problems.append(exc.messages[0])
        elif len(number) > 64 or "<" in number:
            problems.append(_("编号最多 64 个字符，且不能含 < >"))
        if number and number in seen:
            problems.append(_("编号 %(v)s 与第 %(m)d 项重复") % {"v": number, "m": seen[number]})
        elif number:
            seen[number] = n
        expiry = row.get("expiry_date") or None
        if isinstance(expiry, str):
            typed = expiry
            try:
                expiry = datetime.date.fromisoformat(typed.strip())
            except ValueError:
                problems.append(_("到期日“%(v)s”无效，应为 2033-06-30 这样的日期") % {"v": typed[:20]})
        if problems:
            messages.extend(_("第 %(n)d 项知识产权：%(msg)s") % {"n": n, "msg": p} for p in problems)
            continue
        cleaned.append(
            {
                "ip_type": ip_type,
                "number": number,
                "title": title,
                "legal_status": legal_status,
                "expiry_date": expiry,
                "sort_order": n,
            }
        )
    if messages:
        raise ValidationError({"ip_rights": messages})
    return cleaned


def review_errors(achievement: Achievement) -> dict[str, str]:
    """What must be filled in before an achievement can be reviewed."""
    errors = {}
    if achievement.asking_price_wan is None and not achievement.price_negotiable:
        errors["asking_price_wan"] = _("提交审核前请填写报价（万元）或勾选“面议”。")
    if achievement.trl is None:
        errors["trl"] = _("提交审核前请填写技术成熟度（TRL 1–9）。")
    if not achievement.transfer_modes:
        errors["transfer_modes"] = _("提交审核前请至少选择一种转化方式。")
    return errors


def _check_owner(acting_user: Any, owner: Organization) -> None:
    if roles.is_operator(acting_user):
        return
    if not roles.is_org_member(acting_user, owner):
        raise PermissionDenied(_("只能以自己所在机构的名义发布成果。"))
    if owner.status != Organization.Status.APPROVED:
        raise PermissionDenied(_("机构通过审核后才能发布成果。"))


FK_CHECKED = ["owner", "created_by", "discipline", "region", "chain_node"]
IP_AUDITED = ["ip_type", "number", "title", "legal_status", "expiry_date"]


def _snapshot(
    achievement: Achievement,
    *,
    m2m: dict[str, Any] | None = None,
    ip_rows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Audit view of an achievement; a caller that just wrote the relations passes them to save queries."""
    data = snapshot(achievement, AUDITED)
    if m2m is not None and ip_rows is not None:
        data["industries"] = sorted(getattr(i, "pk", i) for i in m2m.get("industries", []))
        data["team"] = sorted(getattr(e, "pk", e) for e in m2m.get("team", []))
        data["ip_rights"] = [{k: _audit_value(row.get(k)) for k in IP_AUDITED} for row in ip_rows]
        return data
    data["industries"] = sorted(i.pk for i in achievement.industries.all())
    data["team"] = sorted(e.pk for e in achievement.team.all())
    data["ip_rights"] = [snapshot(ip, IP_AUDITED) for ip in achievement.ip_rights.all()]
    return data


def _audit_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _write_ip_rights(achievement: Achievement, rows: list[dict[str, Any]]) -> None:
    achievement.ip_rights.all().delete()
    AchievementIP.objects.bulk_create(AchievementIP(achievement=achievement, **row) for row in rows)


def achievement_create(
    *, acting_user: Any, owner: Organization, ip_rights: Any = None, **data: Any
) -> Achievement:
    """A new achievement in 草稿; the IP list may come with it (validated before anything is written)."""
    _check_owner(acting_user, owner)
    data = _clean({k: v for k, v in data.items() if k in EDITABLE})
    for field in ("title", "summary"):
        if not data.get(field):
            raise ValidationError({field: _("请填写“%(f)s”。") % {"f": TEXT_FIELDS[field]}})
    rows = _clean_ip_rights(ip_rights) if ip_rights is not None else []
    m2m = {field: data.pop(field) for field in M2M if field in data}
    _check_team(owner, m2m.get("team") or [])
    with transaction.atomic():
        achievement = Achievement(owner=owner, created_by=acting_user, **data)
        # Foreign keys arrive as objects already looked up, and the database enforces the check
        # constraints that _clean() explains: skipping both saves several queries per row on imports.
        achievement.full_clean(exclude=FK_CHECKED, validate_unique=False, validate_constraints=False)
        achievement.search_text = achievement.compute_search_text()
        achievement.save()
        for field, values in m2m.items():
            if values:  # a new row has no relations yet: add, without set()'s look-up of existing ones
                getattr(achievement, field).add(*values)
        if rows:
            AchievementIP.objects.bulk_create(AchievementIP(achievement=achievement, **row) for row in rows)
        audit_record(
            actor=acting_user,
            action="achievements.achievement.create",
            target=achievement,
            after=_snapshot(achievement, m2m=m2m, ip_rows=rows),
        )
    return achievement


def _check_team(owner: Organization, experts: list[Any]) -> None:
    """Only the owner's own experts may be named: naming another organisation's people needs their consent,
    which the platform does not collect, so it is refused."""
    foreign = [e for e in experts if getattr(e, "affiliation_id", owner.pk) != owner.pk]
    if foreign:
        raise ValidationError(
            {
                "team": _("只能把本机构的专家列为团队成员；%(names)s 属于其他机构，须由其本人所在单位登记。")
                % {"names": word_list(e.name for e in foreign)}
            }
        )


def _check_editable(achievement: Achievement, acting_user: Any) -> None:
    if not roles.is_member_or_operator(acting_user, achievement.owner):
        raise PermissionDenied(_("只有成果所属机构的成员可以修改。"))
    if achievement.status in FROZEN:
        raise ValidationError(_("“%(s)s”的成果不能再修改。") % {"s": achievement.get_status_display()})


def _back_to_review(achievement: Achievement, acting_user: Any) -> None:
    """An owner's edit of a listed item goes through review again; an operator's edit does not."""
    if send_back_to_review_after_edit(achievement, acting_user):
        achievement.due_at = review_due(achievement.submitted_at)
    if achievement.status == ListingStatus.PENDING and (errors := review_errors(achievement)):
        raise ValidationError(errors)


def achievement_update(*, achievement: Achievement, acting_user: Any, **changes: Any) -> Achievement:
    """Owners edit drafts and items sent back for changes; editing a listed item sends it to review again."""
    _check_editable(achievement, acting_user)
    changes = _clean({k: v for k, v in changes.items() if k in EDITABLE})
    if "title" in changes and not changes["title"] or "summary" in changes and not changes["summary"]:
        raise ValidationError(
            {
                f: _("请填写“%(f)s”。") % {"f": TEXT_FIELDS[f]}
                for f in ("title", "summary")
                if f in changes and not changes[f]
            }
        )
    m2m = {field: changes.pop(field) for field in M2M if field in changes}
    changes, m2m = changed_fields(achievement, changes), changed_relations(achievement, m2m)
    if "team" in m2m:
        current = set(achievement.team.values_list("pk", flat=True))
        _check_team(achievement.owner, [e for e in m2m["team"] if getattr(e, "pk", e) not in current])
    if not changes and not m2m:
        return achievement  # nothing differs: no write, no audit record, no second review
    with transaction.atomic():
        before = _snapshot(achievement)
        for field, value in changes.items():
            setattr(achievement, field, value)
        _back_to_review(achievement, acting_user)
        achievement.full_clean(exclude=FK_CHECKED, validate_unique=False, validate_constraints=False)
        achievement.search_text = achievement.compute_search_text()
        achievement.save()
        for field, values in m2m.items():
            getattr(achievement, field).set(values)
        audit_record(
            actor=acting_user,
            action="achievements.achievement.update",
            target=achievement,
            before=before,
            after=_snapshot(achievement),
        )
        events.listing_changed(achievement)
    return achievement


def achievement_ip_set(*, achievement: Achievement, acting_user: Any, ip_rights: Any) -> list[AchievementIP]:
    """Replace the whole IP list at once: every row is checked first, and nothing changes if one is wrong."""
    _check_editable(achievement, acting_user)
    rows = _clean_ip_rights(ip_rights)
    current = list(achievement.ip_rights.all())
    if [{k: getattr(ip, k) for k in IP_AUDITED} for ip in current] == [
        {k: r[k] for k in IP_AUDITED} for r in rows
    ]:
        return current  # the same list (numbers compared normalised): no write, no audit, no second review
    with transaction.atomic():
        before = _snapshot(achievement)
        _write_ip_rights(achievement, rows)
        status_before = achievement.status
        _back_to_review(achievement, acting_user)
        if achievement.status != status_before:
            achievement.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_record(
            actor=acting_user,
            action="achievements.achievement.ip_set",
            target=achievement,
            before=before,
            after=_snapshot(achievement),
        )
        events.listing_changed(achievement)
    return list(achievement.ip_rights.all())


def achievement_transition(
    *,
    achievement: Achievement,
    action: str,
    acting_user: Any,
    reason: str = "",
    expected_state: str | None = None,
) -> Achievement:
    """The shared review workflow, after checking that a submitted achievement is complete enough to review."""
    if action in {"submit", "publish"} and (errors := review_errors(achievement)):
        raise ValidationError(errors)
    return listing_transition(
        item=achievement, action=action, acting_user=acting_user, reason=reason, expected_state=expected_state
    )
