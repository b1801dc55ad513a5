"""Eligibility rules: every operator at its boundaries, region and industry subtrees, qualifications with
valid dates (expired ones do not count), unknown facts, near misses, and contradictions warned."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from techmarket.orgs.models import CertificationRecord, EnterpriseProfile
from techmarket.policies.facts import NUMBER, age_years, register_fact, unregister_fact
from techmarket.policies.rules import (
    MET,
    NOT_MET,
    UNKNOWN,
    Rule,
    clean_rule,
    contradictions,
    evaluate,
    evaluate_rule,
    region_prefix,
)

pytestmark = pytest.mark.django_db


def state(rule, org, day):
    return evaluate_rule(rule, org, day).state


@pytest.mark.parametrize(
    ("op", "values", "expected"),
    [
        ("gte", ["4.5"], MET),  # boundary: equal counts
        ("gte", ["4.51"], NOT_MET),
        ("lte", ["4.5"], MET),
        ("lte", ["4.49"], NOT_MET),
        ("eq", ["4.5"], MET),
        ("eq", ["4"], NOT_MET),
        ("ne", ["4.5"], NOT_MET),
        ("ne", ["3"], MET),
        ("between", ["4.5", "6"], MET),  # both ends included
        ("between", ["3", "4.5"], MET),
        ("between", ["4.6", "6"], NOT_MET),
        ("in", ["3", "4.5"], MET),
        ("in", ["3", "5"], NOT_MET),
        ("not_in", ["4.5"], NOT_MET),
        ("not_in", ["3"], MET),
    ],
)
def test_number_operators_at_their_boundaries(enterprise, day, op, values, expected):
    assert state(Rule("rd_spending_ratio", op, tuple(values)), enterprise, day) == expected


def test_number_reasons_say_the_value_the_limit_and_the_mark(enterprise, other_enterprise, day):
    rule = Rule("rd_spending_ratio", "gte", ("3",))
    assert evaluate_rule(rule, enterprise, day).reason == "研发投入占比 4.5% ≥ 3% ✓"
    assert evaluate_rule(rule, other_enterprise, day).reason == "研发投入占比 2.1% < 3% ✗"


def test_a_missing_figure_is_unknown_not_failed(enterprise, day):
    EnterpriseProfile.objects.filter(organization=enterprise).update(rd_spending_ratio=None)
    enterprise.refresh_from_db()
    result = evaluate_rule(Rule("rd_spending_ratio", "gte", ("3",)), enterprise, day)
    assert result.state == UNKNOWN
    assert "未填写" in result.reason


def test_region_rule_covers_the_counties_of_a_city_and_province(enterprise, other_enterprise, day):
    city = Rule("region", "in", ("371300",))
    assert state(city, enterprise, day) == MET
    assert evaluate_rule(city, enterprise, day).reason.startswith("注册地：")
    assert evaluate_rule(city, enterprise, day).reason.endswith("✓")
    assert state(city, other_enterprise, day) == NOT_MET
    assert state(Rule("region", "in", ("370000",)), other_enterprise, day) == MET
    assert state(Rule("region", "in", ("371302",)), enterprise, day) == MET
    assert state(Rule("region", "in", ("371311",)), enterprise, day) == NOT_MET  # a sibling county
    assert state(Rule("region", "not_in", ("371300",)), enterprise, day) == NOT_MET
    assert state(Rule("region", "not_in", ("371300",)), other_enterprise, day) == MET


def test_region_prefix_keeps_a_county_whole():
    assert region_prefix("370000") == "37"
    assert region_prefix("371300") == "3713"
    assert region_prefix("371310") == "371310"


def test_industry_rule_covers_the_subtree(enterprise, day):
    from techmarket.reference.models import Industry

    leaf = Industry.objects.filter(level=4).order_by("code").first()
    enterprise.industry = leaf
    enterprise.save()
    assert state(Rule("industry", "in", (leaf.code[:2],)), enterprise, day) == MET
    assert state(Rule("industry", "in", (leaf.section,)), enterprise, day) == MET
    other = Industry.objects.exclude(code__startswith=leaf.code[:2]).filter(level=2).first()
    assert state(Rule("industry", "in", (other.code,)), enterprise, day) == NOT_MET
    assert state(Rule("industry", "not_in", (leaf.code[:2],)), enterprise, day) == NOT_MET


def test_choice_rule_on_revenue_band(enterprise, day):
    assert state(Rule("annual_revenue_range", "in", ("500_2000", "2000_5000")), enterprise, day) == MET
    assert state(Rule("annual_revenue_range", "eq", ("lt500",)), enterprise, day) == NOT_MET
    assert state(Rule("annual_revenue_range", "ne", ("lt500",)), enterprise, day) == MET
    assert state(Rule("annual_revenue_range", "not_in", ("2000_5000",)), enterprise, day) == NOT_MET


def test_qualification_counts_only_while_valid(enterprise, tags, day):
    rule = Rule("qualifications", "has_valid", ("高新技术企业",))
    assert state(rule, enterprise, day) == MET
    cert = CertificationRecord.objects.get(organization=enterprise, tag=tags["高新技术企业"])
    cert.valid_until = day  # valid through today
    cert.save()
    assert state(rule, enterprise, day) == MET
    cert.valid_until = day - datetime.timedelta(days=1)  # expired yesterday
    cert.save()
    result = evaluate_rule(rule, enterprise, day)
    assert result.state == NOT_MET
    assert "已于" in result.reason and "过期" in result.reason
    cert.valid_until = None  # no end date: valid
    cert.save()
    assert state(rule, enterprise, day) == MET


def test_qualification_must_last_until_the_required_day(enterprise, day):
    later = day + datetime.timedelta(days=400)
    assert state(Rule("qualifications", "has_valid", ("高新技术企业",), later), enterprise, day) == NOT_MET
    sooner = day + datetime.timedelta(days=300)
    assert state(Rule("qualifications", "has_valid", ("高新技术企业",), sooner), enterprise, day) == MET


def test_a_qualification_not_held_is_not_met(enterprise, day):
    result = evaluate_rule(Rule("qualifications", "has_valid", ("专精特新中小企业",)), enterprise, day)
    assert result.state == NOT_MET
    assert result.reason == "未持有 专精特新中小企业 ✗"
    assert (
        state(Rule("qualifications", "has_valid", ("专精特新中小企业", "高新技术企业")), enterprise, day)
        == MET
    )


def test_age_turns_on_the_founding_anniversary():
    founded = datetime.date(2021, 6, 1)
    assert age_years(founded, datetime.date(2026, 5, 31)) == 4
    assert age_years(founded, datetime.date(2026, 6, 1)) == 5


def test_age_rule_uses_the_founding_date(enterprise, day):
    assert state(Rule("age_years", "gte", ("8",)), enterprise, day) == MET
    assert state(Rule("age_years", "gte", ("9",)), enterprise, day) == NOT_MET


def test_patents_and_contracts_are_counted_from_the_platform(enterprise, day):
    from techmarket.achievements.models import Achievement, AchievementIP
    from techmarket.catalog.models import ListingStatus, Visibility

    assert state(Rule("patents", "gte", ("1",)), enterprise, day) == NOT_MET
    a = Achievement.objects.unscoped().create(
        owner=enterprise,
        title="低温磷酸铁锂",
        summary="摘要",
        visibility=Visibility.PUBLIC,
        status=ListingStatus.PUBLISHED,
    )
    AchievementIP.objects.create(
        achievement=a, ip_type="invention", number="ZL202310123456.6", title="一种方法"
    )
    AchievementIP.objects.create(achievement=a, ip_type="software", number="2023SR1", title="软件")
    assert evaluate_rule(Rule("patents", "gte", ("1",)), enterprise, day).reason == "授权专利数 1件 ≥ 1件 ✓"
    assert state(Rule("contracts", "gte", ("1",)), enterprise, day) == NOT_MET


def test_evaluation_knows_eligible_and_near_misses(enterprise, other_enterprise, day):
    rules = [
        Rule("region", "in", ("370000",)),
        Rule("rd_spending_ratio", "gte", ("3",)),
        Rule("total_staff", "lte", ("100",)),
    ]
    ev = evaluate(rules, enterprise, day)
    assert not ev.eligible and ev.near_miss
    assert [r.reason for r in ev.missing] == ["职工总数 200人 > 100人 ✗"]
    ev2 = evaluate(rules, other_enterprise, day)
    assert ev2.near_miss and "研发投入占比" in ev2.missing[0].reason
    assert evaluate(rules[:2], enterprise, day).eligible


def test_clean_rule_resolves_names_and_refuses_bad_input():
    assert clean_rule("region", "in", ["临沂市"]).values == ("371300",)
    assert clean_rule("annual_revenue_range", "eq", ["500 万元以下"]).values == ("lt500",)
    assert clean_rule("rd_spending_ratio", "between", ["3", "5%"]).values == ("3", "5")
    with pytest.raises(ValidationError, match="不是数字"):
        clean_rule("rd_spending_ratio", "gte", ["三"])
    with pytest.raises(ValidationError, match="不能用"):
        clean_rule("region", "gte", ["371300"])
    with pytest.raises(ValidationError, match="下限 5 大于上限 3"):
        clean_rule("total_staff", "between", ["5", "3"])
    with pytest.raises(ValidationError, match="找不到注册地"):
        clean_rule("region", "in", ["火星"])
    with pytest.raises(ValidationError, match="资质“不存在的资质”不存在"):
        clean_rule("qualifications", "has_valid", ["不存在的资质"])
    with pytest.raises(ValidationError, match="未知的条件"):
        clean_rule("nothing", "eq", ["1"])


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        (
            [Rule("total_staff", "gte", ("5",)), Rule("total_staff", "lte", ("3",))],
            "既要求 ≥ 5人 又要求 ≤ 3人",
        ),
        ([Rule("total_staff", "eq", ("5",)), Rule("total_staff", "ne", ("5",))], "只能等于 5"),
        ([Rule("total_staff", "in", ("1", "2")), Rule("total_staff", "gte", ("3",))], "可选值都被"),
        ([Rule("region", "in", ())], "列表为空"),
        ([Rule("region", "in", ("371300",)), Rule("region", "in", ("370100",))], "没有交集"),
        ([Rule("region", "in", ("371302",)), Rule("region", "not_in", ("371300",))], "全部被排除"),
        (
            [Rule("annual_revenue_range", "eq", ("lt500",)), Rule("annual_revenue_range", "ne", ("lt500",))],
            "互相矛盾",
        ),
    ],
)
def test_contradictions_are_named(db, rules, fragment, day):
    warnings = contradictions(rules, today=day)
    assert any(fragment in w for w in warnings), warnings


def test_compatible_rules_give_no_warning(db, day):
    rules = [
        Rule("total_staff", "gte", ("5",)),
        Rule("total_staff", "lte", ("5",)),
        Rule("region", "in", ("370000",)),
        Rule("region", "in", ("371300",)),
    ]
    assert contradictions(rules, today=day) == []


def test_a_policy_already_past_is_warned(db, day):
    warnings = contradictions([], today=day, valid_until=day - datetime.timedelta(days=1))
    assert warnings and "有效期已于" in warnings[0]


def test_other_apps_may_register_a_fact(enterprise, day):
    register_fact("test_points", "创新积分", NUMBER, lambda org, today: Decimal("72"), "分")
    try:
        assert (
            evaluate_rule(Rule("test_points", "gte", ("60",)), enterprise, day).reason
            == "创新积分 72分 ≥ 60分 ✓"
        )
        assert clean_rule("test_points", "between", ["60", "80"]).op == "between"
    finally:
        unregister_fact("test_points")
