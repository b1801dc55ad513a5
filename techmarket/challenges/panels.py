"""Expert review panels, generic over what is reviewed.

A domain reuses panels by declaring a ``PanelSubject`` for its subject model (what the panel is about: a
challenge here, later a facility-recognition round or a finance call) and then calling the services
below. The models (Panel, PanelCriterion, PanelMember, Score) carry no field of any domain; entries are
identified by ``Panel.entry_type`` + ``Score.entry_id``. See ``challenges/review.py`` for the challenge
declaration; a facility recognition would declare::

    register_subject(PanelSubject(
        subject_model=RecognitionRound, entry_model=FacilityApplication,
        entries=lambda round_: FacilityApplication.objects.unscoped().filter(round=round_, status="pending"),
        parties=lambda app: ([app.facility.owner], []),
        subject_parties=lambda round_: [],
        field_codes=lambda round_: (round_.industry_codes, []),
    ))

Rules kept here, once:

- conflicts of interest (experts.selectors.conflicts_of_interest for organisations — own affiliation and
  declared relations —, declared collaborators, membership of the team under review, co-membership of a
  team within ``Panel.conflict_years``), each exclusion explained in words;
- blind scoring: a reviewer reads and writes only their own scores; nobody reads aggregates before the
  panel closes;
- aggregation: per reviewer the weighted mean over criteria; per entry the mean over reviewers, trimmed of
  the highest and lowest total when ``Panel.trimmed`` and at least three reviewers scored;
- ranking and the tie rule: higher aggregate first; on a tie, the higher mean on the heaviest criterion;
  then the earlier submission; then the lower id.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record
from techmarket.experts.models import Expert
from techmarket.experts.selectors import conflicts_of_interest, related_expert_conflicts
from techmarket.workflow import engine

from .models import Panel, PanelCriterion, PanelMember, Score
from .workflow import PANEL, is_challenge_operator

TWO = Decimal("0.01")


@dataclass(frozen=True)
class PanelSubject:
    subject_model: type[models.Model]
    entry_model: type[models.Model]
    # the entries the panel scores (system read)
    entries: Callable[[Any], Any]
    # organisations and experts of one entry (the applicant side)
    parties: Callable[[Any], tuple[list[Any], list[Expert]]]
    # organisations of the subject itself (e.g. the enterprise that set the challenge)
    subject_parties: Callable[[Any], list[Any]]
    # (GB/T 4754 industry codes, GB/T 13745 discipline codes) to draw reviewers by field
    field_codes: Callable[[Any], tuple[list[str], list[str]]]
    # experts who sat in a team with ``expert`` since a date, among ``experts`` (co-membership rule)
    co_members: Callable[[Expert, list[Expert], datetime, Any], list[Expert]] = lambda e, xs, since, entry: []
    # experts suggested by matching, best first (optional)
    suggested: Callable[[Any], list[Expert]] = lambda subject: []
    # when an entry was submitted (tie rule)
    submitted_at: Callable[[Any], datetime] = lambda entry: entry.created_at
    # why a reviewer drawn by field codes is proposed, in words (the subject's own word: 榜单, 平台 …)
    field_reason: Any = None
    # an entry as the reviewers' task list names and links it (default: a challenge application's)
    entry_label: Callable[[Any], str] = lambda entry: entry.organization.name
    entry_url: Callable[[Any], str] = lambda entry: reverse("challenges:review", args=[entry.pk])


_SUBJECTS: dict[type[models.Model], PanelSubject] = {}


def register_subject(spec: PanelSubject) -> PanelSubject:
    _SUBJECTS[spec.subject_model] = spec
    return spec


def subject_of(panel: Panel) -> PanelSubject:
    model = panel.subject_type.model_class()
    if model not in _SUBJECTS:
        raise LookupError(f"no panel subject registered for {model}")
    return _SUBJECTS[model]


# --- conflicts of interest ------------------------------------------------------------------------


def entry_conflicts(panel: Panel, expert: Expert, entry: Any) -> list[str]:
    """Why ``expert`` must not review ``entry`` of ``panel`` (empty: no conflict), in words."""
    spec = subject_of(panel)
    orgs, experts = spec.parties(entry)
    return _conflicts(panel, expert, [*spec.subject_parties(panel.subject), *orgs], experts, entry)


def _conflicts(panel: Panel, expert: Expert, orgs: list[Any], experts: list[Expert], entry: Any) -> list[str]:
    spec = subject_of(panel)
    reasons = []
    seen: set[int] = set()
    for c in conflicts_of_interest(expert, orgs):
        if c.organization.pk in seen:
            continue
        seen.add(c.organization.pk)
        if c.reason == "affiliation":
            reasons.append(_("与%(org)s为同一单位") % {"org": c.organization.name})
        else:
            reasons.append(_("申报了与%(org)s的关联关系") % {"org": c.organization.name})
    others = [e for e in experts if e.pk != expert.pk]
    if len(others) != len(experts):
        reasons.append(_("本人是申报团队成员"))
    for other in related_expert_conflicts(expert, others):
        reasons.append(_("申报了与%(name)s的合作关系") % {"name": other.name})
    since = timezone.now() - timedelta(days=365 * panel.conflict_years)
    for other in spec.co_members(expert, others, since, entry):
        reasons.append(
            _("近 %(n)s 年曾与%(name)s同在一个团队") % {"n": panel.conflict_years, "name": other.name}
        )
    return reasons


def panel_conflicts(panel: Panel, expert: Expert) -> list[str]:
    """Conflicts with the subject or with any entry: the reasons an expert is not drawn for the panel."""
    spec = subject_of(panel)
    reasons: list[str] = []
    subject_orgs = spec.subject_parties(panel.subject)
    entries = list(spec.entries(panel.subject))
    if not entries:
        reasons.extend(_conflicts(panel, expert, subject_orgs, [], None))
    for entry in entries:
        orgs, experts = spec.parties(entry)
        for reason in _conflicts(panel, expert, [*subject_orgs, *orgs], experts, entry):
            if reason not in reasons:
                reasons.append(reason)
    return reasons


@dataclass
class Candidate:
    expert: Expert
    why: list[str] = field(default_factory=list)  # why proposed (field, matching)
    conflicts: list[str] = field(default_factory=list)  # why excluded


def panel_candidates(panel: Panel, *, limit: int = 30) -> tuple[list[Candidate], list[Candidate]]:
    """Experts proposed for the panel, best first, and those excluded with every reason explained.

    Drawn from panel-eligible active experts by field codes (industry major class, discipline), then the
    matching engine's suggestions for the subject; experts already on the panel are left out."""
    spec = subject_of(panel)
    industries, disciplines = spec.field_codes(panel.subject)
    seated = set(panel.members.values_list("expert_id", flat=True))  # type: ignore[attr-defined]
    pool = Expert.objects.unscoped().filter(is_active=True, panel_eligible=True).exclude(pk__in=seated)
    by_field: dict[int, Candidate] = {}
    field_q = Q()
    for code in industries:
        field_q |= Q(industries__code__startswith=code[:2])
    for code in disciplines:
        field_q |= Q(disciplines__code__startswith=code[:3])
    if field_q:
        for expert in pool.filter(field_q).distinct().select_related("affiliation")[: limit * 2]:
            why = str(spec.field_reason) if spec.field_reason else _("研究领域与榜单所属行业/学科相同")
            by_field[expert.pk] = Candidate(expert, [why])
    order: list[int] = []
    for expert in spec.suggested(panel.subject):
        if expert.pk in seated or not expert.panel_eligible or not expert.is_active:
            continue
        cand = by_field.setdefault(expert.pk, Candidate(expert))
        cand.why.append(_("智能匹配推荐"))
        order.append(expert.pk)
    ranked = sorted(
        by_field.values(),
        key=lambda c: (-len(c.why), order.index(c.expert.pk) if c.expert.pk in order else 999),
    )
    proposed: list[Candidate] = []
    excluded: list[Candidate] = []
    for cand in ranked:
        cand.conflicts = panel_conflicts(panel, cand.expert)
        (excluded if cand.conflicts else proposed).append(cand)
    return proposed[:limit], excluded


