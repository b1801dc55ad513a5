"""Eligibility rules: operators over registered facts, evaluated with a reason per rule.

A rule is ``(fact key, operator, values)``; values are strings (numbers, region or industry codes, choice
values, qualification names). ``evaluate`` answers per rule met / not met / unknown with a Chinese reason
("注册地：临沂市兰山区 ✓", "研发投入占比 2.1% < 3% ✗"); ``contradictions`` names rules that can never match
together, so the operator is warned when saving.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from techmarket.core.text import word_list

from .facts import CHOICE, INDUSTRY, NUMBER, QUALIFICATION, REGION, Fact, as_number, get_fact

EQ, NE, GTE, LTE, BETWEEN, IN, NOT_IN, HAS_VALID = (
    "eq",
    "ne",
    "gte",
    "lte",
    "between",
    "in",
    "not_in",
    "has_valid",
)
OPERATORS: dict[str, Any] = {
    EQ: gettext_lazy("等于"),
    NE: gettext_lazy("不等于"),
    GTE: gettext_lazy("不少于（≥）"),
    LTE: gettext_lazy("不超过（≤）"),
    BETWEEN: gettext_lazy("介于（含两端）"),
    IN: gettext_lazy("属于其中之一"),
    NOT_IN: gettext_lazy("不属于"),
    HAS_VALID: gettext_lazy("持有有效资质"),
}
SYMBOL = {EQ: "=", NE: "≠", GTE: "≥", LTE: "≤"}
NEGATED = {EQ: "≠", NE: "=", GTE: "<", LTE: ">"}
ALLOWED: dict[str, tuple[str, ...]] = {
    NUMBER: (EQ, NE, GTE, LTE, BETWEEN, IN, NOT_IN),
    CHOICE: (EQ, NE, IN, NOT_IN),
    REGION: (IN, NOT_IN),
    INDUSTRY: (IN, NOT_IN),
    QUALIFICATION: (HAS_VALID,),
}
MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
MARK = {MET: "✓", NOT_MET: "✗", UNKNOWN: "？"}


@dataclass(frozen=True)
class Rule:
    fact: str
    op: str
    values: tuple[str, ...]
    valid_through: datetime.date | None = None  # qualification: must stay valid at least until this day


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    state: str
    reason: str

    @property
    def met(self) -> bool:
        return self.state == MET


@dataclass(frozen=True)
class Evaluation:
    results: tuple[RuleResult, ...]

    @property
    def eligible(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def missing(self) -> list[RuleResult]:
        return [r for r in self.results if not r.met]

    @property
    def near_miss(self) -> bool:
        """All rules but one met: worth telling the enterprise what is missing."""
        return len(self.results) > 1 and len(self.missing) == 1

    @property
    def reasons(self) -> list[str]:
        return [r.reason for r in self.results]


# ---- names of codes ------------------------------------------------------------------------------------


def region_prefix(code: str) -> str:
    """GB/T 2260: 370000 (province) covers 37xxxx, 371300 (city) covers 3713xx, a county only itself."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def region_covers(scope: str, code: str) -> bool:
    return code.startswith(region_prefix(scope))


def industry_covers(scope: str, code: str, section: str = "") -> bool:
    """GB/T 4754: a section letter covers its divisions; a division (2 digits) its groups and classes."""
    if scope.isalpha():
        return section == scope
    return code.startswith(scope)


def _region_name(code: str) -> str:
    from techmarket.reference.models import Region

    r = Region.objects.filter(pk=code).first()
    return (r.full_name or r.name) if r else code


def _industry_name(code: str) -> str:
    from techmarket.reference.models import Industry

    i = Industry.objects.filter(pk=code).first()
    return i.name if i else code


def value_label(fact: Fact, value: str) -> str:
    if fact.kind == REGION:
        return _region_name(value)
    if fact.kind == INDUSTRY:
        return _industry_name(value)
    if fact.kind == CHOICE and fact.choices:
        return dict(fact.choices()).get(value, value)
    if fact.kind == NUMBER:
        return f"{_num(as_number(value))}{fact.unit}"
    return value


