"""Pages of 揭榜挂帅: thin; every read through selectors, every write through services."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.core.forms import attach_errors
from techmarket.core.money import money
from techmarket.core.text import word_list
from techmarket.decisions.models import RequestStatus
from techmarket.experts.models import Expert
from techmarket.needs.selectors import need_get_visible
from techmarket.orgs.models import Organization

from . import assembly, funding, panels, selectors, services
from .forms import ApplicationForm, AssembleForm, BatchForm, ChallengeFilterForm, ChallengeForm, format_rows
from .models import Challenge, Milestone, Objection, Payment, TeamInvitation
from .request_types import OBJECTION
from .workflow import CHALLENGE, CHALLENGE_FORM_ACTIONS, MILESTONE, is_challenge_operator


def _fail(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("您无权执行该操作。"))


def _filtered(request: HttpRequest) -> tuple[ChallengeFilterForm, Any]:
    form = ChallengeFilterForm(request.GET or None)
    qs = selectors.challenge_list_visible_to(
        request.user, **(form.selector_filters() if form.is_bound else {})
    )
    if request.GET.get("mine") and request.user.is_authenticated:
        qs = qs.filter(owner_id__in=[o.pk for o in roles.user_organizations(request.user)])
    return form, qs


@login_required
def challenge_export(request: HttpRequest) -> HttpResponse:
    """The bureau's xlsx: the challenges of the list page's filters and their applications."""
    from django.utils import timezone

    from techmarket.audit.services import audit_record
    from techmarket.core.http import XLSX, attachment

    from .export import challenges_xlsx

    if not is_challenge_operator(request.user):
        raise PermissionDenied(_("只有平台运营或科技局可以导出榜单。"))
    _form, qs = _filtered(request)
    applications = selectors.application_list_visible_to(request.user).filter(challenge__in=qs.values("pk"))
    content = challenges_xlsx(qs, applications)
    audit_record(
        actor=request.user,
        action="challenges.challenge.export",
        after={"rows": qs.count(), "applications": applications.count(), "filters": request.GET.urlencode()},
        request=request,
    )
    name = _("揭榜挂帅榜单-%(d)s.xlsx") % {"d": timezone.localdate().isoformat()}
    return attachment(content, XLSX, name)


def challenge_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "challenges/challenge_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "may_export": is_challenge_operator(request.user),
            "statuses": Challenge.Status.choices,
            "modes": Challenge.Mode.choices,
            "batches": selectors.batch_list_visible_to(request.user),
            "can_create": request.user.is_authenticated,
            "operator": is_challenge_operator(request.user),
            "can_publish": request.user.is_authenticated
            and (
                is_challenge_operator(request.user)
                or any(
                    o.kind == Organization.Kind.ENTERPRISE and o.status == Organization.Status.APPROVED
                    for o in roles.user_organizations(request.user)
                )
            ),
        },
    )


def challenge_detail(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    user = request.user
    operator = is_challenge_operator(user)
    applications = selectors.application_list_visible_to(user, challenge=challenge)
    panel = services.selection_panel(challenge)
    seated = panels.seated_panel(user, challenge)
    context: dict[str, Any] = {
        "challenge": challenge,
        "operator": operator,
        "actions": [
            (name, a)
            for name, a in CHALLENGE.available(user, challenge)
            if name not in CHALLENGE_FORM_ACTIONS
        ],
        "applications": applications,
        "panel": panel,
        "objections": selectors.objections_visible_to(user, challenge),
        "questions": selectors.questions_visible_to(user, challenge),
        "may_answer": operator or roles.is_org_member(user, challenge.owner),
        "may_edit": challenge.status in (Challenge.Status.DRAFT, Challenge.Status.PENDING)
        and services.may_create_for(user, challenge.owner),
        "may_apply": user.is_authenticated
        and challenge.mode == Challenge.Mode.OPEN_CALL
        and not roles.is_org_member(user, challenge.owner)
        and challenge.status == Challenge.Status.OPEN
        and not services.deadline_passed(challenge),
        "deadline_passed": services.deadline_passed(challenge),
        "seat": panels.reviewer_seat(user, seated) if seated else None,
        "engagement": _visible_engagement(user, challenge),
        "may_open_engagement": challenge.engagement_id is None
        and challenge.status in (Challenge.Status.AWARDED, Challenge.Status.COMPLETED)
        and operator
        and roles.is_broker_or_operator(user),
    }
    if (
        panel is not None
        and panel.status == panel.Status.CLOSED
        and (operator or roles.is_org_member(user, challenge.owner))
    ):
        context["results"] = panels.panel_results(panel)
    return render(request, "challenges/challenge_detail.html", context)


def _visible_engagement(user: Any, challenge: Challenge) -> Any:
    """The award's engagement, for those the engagements' own selector lets see it."""
    if challenge.engagement_id is None:
        return None
    from techmarket.engagements.selectors import engagement_list_visible_to

    return engagement_list_visible_to(user).filter(pk=challenge.engagement_id).first()


@login_required
@require_POST
def challenge_engagement(request: HttpRequest, challenge_id: int) -> HttpResponse:
    """An operator opens the award's engagement when the award was decided by the bureau."""
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    try:
        engagement = services.challenge_open_engagement(challenge=challenge, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
        return redirect("challenges:detail", challenge.pk)
    messages.success(request, _("已开启对接项目“%(t)s”。") % {"t": engagement.title})
    return redirect("engagements:detail", engagement.pk)


@login_required
def challenge_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if is_challenge_operator(user):
        owners = Organization.objects.filter(
            kind=Organization.Kind.ENTERPRISE, status=Organization.Status.APPROVED
        )
    else:
        owners = Organization.objects.filter(
            pk__in=[o.pk for o in roles.user_organizations(user)],
            kind=Organization.Kind.ENTERPRISE,
            status=Organization.Status.APPROVED,
        )
    if not owners.exists():
        messages.warning(request, _("揭榜挂帅榜单由通过审核的企业发布，或由平台运营代为发布。"))
        return redirect("challenges:list")
    initial: dict[str, Any] = {}
    need_id = request.GET.get("need", "")
    need = None
    if need_id.isdigit():
        need = need_get_visible(user, int(need_id))
        data = services.from_need(need)
        initial = {
            **data,
            "owner": need.owner_id,
            "targets": format_rows(data["targets"], ("indicator", "value", "unit", "method")),
            "funding_total": data["funding_total"] / 10000,
            "enterprise_share": data["enterprise_share"] / 10000,
            "government_share": 0,
        }
    form = ChallengeForm(
        request.POST or None, owners=owners, batches=selectors.batch_list_visible_to(user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.service_data()
            if need is not None and need.owner_id == form.cleaned_data["owner"].pk:
                data["need"] = need
            challenge = services.challenge_create(owner=form.cleaned_data["owner"], acting_user=user, **data)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                attach_errors(form, exc)
            else:
                _fail(request, exc)
        else:
            messages.success(request, _("榜单已保存为草稿，提交后由平台运营发布。"))
            return redirect("challenges:detail", challenge.pk)
    return render(request, "challenges/form.html", {"form": form, "title": _("发布揭榜榜单"), "need": need})


@login_required
@require_POST
def challenge_action(request: HttpRequest, challenge_id: int, action: str) -> HttpResponse:
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    try:
        services.challenge_move(
            challenge=challenge,
            action=action,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
        messages.success(
            request, _("操作成功：榜单当前状态为“%(s)s”。") % {"s": challenge.get_status_display()}
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:detail", challenge.pk)


@login_required
def challenge_apply(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    organizations = Organization.objects.filter(
        pk__in=[o.pk for o in roles.user_organizations(request.user)], status=Organization.Status.APPROVED
    ).exclude(pk=challenge.owner_id)
    form = ApplicationForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        experts = Expert.objects.unscoped().filter(is_active=True).in_bulk([d["lead_expert"], *d["members"]])
        try:
            if d["lead_expert"] not in experts:
                raise ValidationError(
                    {"lead_expert": _("专家编号 %(n)s 不存在或已停用。") % {"n": d["lead_expert"]}}
                )
            missing = [str(m) for m in d["members"] if m not in experts]
            if missing:
                raise ValidationError(
                    {"members": _("专家编号 %(n)s 不存在或已停用。") % {"n": word_list(missing)}}
                )
            application = services.application_submit(
                challenge=challenge,
                organization=d["organization"],
                lead_expert=experts[d["lead_expert"]],
                members=[experts[m] for m in d["members"]],
                acting_user=request.user,
                plan=d["plan"],
                budget=[_budget_row(r) for r in _rows(d["budget"], ("item", "amount"))],
                milestones_plan=_rows(d["milestones_plan"], ("title", "deliverable", "due", "amount")),
                prior_results=d["prior_results"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("揭榜申报已提交，截止前可以修改或撤回。"))
            return redirect("challenges:application", application.pk)
    return render(
        request,
        "challenges/form.html",
        {"form": form, "title": _("揭榜申报：%(t)s") % {"t": challenge.title}, "challenge": challenge},
    )


def _rows(text: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    from .forms import parse_rows

    return parse_rows(text, keys)


def _budget_row(row: dict[str, str]) -> dict[str, str]:
    return {"item": row["item"], "amount": row["amount"].replace(",", "")}


def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    challenge = application.challenge
    panel = panels.seated_panel(request.user, challenge)
    seat = panels.reviewer_seat(request.user, panel) if panel else None
    team = selectors.is_team(request.user, application)
    operator = is_challenge_operator(request.user)
    owner = roles.is_org_member(request.user, challenge.owner)
    if seat is not None and not (team or operator or owner):
        # a reviewer reads an application only as a reviewer: a conflict is refused with its reason
        panels.reviewer_open_entry(user=request.user, panel=panel, entry=application)  # type: ignore[arg-type]
    milestones = list(selectors.milestones_of(application).prefetch_related("payments"))
    parties = selectors.sees_funding(request.user, application)
    return render(
        request,
        "challenges/application_detail.html",
        {
            "application": application,
            "challenge": challenge,
            "team": team,
            "operator": operator,
            "milestones": [(m, MILESTONE.available(request.user, m)) for m in milestones],
            "members": application.members.all(),
            "seat": seat,
            "may_withdraw": team and application.status == RequestStatus.PENDING,
            "funding": funding.funding_summary(challenge)
            if parties and milestones and challenge.proposed_application_id == application.pk
            else None,
            "payment_sources": [
                (value, label)
                for value, label in Payment.Source.choices
                if milestones and funding.may_record(request.user, milestones[0], value)
            ],
        },
    )


@login_required
@require_POST
def payment_record(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = Milestone.objects.select_related("application").filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    application = selectors.application_get_visible(request.user, milestone.application_id)
    milestone.application = application
    try:
        raw_date = request.POST.get("paid_on", "").strip()
        try:
            paid_on = date.fromisoformat(raw_date)
        except ValueError:
            raise ValidationError({"paid_on": _("请填写拨付日期（YYYY-MM-DD）。")}) from None
        payment = funding.payment_record(
            milestone=milestone,
            acting_user=request.user,
            amount=request.POST.get("amount", ""),
            paid_on=paid_on,
            source=request.POST.get("source", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已登记拨付 %(a)s。") % {"a": money(payment.amount, "元")})
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:application", application.pk)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    try:
        services.application_withdraw(application=application, acting_user=request.user)
        messages.success(request, _("申报已撤回。"))
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:application", application.pk)


@login_required
@require_POST
def milestone_action(request: HttpRequest, milestone_id: int, action: str) -> HttpResponse:
    milestone = Milestone.objects.select_related("application").filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    application = selectors.application_get_visible(request.user, milestone.application_id)
    milestone.application = application
    try:
        services.milestone_move(
            milestone=milestone,
            action=action,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
        messages.success(request, _("里程碑当前状态：%(s)s。") % {"s": milestone.get_status_display()})
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:application", application.pk)


@login_required
def panel_manage(request: HttpRequest, challenge_id: int) -> HttpResponse:
    """The operator's page: form the selection panel (proposals and explained exclusions), start, close,
    decide, answer objections (re-review), award; then the acceptance panel and the final decision."""
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    if not is_challenge_operator(request.user):
        raise PermissionDenied(_("只有平台运营或科技局可以管理评审组。"))
    panel = services.selection_panel(challenge)
    acceptance = services.acceptance_panel(challenge)
    if request.method == "POST":
        step = request.POST.get("step", "")
        target = acceptance if request.POST.get("panel") == "acceptance" else panel
        reason = request.POST.get("reason", "")
        try:
            if step == "create":
                services.challenge_panel_create(
                    challenge=challenge, acting_user=request.user, trimmed=bool(request.POST.get("trimmed"))
                )
            elif step == "create_acceptance":
                services.challenge_acceptance_panel_create(
                    challenge=challenge, acting_user=request.user, trimmed=bool(request.POST.get("trimmed"))
                )
            elif step in ("add", "start", "close", "propose") and target is None:
                raise ValidationError(_("请先组建评审组。"))
            elif step == "add" and target is not None:
                expert = Expert.objects.unscoped().filter(pk=_pk(request.POST.get("expert", ""))).first()
                if expert is None:
                    raise ValidationError(_("请选择评审专家。"))
                panels.panel_add_member(panel=target, expert=expert, acting_user=request.user)
            elif step == "start" and target is not None:
                panels.panel_start_scoring(panel=target, acting_user=request.user)
            elif step == "close" and target is not None:
                panels.panel_close(panel=target, acting_user=request.user)
            elif step == "propose":
                application = selectors.application_get_visible(
                    request.user, _pk(request.POST.get("application", ""))
                )
                services.challenge_propose_award(
                    challenge=challenge, application=application, acting_user=request.user, reason=reason
                )
            elif step == "re_review":
                services.challenge_re_review(challenge=challenge, acting_user=request.user, reason=reason)
            elif step == "reassemble":
                services.challenge_reassemble(challenge=challenge, acting_user=request.user, reason=reason)
            elif step == "award":
                services.challenge_award(challenge=challenge, acting_user=request.user, reason=reason)
            elif step == "complete":
                outcomes = {k: _number(request.POST.get(k, "0"), k) for k in services.OUTCOME_FIELDS}
                services.challenge_complete(
                    challenge=challenge, acting_user=request.user, reason=reason, **outcomes
                )
            messages.success(request, _("已保存。"))
        except (ValidationError, PermissionDenied) as exc:
            _fail(request, exc)
        except Http404:
            messages.error(request, _("请选择本榜单的申报。"))
        return redirect("challenges:panel", challenge.pk)
    context: dict[str, Any] = {
        "challenge": challenge,
        "panel": panel,
        "acceptance": acceptance,
        "objections": selectors.objections_visible_to(request.user, challenge),
        "upheld": services.upheld_objections(challenge).exists(),
        "may_new_panel": challenge.status == Challenge.Status.REVIEWING
        and panel is not None
        and panel.status == panel.Status.CLOSED
        and challenge.publicity_started_at is not None
        and panel.closed_at is not None
        and panel.closed_at <= challenge.publicity_started_at,
    }
    for key, p in (("sel", panel), ("acc", acceptance)):
        if p is None:
            continue
        context[f"{key}_members"] = p.members.select_related("expert__affiliation")
        if p.status == p.Status.FORMING:
            context[f"{key}_proposed"], context[f"{key}_excluded"] = panels.panel_candidates(p)
        if p.status == p.Status.SCORING:
            context[f"{key}_missing"] = panels.panel_missing_scores(p)
        if p.status == p.Status.CLOSED:
            context[f"{key}_results"] = panels.panel_results(p)
    return render(request, "challenges/panel.html", context)


def _number(raw: str, field: str) -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(raw.strip() or "0")
    except InvalidOperation:
        raise ValidationError({field: _("请填写数字。")}) from None
    return int(value) if field in ("outcome_products", "outcome_patents", "outcome_jobs") else value


@login_required
def review_entry(request: HttpRequest, application_id: int) -> HttpResponse:
    """A reviewer scores one application: own scores only; refused with the reason on a conflict."""
    application = selectors.application_get_visible(request.user, application_id)
    panel = panels.seated_panel(request.user, application.challenge)
    if panel is None:
        raise Http404
    seat = panels.reviewer_open_entry(user=request.user, panel=panel, entry=application)
    criteria = list(panel.criteria.all())  # type: ignore[attr-defined]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            panels.score_submit(
                panel=panel,
                entry=application,
                acting_user=request.user,
                values={c.pk: request.POST.get(f"score_{c.pk}", "") for c in criteria},
                comments={c.pk: request.POST.get(f"comment_{c.pk}", "") for c in criteria},
            )
            messages.success(request, _("评分已提交。"))
            return redirect("challenges:reviews")
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    mine = panels.own_scores(seat, application.pk)
    return render(
        request,
        "challenges/review.html",
        {
            "application": application,
            "panel": panel,
            "rows": [
                (c, mine.get(c.pk), errors.get(f"score_{c.pk}", []), request.POST.get(f"score_{c.pk}", ""))
                for c in criteria
            ],
            "errors": errors.get("__all__", []),
            "members": application.members.all(),
        },
    )


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    seats = []
    for seat in selectors.my_panel_seats(request.user):
        entries = []
        if seat.panel.status != seat.panel.Status.FORMING:
            spec = panels.subject_of(seat.panel)
            for entry in spec.entries(seat.panel.subject):
                conflicts = panels.entry_conflicts(seat.panel, seat.expert, entry)
                # each subject names and links its entries (an application here, a recognition round there)
                entries.append(
                    (
                        spec.entry_label(entry),
                        spec.entry_url(entry),
                        conflicts,
                        bool(panels.own_scores(seat, entry.pk)),
                    )
                )
        seats.append((seat, entries))
    return render(request, "challenges/reviews.html", {"seats": seats})


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    qs = selectors.application_list_visible_to(request.user).filter(requested_by_id=request.user.pk)
    return render(
        request,
        "challenges/applications.html",
        {
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "invitations": selectors.my_team_invitations(request.user),
        },
    )


def _pk(raw: str) -> int:
    if not raw.strip().isdigit():
        raise Http404
    return int(raw.strip())


@login_required
def team_manage(request: HttpRequest, challenge_id: int) -> HttpResponse:
    """组阁制: the operator proposes experts (exclusions explained), invites them, assembles the team."""
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    if not is_challenge_operator(request.user):
        raise PermissionDenied(_("只有平台运营或科技局可以组阁。"))
    if challenge.mode != Challenge.Mode.ASSEMBLED:
        raise Http404
    accepted = assembly.accepted_experts(challenge)
    form = AssembleForm(
        request.POST if request.POST.get("op") == "assemble" else None, experts=accepted, prefix="team"
    )
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "invite":
                expert = Expert.objects.unscoped().filter(pk=_pk(request.POST.get("expert", ""))).first()
                if expert is None:
                    raise ValidationError(_("专家不存在。"))
                assembly.team_invite(
                    challenge=challenge,
                    expert=expert,
                    acting_user=request.user,
                    message=request.POST.get("message", ""),
                )
                messages.success(request, _("已邀请 %(n)s，等待其答复。") % {"n": expert.name})
                return redirect("challenges:team", challenge.pk)
            if op == "withdraw":
                invitation = selectors.team_invitations_of(request.user, challenge).get(
                    pk=_pk(request.POST.get("invitation", ""))
                )
                assembly.team_invitation_withdraw(invitation=invitation, acting_user=request.user)
                messages.success(request, _("邀请已撤回。"))
                return redirect("challenges:team", challenge.pk)
            if op == "assemble" and form.is_valid():
                d = form.cleaned_data
                by_pk = {e.pk: e for e in accepted}
                application = assembly.team_assemble(
                    challenge=challenge,
                    lead_expert=by_pk[d["lead_expert"]],
                    members=[by_pk[m] for m in d["members"]],
                    acting_user=request.user,
                    plan=d["plan"],
                    budget=[_budget_row(r) for r in _rows(d["budget"], ("item", "amount"))],
                    milestones_plan=_rows(d["milestones_plan"], ("title", "deliverable", "due", "amount")),
                    reason=d["reason"],
                )
                messages.success(request, _("组阁完成，结果进入公示。"))
                return redirect("challenges:application", application.pk)
        except TeamInvitation.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            if op == "assemble":
                attach_errors(form, exc)
            else:
                _fail(request, exc)
        except PermissionDenied as exc:
            _fail(request, exc)
    proposed, excluded = assembly.team_candidates(challenge)
    return render(
        request,
        "challenges/team.html",
        {
            "challenge": challenge,
            "proposed": proposed,
            "excluded": excluded,
            "invitations": selectors.team_invitations_of(request.user, challenge),
            "accepted": accepted,
            "form": form,
            "may_assemble": challenge.status == Challenge.Status.OPEN,
        },
    )


@login_required
@require_POST
def invitation_answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.my_team_invitations(request.user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    try:
        assembly.team_invitation_answer(
            invitation=invitation,
            acting_user=request.user,
            accept=request.POST.get("accept") == "1",
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("已答复：%(s)s。") % {"s": invitation.get_status_display()})
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:applications")


@login_required
@require_POST
def objection_raise(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    try:
        services.objection_raise(
            challenge=challenge, acting_user=request.user, text=request.POST.get("text", "")
        )
        messages.success(request, _("异议已提交，平台运营将在 3 个工作日内答复。"))
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:detail", challenge.pk)


@login_required
@require_POST
def objection_answer(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = Objection.objects.unscoped().filter(pk=objection_id).select_related("challenge").first()
    if objection is None or not OBJECTION.may_decide(request.user, objection):
        raise Http404
    try:
        services.objection_answer(
            objection=objection,
            acting_user=request.user,
            upheld=request.POST.get("upheld") == "1",
            answer=request.POST.get("reason", ""),
        )
        messages.success(request, _("已答复异议。"))
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:panel", objection.challenge_id)


def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get_visible(request.user, batch_id)
    challenges = selectors.challenge_list_visible_to(request.user, batch=batch.pk)
    return render(request, "challenges/batch_detail.html", {"batch": batch, "challenges": challenges})


@login_required
@require_POST
def question_ask(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    try:
        services.question_ask(
            challenge=challenge, acting_user=request.user, text=request.POST.get("text", "")
        )
        messages.success(request, _("问题已提交，答复后将公开显示（不显示提问人）。"))
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:detail", challenge.pk)


@login_required
@require_POST
def question_answer(request: HttpRequest, challenge_id: int, question_id: int) -> HttpResponse:
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    question = selectors.questions_visible_to(request.user, challenge).filter(pk=question_id).first()
    if question is None:
        raise Http404
    try:
        services.question_answer(
            question=question, acting_user=request.user, answer=request.POST.get("answer", "")
        )
        messages.success(request, _("已答复，答复已公开。"))
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("challenges:detail", challenge.pk)


@login_required
def batch_create(request: HttpRequest) -> HttpResponse:
    """The bureau or the operator publishes a batch (年度/季度榜单, 常态化征集)."""
    if not is_challenge_operator(request.user):
        raise PermissionDenied(_("只有平台运营或科技局可以发布榜单批次。"))
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = services.batch_create(acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("榜单批次已发布。"))
        return redirect("challenges:batch", batch.pk)
    return render(request, "challenges/form.html", {"form": form, "title": _("发布榜单批次")})


@login_required
def application_edit(request: HttpRequest, application_id: int) -> HttpResponse:
    """The team edits its application until the deadline (the service refuses afterwards)."""
    application = selectors.application_get_visible(request.user, application_id)
    if not selectors.is_team(request.user, application):
        raise PermissionDenied(_("只有申报团队可以修改申报材料。"))
    organizations = Organization.objects.filter(pk=application.organization_id)
    initial = {
        "organization": application.organization_id,
        "lead_expert": application.lead_expert_id,
        "members": ", ".join(str(m.pk) for m in application.members.all()),
        "plan": application.plan,
        "budget": format_rows(application.budget, ("item", "amount")),
        "milestones_plan": format_rows(
            application.milestones_plan, ("title", "deliverable", "due", "amount")
        ),
        "prior_results": application.prior_results,
    }
    form = ApplicationForm(request.POST or None, organizations=organizations, initial=initial)
    form.fields["organization"].disabled = True
    form.fields["lead_expert"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        experts = Expert.objects.unscoped().filter(is_active=True).in_bulk(d["members"])
        try:
            missing = [str(m) for m in d["members"] if m not in experts]
            if missing:
                raise ValidationError(
                    {"members": _("专家编号 %(n)s 不存在或已停用。") % {"n": word_list(missing)}}
                )
            services.application_update(
                application=application,
                acting_user=request.user,
                plan=d["plan"],
                budget=[_budget_row(r) for r in _rows(d["budget"], ("item", "amount"))],
                milestones_plan=_rows(d["milestones_plan"], ("title", "deliverable", "due", "amount")),
                prior_results=d["prior_results"],
                members=list(experts.values()),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("申报材料已更新。"))
            return redirect("challenges:application", application.pk)
    return render(
        request,
        "challenges/form.html",
        {"form": form, "title": _("修改揭榜申报"), "challenge": application.challenge},
    )


@login_required
def challenge_edit(request: HttpRequest, challenge_id: int) -> HttpResponse:
    """The enterprise (or an operator) edits a draft or a challenge waiting for publication."""
    challenge = selectors.challenge_get_visible(request.user, challenge_id)
    if not services.may_create_for(request.user, challenge.owner):
        raise PermissionDenied(_("您无权修改该榜单。"))
    initial = {
        **{k: getattr(challenge, k) for k in services.CHALLENGE_FIELDS if k not in ("need",)},
        "owner": challenge.owner_id,
        "targets": format_rows(challenge.targets, ("indicator", "value", "unit", "method")),
        "criteria": format_rows(challenge.criteria, ("name", "weight")),
        "funding_total": challenge.funding_total / 10000,
        "enterprise_share": challenge.enterprise_share / 10000,
        "government_share": challenge.government_share / 10000,
    }
    owners = Organization.objects.filter(pk=challenge.owner_id)
    form = ChallengeForm(
        request.POST or None,
        owners=owners,
        batches=selectors.batch_list_visible_to(request.user),
        initial=initial,
    )
    form.fields["owner"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_update(challenge=challenge, acting_user=request.user, **form.service_data())
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("榜单已保存。"))
            return redirect("challenges:detail", challenge.pk)
    return render(request, "challenges/form.html", {"form": form, "title": _("修改榜单")})