# --- forming the panel ----------------------------------------------------------------------------


def panel_create(
    *,
    subject: models.Model,
    entry_model: type[models.Model],
    title: str,
    criteria: Iterable[tuple[str, Decimal]],
    acting_user: Any,
    trimmed: bool = False,
    scale_max: int = 100,
    purpose: str = Panel.Purpose.SELECTION,
) -> Panel:
    if not is_challenge_operator(acting_user):
        raise PermissionDenied(_("只有平台运营或科技局可以组建评审组。"))
    criteria = list(criteria)
    if not criteria:
        raise ValidationError(_("请至少设置一项评审指标及其权重。"))
    with transaction.atomic():
        panel = Panel.objects.create(
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            entry_type=ContentType.objects.get_for_model(entry_model),
            title=title,
            trimmed=trimmed,
            scale_max=scale_max,
            purpose=purpose,
            created_by=acting_user,
        )
        PanelCriterion.objects.bulk_create(
            PanelCriterion(panel=panel, name=name, weight=Decimal(str(weight)), order=i)
            for i, (name, weight) in enumerate(criteria)
        )
        audit_record(
            actor=acting_user,
            action="challenges.panel.create",
            target=panel,
            after={
                "subject": f"{subject._meta.label_lower}:{subject.pk}",
                "criteria": [c[0] for c in criteria],
            },
        )
    return panel