def _num(d: Decimal | None) -> str:
    if d is None:
        return "—"
    return format(d.normalize(), "f") if d == d.to_integral() else format(d.normalize(), "f")


def describe(rule: Rule) -> str:
    """The rule in words, as operators and enterprises read it: "研发投入占比 ≥ 3%"."""
    fact = get_fact(rule.fact)
    if fact is None:
        return _("未知条件“%(k)s”") % {"k": rule.fact}
    labels = [value_label(fact, v) for v in rule.values]
    if rule.op in SYMBOL:
        return f"{fact.label} {SYMBOL[rule.op]} {labels[0] if labels else '—'}"
    if rule.op == BETWEEN:
        return _("%(f)s 在 %(a)s 至 %(b)s 之间") % {"f": fact.label, "a": labels[0], "b": labels[1]}
    if rule.op == IN:
        return _("%(f)s属于：%(v)s") % {"f": fact.label, "v": word_list(labels) or "—"}
    if rule.op == NOT_IN:
        return _("%(f)s不属于：%(v)s") % {"f": fact.label, "v": word_list(labels) or "—"}
    text = _("持有有效资质：%(v)s") % {"v": pgettext("alternatives", "或").join(labels)}
    if rule.valid_through:
        text += _("（有效期至少到 %(d)s）") % {"d": rule.valid_through.isoformat()}
    return text


# ---- evaluation ----------------------------------------------------------------------------------------


def _unknown(fact: Fact) -> str:
    return _("%(f)s：未填写（%(s)s），无法判断 %(m)s") % {
        "f": fact.label,
        "s": fact.source or _("企业画像"),
        "m": MARK[UNKNOWN],
    }


def _evaluate_number(fact: Fact, rule: Rule, raw: Any) -> RuleResult:
    value = as_number(raw)
    if value is None:
        return RuleResult(rule, UNKNOWN, _unknown(fact))
    bounds = [as_number(v) for v in rule.values]
    shown = f"{_num(value)}{fact.unit}"
    op = rule.op
    if op == BETWEEN:
        lo, hi = bounds[0], bounds[1]
        ok = lo is not None and hi is not None and lo <= value <= hi
        rel = (_("在 %(a)s–%(b)s%(u)s 之间") if ok else _("不在 %(a)s–%(b)s%(u)s 之间")) % {
            "a": _num(lo),
            "b": _num(hi),
            "u": fact.unit,
        }
        return RuleResult(
            rule, MET if ok else NOT_MET, f"{fact.label} {shown} {rel} {MARK[MET if ok else NOT_MET]}"
        )
    if op in (IN, NOT_IN):
        inside = value in bounds
        ok = inside if op == IN else not inside
        listed = word_list(f"{_num(b)}{fact.unit}" for b in bounds)
        rel = (_("属于 %(v)s") if inside else _("不属于 %(v)s")) % {"v": listed}
        return RuleResult(
            rule, MET if ok else NOT_MET, f"{fact.label} {shown} {rel} {MARK[MET if ok else NOT_MET]}"
        )
    limit = bounds[0]
    ok = (
        limit is not None
        and {
            EQ: value == limit,
            NE: value != limit,
            GTE: value >= limit,
            LTE: value <= limit,
        }[op]
    )
    sign = SYMBOL[op] if ok else NEGATED[op]
    text = f"{fact.label} {shown} {sign} {_num(limit)}{fact.unit} {MARK[MET if ok else NOT_MET]}"
    return RuleResult(rule, MET if ok else NOT_MET, text)


def _missed(fact: Fact, shown: str, why: str) -> str:
    return _("%(f)s：%(v)s，%(why)s %(m)s") % {"f": fact.label, "v": shown, "why": why, "m": MARK[NOT_MET]}


