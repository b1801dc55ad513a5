"""The achievement pages: list with filters, create and edit, review queue, detail with confidential part."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.services import confidential_detail_read
from techmarket.catalog.views import (
    access_context,
    owner_choices,
)
from techmarket.catalog.visibility import (
    can_edit,
    can_see_owner,
    owner_label,
)
from techmarket.catalog.workflow import available_actions
from techmarket.core.forms import attach_errors
from techmarket.reference.models import TechnologyReadinessLevel

from . import selectors, services
from .forms import AchievementForm
from .models import Achievement, TransferMode

_MODE_LABELS = dict(TransferMode.choices)


def _mode_labels(item: Achievement) -> list[str]:
    return [str(_MODE_LABELS.get(mode, mode)) for mode in item.transfer_modes or []]


def list_rows(request: HttpRequest, page: Any, own: bool = False) -> list[tuple[Any, ...]]:
    trl_names = TechnologyReadinessLevel.display_names()
    return [
        (
            item,
            item.owner.name if own else owner_label(request.user, item),
            trl_names.get(item.trl, ""),
            _mode_labels(item),
        )
        for item in page
    ]


def achievement_detail(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_get_visible(request.user, achievement_id)
    trl = TechnologyReadinessLevel.objects.filter(level=achievement.trl).first() if achievement.trl else None
    context: dict[str, Any] = {
        "achievement": achievement,
        "owner_label": owner_label(request.user, achievement),
        "trl": trl,
        "mode_labels": _mode_labels(achievement),
        # Team members' affiliations would reveal an anonymous owner.
        "team": list(achievement.team.all()) if can_see_owner(request.user, achievement) else [],
        "ip_rights": selectors.ip_rights_visible_to(request.user, achievement),
        "confidential": confidential_detail_read(item=achievement, user=request.user, request=request)
        if achievement.confidential_detail
        else None,
        "can_edit": can_edit(request.user, achievement) and achievement.status not in services.FROZEN,
        "actions": available_actions(request.user, achievement) if request.user.is_authenticated else [],
    }
    context.update(access_context(request, achievement))
    return render(request, "achievements/achievement_detail.html", context)


def _fields(form: AchievementForm) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = dict(form.cleaned_data)
    return data, data.pop("ip_rights")


@login_required
def achievement_create(request: HttpRequest) -> HttpResponse:
    from techmarket.core.workspace_actions import ACHIEVEMENT_OWNER_KINDS

    owners = owner_choices(request.user)
    if not roles.is_operator(request.user):
        if owners.exists() and not owners.filter(kind__in=ACHIEVEMENT_OWNER_KINDS).exists():
            messages.warning(
                request, _("科技成果由高校、科研院所和企业发布；您所在的机构可以浏览和对接成果。")
            )
            return redirect("core:workspace")
        owners = owners.filter(kind__in=ACHIEVEMENT_OWNER_KINDS)
    if not owners.exists():
        messages.warning(request, _("您所在的机构通过审核后才能发布成果。"))
        return redirect("core:workspace")
    form = AchievementForm(request.POST or None, owner_choices=owners)
    if request.method == "POST" and form.is_valid():
        data, ip_rights = _fields(form)
        owner = data.pop("owner")
        try:
            # Submitting checks completeness (price, TRL, transfer modes): if that fails, nothing is saved
            # and the reasons show on the form, next to the fields to fill in.
            with transaction.atomic():
                achievement = services.achievement_create(
                    acting_user=request.user, owner=owner, ip_rights=ip_rights, **data
                )
                if "submit" in request.POST:
                    services.achievement_transition(
                        achievement=achievement, action="submit", acting_user=request.user
                    )
        except (ValidationError, PermissionDenied) as exc:
            attach_errors(form, exc)
        else:
            if "submit" in request.POST:
                messages.success(request, _("成果已提交审核。"))
            else:
                messages.success(request, _("成果已保存为草稿。"))
            return redirect("achievements:detail", achievement_id=achievement.pk)
    return render(request, "achievements/achievement_form.html", {"form": form, "title": _("发布科技成果")})


def _ip_changed(achievement: Achievement, rows: list[dict[str, Any]]) -> bool:
    keys = ("ip_type", "number", "title", "legal_status", "expiry_date")

    def norm(row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(row.get(k) or "") for k in keys)

    return [norm(r) for r in achievement.ip_rights.values(*keys)] != [norm(r) for r in rows]


@login_required
def achievement_edit(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_get_visible(request.user, achievement_id)
    if not can_edit(request.user, achievement):
        raise PermissionDenied
    if achievement.status in services.FROZEN:
        messages.warning(request, _("“%(s)s”的成果不能再修改。") % {"s": achievement.get_status_display()})
        return redirect("achievements:detail", achievement_id=achievement.pk)
    was_listed = achievement.is_listed
    form = AchievementForm(request.POST or None, instance=achievement)
    if request.method == "POST" and form.is_valid():
        data, ip_rights = _fields(form)
        try:
            with transaction.atomic():
                services.achievement_update(achievement=achievement, acting_user=request.user, **data)
                if _ip_changed(achievement, ip_rights):
                    services.achievement_ip_set(
                        achievement=achievement, acting_user=request.user, ip_rights=ip_rights
                    )
                submitted = "submit" in request.POST and achievement.status in {
                    ListingStatus.DRAFT,
                    ListingStatus.CHANGES_REQUESTED,
                }
                if submitted:
                    services.achievement_transition(
                        achievement=achievement, action="submit", acting_user=request.user
                    )
        except (ValidationError, PermissionDenied) as exc:
            achievement.refresh_from_db()
            attach_errors(form, exc)
        else:
            if submitted:
                messages.success(request, _("修改已保存并提交审核。"))
            elif was_listed and achievement.status == ListingStatus.PENDING:
                messages.success(request, _("修改已保存。成果已重新提交审核，审核通过前暂不对外展示。"))
            else:
                messages.success(request, _("修改已保存。"))
            return redirect("achievements:detail", achievement_id=achievement.pk)
    return render(
        request,
        "achievements/achievement_form.html",
        {"form": form, "achievement": achievement, "title": _("修改成果"), "was_listed": was_listed},
    )