def panel_add_member(*, panel: Panel, expert: Expert, acting_user: Any) -> PanelMember:
    if not is_challenge_operator(acting_user):
        raise PermissionDenied(_("只有平台运营或科技局可以选派评审专家。"))
    if panel.status != Panel.Status.FORMING:
        raise ValidationError(_("评审组已开始评分，不能再增加评审专家。"))
    if not (expert.is_active and expert.panel_eligible):
        raise ValidationError(
            _("%(name)s 不在评审专家库中（未标记为可担任评审专家）。") % {"name": expert.name}
        )
    conflicts = panel_conflicts(panel, expert)
    if conflicts:
        raise ValidationError(
            _("%(name)s 需要回避：%(why)s。") % {"name": expert.name, "why": "；".join(conflicts)}
        )
    with transaction.atomic():
        member, created = PanelMember.objects.unscoped().get_or_create(
            panel=panel, expert=expert, defaults={"added_by": acting_user}
        )
        if not created:
            raise ValidationError(_("%(name)s 已在评审组中。") % {"name": expert.name})
        audit_record(
            actor=acting_user, action="challenges.panel.add_member", target=panel, after={"expert": expert.pk}
        )
    return member


def panel_start_scoring(*, panel: Panel, acting_user: Any) -> Panel:
    n = PanelMember.objects.unscoped().filter(panel=panel).count()
    if n < panel.min_members:
        raise ValidationError(
            _("评审组至少需要 %(min)s 位评审专家，目前只有 %(n)s 位。") % {"min": panel.min_members, "n": n}
        )
    return engine.transition(workflow=PANEL, obj=panel, action="start_scoring", acting_user=acting_user)


def panel_missing_scores(panel: Panel) -> int:
    """Entries × reviewers (without a conflict) that have no score yet."""
    spec = subject_of(panel)
    criteria = panel.criteria.count()  # type: ignore[attr-defined]
    missing = 0
    for member in PanelMember.objects.unscoped().filter(panel=panel).select_related("expert"):
        for entry in spec.entries(panel.subject):
            if entry_conflicts(panel, member.expert, entry):
                continue
            if Score.objects.unscoped().filter(member=member, entry_id=entry.pk).count() < criteria:
                missing += 1
    return missing