def _evaluate_tree(fact: Fact, rule: Rule, raw: Any) -> RuleResult:
    if not raw:
        return RuleResult(rule, UNKNOWN, _unknown(fact))
    code = str(raw)
    if fact.kind == REGION:
        name = _region_name(code)
        inside = any(region_covers(scope, code) for scope in rule.values)
    else:
        from techmarket.reference.models import Industry

        industry = Industry.objects.filter(pk=code).first()
        name = industry.name if industry else code
        section = industry.section if industry else ""
        inside = any(industry_covers(scope, code, section) for scope in rule.values)
    ok = inside if rule.op == IN else not inside
    scopes = word_list(value_label(fact, v) for v in rule.values)
    if ok:
        return RuleResult(rule, MET, _("%(f)s：%(v)s %(m)s") % {"f": fact.label, "v": name, "m": MARK[MET]})
    rel = _("不在 %(v)s 范围内") if rule.op == IN else _("属于排除的 %(v)s")
    return RuleResult(rule, NOT_MET, _missed(fact, name, rel % {"v": scopes}))


def _evaluate_choice(fact: Fact, rule: Rule, raw: Any) -> RuleResult:
    if raw in (None, ""):
        return RuleResult(rule, UNKNOWN, _unknown(fact))
    value = str(raw)
    inside = value in rule.values
    ok = inside if rule.op in (EQ, IN) else not inside
    shown = value_label(fact, value)
    if ok:
        return RuleResult(rule, MET, _("%(f)s：%(v)s %(m)s") % {"f": fact.label, "v": shown, "m": MARK[MET]})
    wanted = word_list(value_label(fact, v) for v in rule.values)
    rel = _("要求 %(v)s") if rule.op in (EQ, IN) else _("排除 %(v)s")
    return RuleResult(rule, NOT_MET, _missed(fact, shown, rel % {"v": wanted}))


def _evaluate_qualification(fact: Fact, rule: Rule, raw: Any, today: datetime.date) -> RuleResult:
    held: dict[str, datetime.date | None] = raw or {}
    needed_until = max(today, rule.valid_through) if rule.valid_through else today
    expired: list[str] = []
    for name in rule.values:
        if name not in held:
            continue
        until = held[name]
        if until is None or until >= needed_until:
            when = _("长期有效") if until is None else _("有效期至 %(d)s") % {"d": until.isoformat()}
            return RuleResult(rule, MET, f"{name}（{when}）{MARK[MET]}")
        if until < today:
            expired.append(_("%(n)s 已于 %(d)s 过期") % {"n": name, "d": until.isoformat()})
        else:
            expired.append(
                _("%(n)s 有效期至 %(d)s，未到要求的 %(r)s")
                % {"n": name, "d": until.isoformat(), "r": needed_until.isoformat()}
            )
    if expired:
        return RuleResult(rule, NOT_MET, "；".join(expired) + f" {MARK[NOT_MET]}")
    return RuleResult(
        rule,
        NOT_MET,
        _("未持有 %(n)s") % {"n": pgettext("alternatives", "或").join(rule.values)} + f" {MARK[NOT_MET]}",
    )


def evaluate_rule(rule: Rule, organization: Any, today: datetime.date) -> RuleResult:
    fact = get_fact(rule.fact)
    if fact is None:
        return RuleResult(
            rule, UNKNOWN, _("条件“%(k)s”已停用，无法判断 %(m)s") % {"k": rule.fact, "m": MARK[UNKNOWN]}
        )
    raw = fact.value(organization, today)
    if fact.kind == NUMBER:
        return _evaluate_number(fact, rule, raw)
    if fact.kind in (REGION, INDUSTRY):
        return _evaluate_tree(fact, rule, raw)
    if fact.kind == CHOICE:
        return _evaluate_choice(fact, rule, raw)
    return _evaluate_qualification(fact, rule, raw, today)


def evaluate(rules: Iterable[Rule], organization: Any, today: datetime.date) -> Evaluation:
    return Evaluation(tuple(evaluate_rule(r, organization, today) for r in rules))


# ---- checks when saving ---------------------------------------------------------------------------------


