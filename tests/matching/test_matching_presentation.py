"""What a person reads in a suggestion: telling shared keywords only, whole-number highlights, a bounded
match level in plain words, an order that follows the shown level, and the broker's decisions marked."""

import pytest
from django.test import Client
from factories import MembershipFactory, UserFactory
from matching_items import make_achievement, make_filler, make_need

from techmarket.matching import presentation, services
from techmarket.matching.views import platform_region
from techmatch import Result
from techmatch.explain import Highlight

pytestmark = pytest.mark.django_db


def _result(**kw):
    data = dict(
        id="achievement:1",
        score=0.05,
        kind="achievement",
        reasons=[],
        terms=[],
        highlights=[],
        contributions={},
    )
    data.update(kw)
    return Result(**data)


def test_explanation_drops_numbers_units_and_filler_words_from_shared_keywords():
    terms = ["磷酸铁锂", "85", "20", "2.5", "cm3", "明显", "保持", "33%", "正极材料"]
    result = _result(
        terms=terms,
        reasons=[
            "共同关键词：" + "、".join(terms),
            "主要依据：关键词匹配（60%）",
            "语义相似度 0.91",
            "同属 C38 电气机械和器材制造业",
        ],
    )
    assert presentation.telling_terms(result) == ["磷酸铁锂", "正极材料"]
    assert presentation.plain_reasons(result) == [
        "共同关键词：磷酸铁锂、正极材料",
        "同属 电气机械和器材制造业",
    ]


def test_the_engines_reasons_and_the_match_level_read_in_english_too():
    from django.utils import translation

    reasons = [
        "同属 C38 电气机械和器材制造业",
        "行业 C26 化学原料和化学制品制造业 与学科 530 化学工程 相关",
        "成熟度 TRL 7 满足中试要求",
        "成熟度 TRL 3 低于中试要求（TRL 6）",
        "合作方式匹配：许可、转让",
        "同一地市",
        "同一省份",
    ]
    result = _result(reasons=reasons)
    with translation.override("zh-hans"):
        zh = presentation.plain_reasons(result)
        assert zh == [
            "同属 电气机械和器材制造业",
            "行业 化学原料和化学制品制造业 与学科 化学工程 相关",
            "成熟度 TRL 7 满足中试要求",
            "成熟度 TRL 3 低于中试要求（TRL 6）",
            "合作方式匹配：许可、转让",
            "同一地市",
            "同一省份",
        ]
        assert presentation.match_level(100.0)[1] == "高"
    with translation.override("en"):
        en = presentation.plain_reasons(result)
        assert en == [
            "Same industry: 电气机械和器材制造业",
            "Industry 化学原料和化学制品制造业 relates to discipline 化学工程",
            "Maturity TRL 7 meets the pilot-scale requirement",
            "Maturity TRL 3 is below the pilot-scale requirement (TRL 6)",
            "Cooperation methods match: licensing, assignment",
            "Same city",
            "Same province",
        ]  # was the engine's Chinese as it stands
        assert presentation.match_level(100.0)[1] == "high" and presentation.match_level(0.0)[1] == "moderate"


def test_a_highlight_never_splits_a_number():
    text = "容量保持率提升 33% 以上，采用磷酸铁锂"
    start = text.index("3%")
    result = _result(
        terms=["3%", "磷酸铁锂"],
        highlights=[
            Highlight("body", start, start + 2, "3%"),
            Highlight("body", text.index("磷酸铁锂"), text.index("磷酸铁锂") + 4, "磷酸铁锂"),
        ],
    )
    html = str(presentation.marked(text, presentation.shown_spans(text, result, "body")))
    assert "<mark>磷酸铁锂</mark>" in html and "33%" in html and "<mark>3" not in html
    assert presentation._splits_a_run("33%", 1, 3)


