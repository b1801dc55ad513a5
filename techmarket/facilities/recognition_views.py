"""Pages of facility recognition and evaluation (recognition.py): the owner applies, the operator forms the
panel, decides and concludes, experts score, anyone signed in may object during 公示."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.challenges import panels
from techmarket.challenges.models import Panel
from techmarket.experts.models import Expert

from . import recognition as rec
from . import selectors
from .forms import EvaluationForm, RecognitionApplyForm, RecognitionDecisionForm, RecognitionPanelForm
from .models import Facility, Recognition, RecognitionObjection


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


def recognition_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    qs = selectors.recognitions_visible_to(user, status=status if status in Recognition.Status.values else "")
    seated = selectors.seated_recognition_ids(user)
    applicable: list[Facility] = []
    if user.is_authenticated:
        from techmarket.orgs.models import Membership, Role

        admin_orgs = list(
            Membership.objects.filter(user=user, role=Role.ORG_ADMIN).values_list(
                "organization_id", flat=True
            )
        )
        if admin_orgs:
            applicable = list(
                selectors.facility_list_visible_to(user)
                .filter(owner_id__in=admin_orgs, status=Facility.Status.TRIAL)
                .exclude(recognitions__status__in=rec.OPEN_STATUSES)[:50]
            )
    return render(
        request,
        "facilities/recognition_list.html",
        {
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "reviewing": list(selectors.recognitions_visible_to(user).filter(pk__in=seated)[:50])
            if seated
            else [],
            "applicable": applicable,
            "status": status,
            "statuses": Recognition.Status.choices,
            "operator": rec.is_recognition_operator(user),
        },
    )


@login_required
def recognition_apply(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_visible(request.user, facility_id)
    if not rec.is_owner_admin(request.user, facility):
        raise PermissionDenied(_("只有依托单位的管理员可以申报认定。"))
    form = RecognitionApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recognition = rec.recognition_apply(
                facility=facility, acting_user=request.user, statement=form.cleaned_data["statement"]
            )
            messages.success(request, _("认定申报已提交，平台运营将组织专家评审。"))
            return redirect("facilities:recognition", recognition.pk)
        except ValidationError as exc:
            _attach(form, exc)
    return render(
        request,
        "facilities/recognition_form.html",
        {"facility": facility, "form": form, "title": _("申报认定"), "submit": _("提交申报")},
    )


@login_required
def recognition_evaluate(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_visible(request.user, facility_id)
    if not rec.is_recognition_operator(request.user):
        raise PermissionDenied(_("只有平台运营可以发起定期评价。"))
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recognition = rec.recognition_evaluate(
                facility=facility, acting_user=request.user, **form.cleaned_data
            )
            messages.success(request, _("定期评价已发起，请组建评审组。"))
            return redirect("facilities:recognition", recognition.pk)
        except ValidationError as exc:
            _attach(form, exc)
    return render(
        request,
        "facilities/recognition_form.html",
        {"facility": facility, "form": form, "title": _("发起定期评价"), "submit": _("发起评价")},
    )


def recognition_detail(request: HttpRequest, recognition_id: int) -> HttpResponse:
    user = request.user
    recognition = selectors.recognition_get_visible(user, recognition_id)
    operator = rec.is_recognition_operator(user)
    owner = rec.is_owner_admin(user, recognition.facility)
    panel = rec.current_panel(recognition)
    seat = panels.reviewer_seat(user, panel) if panel is not None else None
    scoring: list[Any] = []
    if seat is not None and panel is not None and panel.status != Panel.Status.FORMING:
        mine = panels.own_scores(seat, recognition.pk)
        scoring = [(c, mine.get(c.pk)) for c in panel.criteria.all()]  # type: ignore[attr-defined]
    proposed: list[Any] = []
    excluded: list[Any] = []
    if operator and panel is not None and panel.status == Panel.Status.FORMING:
        proposed, excluded = panels.panel_candidates(panel)
        members = rec.owner_members(recognition.facility)
        excluded += [c for c in proposed if c.expert.user_id in members]
        proposed = [c for c in proposed if c.expert.user_id not in members]
    result = rec.recognition_result(recognition) if selectors.may_read_result(user, recognition) else None
    context = {
        "recognition": recognition,
        "facility": recognition.facility,
        "operator": operator,
        "owner": owner,
        "panel": panel,
        "members": list(panel.members.select_related("expert")) if panel is not None and operator else [],  # type: ignore[attr-defined]
        "seat": seat,
        "scoring": scoring,
        "scored": bool(scoring) and all(s is not None for _c, s in scoring),
        "proposed": proposed,
        "excluded": excluded,
        "result": result,
        "objections": selectors.recognition_objections_visible_to(user, recognition),
        "actions": [name for name, _a in rec.RECOGNITION.available(user, recognition)],
        "panel_form": RecognitionPanelForm(initial={"criteria": rec.DEFAULT_CRITERIA}),
        "decision_form": RecognitionDecisionForm(),
        "can_form_panel": operator
        and recognition.status == Recognition.Status.REVIEWING
        and (
            panel is None
            or (
                panel.status == Panel.Status.CLOSED
                and recognition.decided_at is not None
                and panel.closed_at is not None
                and panel.closed_at <= recognition.decided_at
            )
        ),
        "may_object": getattr(user, "is_authenticated", False)
        and recognition.status == Recognition.Status.PUBLICITY,
    }
    return render(request, "facilities/recognition_detail.html", context)


def _expert(request: HttpRequest) -> Expert:
    raw = request.POST.get("expert", "")
    expert = Expert.objects.unscoped().filter(pk=int(raw)).first() if raw.isdigit() else None
    if expert is None:
        raise ValidationError(_("请选择评审专家。"))
    return expert


def _objection(request: HttpRequest, recognition: Recognition) -> RecognitionObjection:
    raw = request.POST.get("objection", "")
    objection = (
        RecognitionObjection.objects.unscoped().filter(pk=int(raw), recognition=recognition).first()
        if raw.isdigit()
        else None
    )
    if objection is None:
        raise ValidationError(_("异议不存在。"))
    return objection


def _panel(recognition: Recognition) -> Panel:
    panel = rec.current_panel(recognition)
    if panel is None:
        raise ValidationError(_("尚未组建评审组。"))
    return panel


@login_required
@require_POST
def recognition_action(request: HttpRequest, recognition_id: int, action: str) -> HttpResponse:
    user, post = request.user, request.POST
    recognition = selectors.recognition_get_visible(user, recognition_id)
    done = _("操作成功。")
    try:
        if action == "panel":
            panel_form = RecognitionPanelForm(post)
            if not panel_form.is_valid():
                raise ValidationError([e for errs in panel_form.errors.values() for e in errs])
            rec.recognition_panel_create(
                recognition=recognition, acting_user=user, criteria=panel_form.cleaned_data["criteria"],
                trimmed=panel_form.cleaned_data["trimmed"],
            )  # fmt: skip
            done = _("评审组已组建，请选派评审专家。")
        elif action == "member":
            rec.recognition_add_member(panel=_panel(recognition), expert=_expert(request), acting_user=user)
            done = _("已选派评审专家。")
        elif action == "start":
            panels.panel_start_scoring(panel=_panel(recognition), acting_user=user)
            done = _("评审专家可以开始评分。")
        elif action == "close":
            panels.panel_close(panel=_panel(recognition), acting_user=user)
            done = _("评审已结束，请作出决定。")
        elif action == "score":
            panel = _panel(recognition)
            rec.recognition_score(
                panel=panel, acting_user=user,
                values={c.pk: post.get(f"score_{c.pk}", "") for c in panel.criteria.all()},  # type: ignore[attr-defined]
                comments={c.pk: post.get(f"comment_{c.pk}", "") for c in panel.criteria.all()},  # type: ignore[attr-defined]
            )  # fmt: skip
            done = _("评分已提交。")
        elif action == "decide":
            form = RecognitionDecisionForm(post)
            if not form.is_valid():
                raise ValidationError(_("请选择决定并写明理由。"))
            rec.recognition_decide(
                recognition=recognition, acting_user=user, passed=form.cleaned_data["outcome"] == "pass",
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
            done = _("决定已作出：%(s)s。") % {"s": recognition.get_status_display()}
        elif action == "re_review":
            rec.recognition_re_review(
                recognition=recognition, acting_user=user, reason=post.get("reason", "")
            )
            done = _("已退回重新评审。")
        elif action == "conclude":
            rec.recognition_conclude(recognition=recognition, acting_user=user)
            done = _("已办结：%(s)s。") % {"s": recognition.get_status_display()}
        elif action == "withdraw":
            rec.recognition_withdraw(recognition=recognition, acting_user=user)
            done = _("申报已撤回。")
        elif action == "object":
            rec.objection_raise(recognition=recognition, acting_user=user, text=post.get("text", ""))
            done = _("异议已提交，平台运营将在 3 个工作日内答复。")
        elif action == "answer":
            rec.objection_answer(
                objection=_objection(request, recognition), acting_user=user,
                upheld=post.get("upheld") == "1", answer=post.get("reason", ""),
            )  # fmt: skip
            done = _("已答复异议。")
        else:
            raise Http404("未知操作")
        messages.success(request, done)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("facilities:recognition", recognition.pk)