def clean_rule(fact_key: str, op: str, raw_values: Sequence[str], valid_through: Any = None) -> Rule:
    """One rule from the form or the API, values normalised (names → codes); ValidationError in Chinese."""
    fact = get_fact(fact_key)
    if fact is None:
        raise ValidationError(_("未知的条件“%(k)s”。") % {"k": fact_key})
    if op not in ALLOWED[fact.kind]:
        allowed = word_list(str(OPERATORS[o]) for o in ALLOWED[fact.kind])
        raise ValidationError(
            _("“%(f)s”不能用“%(o)s”，可用：%(ok)s。")
            % {"f": fact.label, "o": OPERATORS.get(op, op), "ok": allowed}
        )
    values = [str(v).strip() for v in raw_values if str(v).strip()]
    if fact.kind == NUMBER:
        numbers = []
        for v in values:
            n = as_number(v.rstrip(str(fact.unit)).strip() if fact.unit else v)
            if n is None:
                raise ValidationError(_("“%(f)s”的取值“%(v)s”不是数字。") % {"f": fact.label, "v": v})
            numbers.append(n)
        need = {BETWEEN: 2}.get(op, 1)
        if op in (IN, NOT_IN):
            pass
        elif len(numbers) != need:
            raise ValidationError(
                _("“%(f)s %(o)s”需要 %(n)d 个数值。") % {"f": fact.label, "o": OPERATORS[op], "n": need}
            )
        if op == BETWEEN and numbers[0] > numbers[1]:
            raise ValidationError(
                _("“%(f)s”的下限 %(a)s 大于上限 %(b)s，请对调。")
                % {"f": fact.label, "a": _num(numbers[0]), "b": _num(numbers[1])}
            )
        values = [_num(n) for n in numbers]
    elif fact.kind in (REGION, INDUSTRY):
        values = [_resolve_code(fact, v) for v in values]
    elif fact.kind == CHOICE:
        choices = fact.choices() if fact.choices else []
        by_label = {label: value for value, label in choices}
        known = {value for value, _label in choices}
        resolved = []
        for v in values:
            code = v if v in known else by_label.get(v)
            if code is None:
                raise ValidationError(
                    _("“%(f)s”没有“%(v)s”这一项，可选：%(ok)s。")
                    % {"f": fact.label, "v": v, "ok": word_list(label for _v, label in choices)}
                )
            resolved.append(code)
        values = resolved
        if op in (EQ, NE) and len(values) != 1:
            raise ValidationError(_("“%(f)s %(o)s”只能填一个值。") % {"f": fact.label, "o": OPERATORS[op]})
    else:
        names = {n for n, _label in (fact.choices() if fact.choices else [])}
        for v in values:
            if v not in names:
                raise ValidationError(
                    _("资质“%(v)s”不存在，可选：%(ok)s。") % {"v": v, "ok": word_list(sorted(names))}
                )
        if not values:
            raise ValidationError(_("请填写要求持有的资质。"))
    if isinstance(valid_through, str):
        try:
            valid_through = datetime.date.fromisoformat(valid_through) if valid_through else None
        except ValueError:
            raise ValidationError(_("“有效期至少到”的日期格式应为 YYYY-MM-DD。")) from None
    if valid_through and fact.kind != QUALIFICATION:
        raise ValidationError(_("“有效期至少到”只适用于资质条件。"))
    return Rule(fact_key, op, tuple(dict.fromkeys(values)), valid_through or None)


def _resolve_code(fact: Fact, value: str) -> str:
    from techmarket.reference.models import Industry, Region

    model = Region if fact.kind == REGION else Industry
    if model.objects.filter(pk=value).exists():
        return value
    matches = list(model.objects.filter(name=value).values_list("pk", flat=True)[:5])
    if fact.kind == REGION and not matches:
        matches = list(Region.objects.filter(full_name=value).values_list("pk", flat=True)[:5])
    if len(matches) == 1:
        return str(matches[0])
    if len(matches) > 1:
        raise ValidationError(
            _("“%(v)s”有多个同名%(f)s（%(c)s），请填写代码。")
            % {"v": value, "f": fact.label, "c": word_list(str(m) for m in matches)}
        )
    raise ValidationError(_("找不到%(f)s“%(v)s”，请填写名称或代码。") % {"f": fact.label, "v": value})