def test_match_level_is_bounded_and_monotone_in_the_engine_score():
    levels = [presentation.match_level(s) for s in (0.001, 0.02, 0.05, 0.08, 1.0)]
    percents = [p for p, _w in levels]
    assert percents == sorted(percents) and all(1 <= p <= 100 for p in percents)
    assert levels[-1] == (100, "高") and levels[0][1] == "一般"


def test_drivers_are_said_in_plain_words():
    text = presentation.drivers(_result(contributions={"word": 0.4, "bigram": 0.3, "features": 0.3}))
    assert text == "主要因为文字内容相近，其次行业、成熟度、合作方式等条件相符"
    assert "字词片段" not in text


def test_shown_order_follows_the_shown_match_level(enterprise, university, enterprise_user):
    class S:
        def __init__(self, obj, score, rank):
            self.obj, self.rank = obj, rank
            self.result = _result(id=f"achievement:{obj.pk}", score=score)

    a, b = make_achievement(university), make_achievement(university, title="另一项成果")
    rows = presentation.suggestion_views([S(a, 0.02, 1), S(b, 0.05, 2)])
    assert [r["obj"].pk for r in rows] == [b.pk, a.pk] and [r["rank"] for r in rows] == [1, 2]
    assert rows[0]["percent"] >= rows[1]["percent"]


def test_enterprise_sees_recommended_and_rejected_candidates_marked(
    enterprise, enterprise_user, university, broker, rebuild
):
    need = make_need(enterprise)
    good = make_achievement(university)
    other = make_achievement(
        university, title="磷酸铁锂正极材料回收工艺", summary="磷酸铁锂正极材料的湿法回收。"
    )
    make_filler(university)
    rebuild()
    services.feedback_record(acting_user=broker, source=need, target=good, decision="recommend")
    services.feedback_record(
        acting_user=broker, source=need, target=other, decision="reject", reason="回收不是改性"
    )
    c = Client()
    c.force_login(enterprise_user)
    response = c.get(f"/matching/suggestions/need/{need.pk}/?target=achievements")
    html = response.content.decode()
    rows = response.context["suggestions"]
    assert rows[0]["obj"].pk == good.pk and "技术经理人推荐" in html
    assert rows[-1]["obj"].pk == other.pk and "经纪人判断不相关" in html and "回收不是改性" in html
    assert "得分" not in html and "匹配度" in html


def test_region_toggle_follows_the_configured_platform_region(
    settings, enterprise, enterprise_user, university, rebuild
):
    settings.PLATFORM_REGION_PREFIXES = ["32"]
    assert platform_region() == ("32", "江苏省")
    need = make_need(enterprise)
    make_achievement(university)
    rebuild()
    c = Client()
    c.force_login(enterprise_user)
    html = c.get(f"/matching/suggestions/need/{need.pk}/").content.decode()
    assert "只看江苏省" in html and "只看山东" not in html and "region=32" in html


def test_workbench_pages_needs_and_offers_experts_too(client, enterprise, university, broker, rebuild):
    from techmarket.experts.models import Expert

    for n in range(23):
        make_need(enterprise, title=f"磷酸铁锂正极材料低温改性第{n}项")
    need = make_need(enterprise, title="正极材料低温性能专项")
    make_achievement(university)
    make_filler(university, n=5)
    Expert.objects.create(
        name="王磊", affiliation=university, research_fields="磷酸铁锂正极材料；低温性能", is_active=True
    )
    rebuild()
    client.force_login(broker)
    listing = client.get("/matching/workbench/")
    assert listing.context["page"].paginator.count == 24 and len(listing.context["rows"]) == 20
    row = listing.context["rows"][0]
    assert row["owner"] and row["candidates"] is not None
    experts = client.get(f"/matching/workbench/?need={need.pk}&target=experts")
    assert [c["obj"].name for c in experts.context["candidates"]] == ["王磊"]
    expert = Expert.objects.get()
    client.post(
        "/matching/workbench/feedback/",
        {"need": need.pk, "target": expert.pk, "target_kind": "experts", "decision": "recommend"},
    )
    html = client.get(f"/matching/workbench/?need={need.pk}&target=experts").content.decode()
    # a decided candidate keeps only the other choices, behind 改变决定
    assert "改变决定" in html and 'value="recommend"' not in html