def panel_close(*, panel: Panel, acting_user: Any) -> Panel:
    if panel.status == Panel.Status.SCORING:
        missing = panel_missing_scores(panel)
        if missing:
            raise ValidationError(
                _("还有 %(n)s 份评分未完成，全部评审专家评分后才能结束评审。") % {"n": missing}
            )
    return engine.transition(workflow=PANEL, obj=panel, action="close", acting_user=acting_user)


# --- reviewers ------------------------------------------------------------------------------------


def reviewer_seat(user: Any, panel: Panel) -> PanelMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        PanelMember.objects.unscoped().filter(panel=panel, expert__user=user).select_related("expert").first()
    )


def reviewer_open_entry(*, user: Any, panel: Panel, entry: Any) -> PanelMember:
    """A reviewer opens an entry: only a seated reviewer, only while scoring or closed, never with a conflict."""
    seat = reviewer_seat(user, panel)
    if seat is None:
        raise PermissionDenied(_("您不是该评审组的评审专家。"))
    if panel.status == Panel.Status.FORMING:
        raise PermissionDenied(_("评审尚未开始，暂不能查看申报材料。"))
    conflicts = entry_conflicts(panel, seat.expert, entry)
    if conflicts:
        raise PermissionDenied(
            _("您与该申报存在利益冲突，需要回避：%(why)s。") % {"why": "；".join(conflicts)}
        )
    return seat


def own_scores(seat: PanelMember, entry_id: int) -> dict[int, Score]:
    """A reviewer's own scores of one entry (criterion id -> score): the only scores a reviewer reads."""
    return {s.criterion_id: s for s in Score.objects.unscoped().filter(member=seat, entry_id=entry_id)}