def contradictions(
    rules: Sequence[Rule],
    *,
    today: datetime.date,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> list[str]:
    """Why no enterprise could ever match these rules (empty when none is found)."""
    warnings: list[str] = []
    if valid_until is not None and valid_until < today:
        warnings.append(_("政策有效期已于 %(d)s 结束，不会推送给任何企业。") % {"d": valid_until.isoformat()})
    if valid_from and valid_until and valid_from > valid_until:
        warnings.append(_("政策生效日期晚于截止日期。"))
    by_fact: dict[str, list[Rule]] = {}
    for rule in rules:
        by_fact.setdefault(rule.fact, []).append(rule)
        fact = get_fact(rule.fact)
        label = fact.label if fact else rule.fact
        if rule.op in (IN, HAS_VALID) and not rule.values:
            warnings.append(_("“%(f)s”的取值列表为空，没有企业能满足。") % {"f": label})
    for key, group in by_fact.items():
        fact = get_fact(key)
        if fact is None:
            continue
        if fact.kind == NUMBER:
            warnings += _number_conflicts(fact, group)
        elif fact.kind in (REGION, INDUSTRY, CHOICE):
            warnings += _set_conflicts(fact, group)
    return warnings


def _number_conflicts(fact: Fact, group: list[Rule]) -> list[str]:
    lo: Decimal | None = None
    hi: Decimal | None = None
    excluded: set[Decimal] = set()
    allowed: set[Decimal] | None = None
    for r in group:
        nums = [n for n in (as_number(v) for v in r.values) if n is not None]
        if r.op in (GTE, BETWEEN, EQ) and nums:
            lo = nums[0] if lo is None else max(lo, nums[0])
        if r.op in (LTE, EQ) and nums:
            hi = nums[0] if hi is None else min(hi, nums[0])
        if r.op == BETWEEN and len(nums) == 2:
            hi = nums[1] if hi is None else min(hi, nums[1])
        if r.op == NE:
            excluded.update(nums)
        if r.op == NOT_IN:
            excluded.update(nums)
        if r.op == IN:
            allowed = set(nums) if allowed is None else allowed & set(nums)
    if lo is not None and hi is not None and lo > hi:
        return [
            _("“%(f)s”既要求 ≥ %(a)s%(u)s 又要求 ≤ %(b)s%(u)s，没有企业能满足。")
            % {"f": fact.label, "a": _num(lo), "b": _num(hi), "u": fact.unit}
        ]
    if lo is not None and lo == hi and lo in excluded:
        return [_("“%(f)s”只能等于 %(a)s，却又排除了它。") % {"f": fact.label, "a": _num(lo)}]
    if allowed is not None:
        fits = {n for n in allowed - excluded if (lo is None or n >= lo) and (hi is None or n <= hi)}
        if not fits:
            return [_("“%(f)s”的可选值都被其他条件排除了，没有企业能满足。") % {"f": fact.label}]
    return []


def _set_conflicts(fact: Fact, group: list[Rule]) -> list[str]:
    ins = [r for r in group if r.op in (IN, EQ)]
    outs = [v for r in group if r.op in (NOT_IN, NE) for v in r.values]
    if fact.kind == CHOICE:
        allowed: set[str] | None = None
        for r in ins:
            allowed = set(r.values) if allowed is None else allowed & set(r.values)
        if allowed is not None and not (allowed - set(outs)):
            return [_("“%(f)s”的要求互相矛盾，没有企业能满足。") % {"f": fact.label}]
        return []

    def covers(scope: str, code: str) -> bool:
        if fact.kind == REGION:
            return region_covers(scope, code)
        if scope.isalpha() or code.isalpha():  # a section letter: compare sections only when both are letters
            return scope == code if scope.isalpha() and code.isalpha() else scope.isalpha() and not code
        return code.startswith(scope)

    def overlap(a: str, b: str) -> bool:
        if fact.kind == INDUSTRY and (a.isalpha() != b.isalpha()):
            return True  # a section and a division: may overlap, never warn on a guess
        return covers(a, b) or covers(b, a)

    for i, first in enumerate(ins):
        for second in ins[i + 1 :]:
            if not any(overlap(a, b) for a in first.values for b in second.values):
                return [_("“%(f)s”的两条要求没有交集，没有企业能满足。") % {"f": fact.label}]
    for r in ins:
        if r.values and all(any(covers(o, v) for o in outs) for v in r.values):
            return [_("“%(f)s”要求的范围全部被排除了，没有企业能满足。") % {"f": fact.label}]
    return []