def test_suggestion_panel_offers_more_than_ten(enterprise, enterprise_user, university, rebuild):
    need = make_need(enterprise)
    for n in range(14):
        make_achievement(university, title=f"磷酸铁锂正极材料低温改性方案{n}")
    make_filler(university, n=5)
    rebuild()
    c = Client()
    c.force_login(enterprise_user)
    first = c.get(f"/matching/suggestions/need/{need.pk}/")
    assert len(first.context["suggestions"]) == 10 and first.context["more_url"]
    more = c.get(first.context["more_url"])
    assert len(more.context["suggestions"]) > 10


def test_duplicate_need_is_warned_about_at_submit_and_accepted_after_confirmation(enterprise, rebuild):
    from techmarket.needs.models import Need

    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role="org_admin")
    make_need(enterprise)
    rebuild()
    c = Client()
    c.force_login(user)
    form = {
        "owner": enterprise.pk,
        "kind": "technology",
        "title": "磷酸铁锂正极材料低温性能改性",
        "summary": "磷酸铁锂电池在零下二十度容量衰减严重，需要改性正极材料。",
        "problem": "提升磷酸铁锂正极材料的低温放电容量和倍率性能。",
        "visibility": "public",
        "submit": "1",
    }
    warned = c.post("/needs/new/", form)
    assert warned.status_code == 200 and 'id="duplicate-warning"' in warned.content.decode()
    assert Need.objects.count() == 1
    confirmed = c.post("/needs/new/", {**form, "confirm_duplicate": "1"})
    assert confirmed.status_code == 302 and Need.objects.count() == 2
    assert Need.objects.order_by("-pk").first().status == "pending"


def test_a_different_need_is_submitted_without_a_warning(enterprise, rebuild):
    from techmarket.needs.models import Need

    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role="org_admin")
    make_need(enterprise)
    rebuild()
    c = Client()
    c.force_login(user)
    response = c.post(
        "/needs/new/",
        {
            "owner": enterprise.pk,
            "kind": "technology",
            "title": "果蔬预冷保鲜工艺",
            "summary": "苹果采后预冷，延长货架期。",
            "problem": "采后损耗大。",
            "visibility": "public",
            "submit": "1",
        },
    )
    assert response.status_code == 302 and Need.objects.count() == 2


def test_submitting_a_duplicate_draft_from_its_page_warns_first(enterprise, rebuild):
    from techmarket.needs.models import Need

    user = UserFactory()
    MembershipFactory(user=user, organization=enterprise, role="org_admin")
    make_need(enterprise)
    draft = Need.objects.create(
        owner=enterprise,
        title="磷酸铁锂正极材料低温性能改性",
        summary="磷酸铁锂电池在零下二十度容量衰减严重，需要改性正极材料。",
        problem="提升磷酸铁锂正极材料的低温放电容量和倍率性能。",
        status="draft",
    )
    rebuild()
    c = Client()
    c.force_login(user)
    warned = c.post(f"/needs/{draft.pk}/actions/submit/")
    assert warned.status_code == 302 and "check=duplicates" in warned["Location"]
    assert Need.objects.unscoped().get(pk=draft.pk).status == "draft"
    page = c.get(warned["Location"]).content.decode()
    assert 'id="duplicate-warning"' in page and 'name="confirm_duplicate"' in page
    confirmed = c.post(f"/needs/{draft.pk}/actions/submit/", {"confirm_duplicate": "1"})
    assert confirmed.status_code == 302
    assert Need.objects.unscoped().get(pk=draft.pk).status == "pending"