def _decimal(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def score_submit(
    *,
    panel: Panel,
    entry: Any,
    acting_user: Any,
    values: dict[int, Any],
    comments: dict[int, str] | None = None,
) -> list[Score]:
    """One reviewer scores one entry on every criterion at once; nothing is saved unless all are valid."""
    seat = reviewer_open_entry(user=acting_user, panel=panel, entry=entry)
    if panel.status != Panel.Status.SCORING:
        raise ValidationError(
            _("评审组不在评分阶段（当前：%(s)s），不能评分。") % {"s": panel.get_status_display()}
        )
    comments = comments or {}
    errors: dict[str, str] = {}
    clean: dict[int, Decimal] = {}
    criteria = list(panel.criteria.all())  # type: ignore[attr-defined]
    for criterion in criteria:
        raw = values.get(criterion.pk)
        value = _decimal(raw) if raw not in (None, "") else None
        if value is None:
            errors[f"score_{criterion.pk}"] = _("请为“%(c)s”打分（0–%(max)s 分）。") % {
                "c": criterion.name,
                "max": panel.scale_max,
            }
        elif not (0 <= value <= panel.scale_max):
            errors[f"score_{criterion.pk}"] = _("“%(c)s”的得分 %(v)s 超出范围，应在 0–%(max)s 分之间。") % {
                "c": criterion.name,
                "v": raw,
                "max": panel.scale_max,
            }
        else:
            clean[criterion.pk] = value.quantize(TWO, rounding=ROUND_HALF_UP)
    unknown = set(values) - {c.pk for c in criteria}
    if unknown:
        errors["__all__"] = _("评分中含有不属于本评审组的指标。")
    if errors:
        raise ValidationError(errors)
    if Score.objects.unscoped().filter(member=seat, entry_id=entry.pk).exists():
        raise ValidationError(_("您已对该申报评分，评分提交后不能重复提交或修改。"))
    try:
        with transaction.atomic():
            scores = Score.objects.unscoped().bulk_create(
                Score(
                    member=seat,
                    entry_id=entry.pk,
                    criterion=c,
                    value=clean[c.pk],
                    comment=(comments.get(c.pk) or "").strip()[:1000],
                )
                for c in criteria
            )
            audit_record(
                actor=acting_user,
                action="challenges.panel.score",
                target=panel,
                after={"entry": entry.pk, "scores": {str(k): str(v) for k, v in clean.items()}},
            )
    except IntegrityError:
        raise ValidationError(_("您已对该申报评分，评分提交后不能重复提交或修改。")) from None
    return scores


# --- aggregation ----------------------------------------------------------------------------------


def weighted_total(values: dict[int, Decimal], weights: dict[int, Decimal]) -> Decimal:
    """One reviewer's total: the weighted mean of the criterion scores (on the panel's scale)."""
    total_weight = sum(weights.values(), Decimal("0"))
    if not total_weight:
        return Decimal("0")
    return sum((values[c] * w for c, w in weights.items()), Decimal("0")) / total_weight


def aggregate(totals: list[Decimal], *, trimmed: bool) -> Decimal:
    """Mean of reviewers' totals, without the highest and the lowest one when trimmed and n ≥ 3."""
    if not totals:
        return Decimal("0")
    ordered = sorted(totals)
    if trimmed and len(ordered) >= 3:
        ordered = ordered[1:-1]
    return (sum(ordered, Decimal("0")) / len(ordered)).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass
class ResultRow:
    entry: Any
    score: Decimal
    reviewers: int
    criterion_means: dict[int, Decimal]
    rank: int = 0
    tie_note: str = ""


def rank_rows(
    rows: list[ResultRow], *, heaviest: int | None, submitted: Callable[[Any], datetime]
) -> list[ResultRow]:
    """Order by score; ties broken by the heaviest criterion, then the earlier submission, then the id."""

    def key(r: ResultRow) -> tuple[Any, ...]:
        tie = r.criterion_means.get(heaviest, Decimal("0")) if heaviest is not None else Decimal("0")
        return (-r.score, -tie, submitted(r.entry), r.entry.pk)

    ordered = sorted(rows, key=key)
    for i, row in enumerate(ordered):
        row.rank = i + 1
        tied = [o for o in ordered if o is not row and o.score == row.score]
        if tied:
            row.tie_note = _("与其他申报同分，按权重最高指标得分、提交先后排序")
    return ordered


def panel_results(panel: Panel) -> list[ResultRow]:
    """The ranking of a panel's entries (callers check that the panel is closed and who may read it)."""
    spec = subject_of(panel)
    criteria = list(panel.criteria.all())  # type: ignore[attr-defined]
    weights = {c.pk: c.weight for c in criteria}
    heaviest = max(criteria, key=lambda c: (c.weight, -c.order)).pk if criteria else None
    scores = Score.objects.unscoped().filter(member__panel=panel)
    by_entry: dict[int, dict[int, dict[int, Decimal]]] = {}
    for s in scores:
        by_entry.setdefault(s.entry_id, {}).setdefault(s.member_id, {})[s.criterion_id] = s.value
    rows = []
    for entry in spec.entries(panel.subject):
        sheets = [v for v in by_entry.get(entry.pk, {}).values() if set(v) == set(weights)]
        totals = [weighted_total(v, weights) for v in sheets]
        means = {
            c: (sum((v[c] for v in sheets), Decimal("0")) / len(sheets)).quantize(TWO)
            if sheets
            else Decimal("0")
            for c in weights
        }
        rows.append(ResultRow(entry, aggregate(totals, trimmed=panel.trimmed), len(sheets), means))
    return rank_rows(rows, heaviest=heaviest, submitted=spec.submitted_at)


def panels_of(subject: models.Model, *, purpose: str | None = None) -> Any:
    """A subject's panels, newest first (a re-review or an acceptance review adds one)."""
    qs = Panel.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).prefetch_related("criteria")
    return qs.filter(purpose=purpose) if purpose else qs


def seated_panel(user: Any, subject: models.Model) -> Panel | None:
    """The subject's panel on which ``user`` sits, the one scoring now first, else the newest."""
    if not getattr(user, "is_authenticated", False):
        return None
    seated = [p for p in panels_of(subject) if reviewer_seat(user, p) is not None]
    scoring = [p for p in seated if p.status == Panel.Status.SCORING]
    return (scoring or seated or [None])[0]
