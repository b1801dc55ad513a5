"""Suggestions: only visible items are shown or counted, weak matches are cut, explanations name shared terms."""

import pytest
from factories import UserFactory
from matching_items import make_achievement, make_filler, make_need

from techmarket.catalog.models import Visibility
from techmarket.matching import services
from techmarket.matching.selectors import suggestions_for

pytestmark = pytest.mark.django_db


def test_brokers_only_and_organisation_only_items_are_never_suggested_to_an_enterprise(
    enterprise, enterprise_user, university, broker
):
    need = make_need(enterprise)
    public = make_achievement(university)
    brokers_only = make_achievement(
        university, title="磷酸铁锂正极材料低温电解液匹配技术", visibility=Visibility.BROKERS
    )
    org_only = make_achievement(
        university, title="磷酸铁锂正极材料纳米化低温改性", visibility=Visibility.ORGANIZATION
    )
    make_filler(university)
    services.rebuild_index()
    seen = suggestions_for(enterprise_user, need, target="achievements")
    assert [s.obj.pk for s in seen] == [public.pk] and len(seen) == 1
    broker_seen = {s.obj.pk for s in suggestions_for(broker, need, target="achievements")}
    assert {public.pk, brokers_only.pk} <= broker_seen and org_only.pk not in broker_seen
    university_member = UserFactory()
    from factories import MembershipFactory

    MembershipFactory(user=university_member, organization=university)
    assert org_only.pk in {s.obj.pk for s in suggestions_for(university_member, need, target="achievements")}


def test_nothing_good_when_only_unrelated_items_exist(enterprise, enterprise_user, university):
    need = make_need(enterprise, title="材料低温性能", summary="材料在低温下性能下降。", problem="改善材料。")
    make_filler(university, n=5)
    make_achievement(university, title="材料检测服务", summary="提供材料检测服务。", keywords=[])
    services.rebuild_index()
    found = suggestions_for(enterprise_user, need, target="achievements")
    assert found.nothing_good and not found.items


def test_explanations_contain_the_shared_terms_highlights_and_signal_shares(
    enterprise, enterprise_user, university
):
    need = make_need(enterprise)
    item = make_achievement(university)
    make_filler(university)
    services.rebuild_index()
    [top] = suggestions_for(enterprise_user, need, target="achievements").items[:1]
    assert top.obj.pk == item.pk
    assert {"低温", "正极"} <= set(top.result.terms)
    assert any(r.startswith("共同关键词") and "正极" in r for r in top.result.reasons)
    assert any(h.term == "正极" and h.field == "title" for h in top.result.highlights)
    assert "word" in top.result.contributions and sum(top.result.contributions.values()) == pytest.approx(
        1, abs=1e-3
    )


def test_filters_trl_region_and_mode(enterprise, enterprise_user, university):
    need = make_need(enterprise)
    mature = make_achievement(university)
    young = make_achievement(
        university, title="磷酸铁锂正极材料低温改性实验室研究", trl=3, transfer_modes=["transfer"]
    )
    make_filler(university)
    services.rebuild_index()
    assert {s.obj.pk for s in suggestions_for(enterprise_user, need, target="achievements")} == {
        mature.pk,
        young.pk,
    }
    assert [s.obj.pk for s in suggestions_for(enterprise_user, need, target="achievements", min_trl=6)] == [
        mature.pk
    ]
    assert [
        s.obj.pk for s in suggestions_for(enterprise_user, need, target="achievements", modes=("license",))
    ] == [mature.pk]
    assert len(suggestions_for(enterprise_user, need, target="achievements", region="37")) == 2  # 临沂
    assert suggestions_for(enterprise_user, need, target="achievements", region="11").nothing_good


def test_panel_shows_marked_terms_and_reasons_and_the_nothing_good_message(client, enterprise, university):
    need = make_need(enterprise)
    item = make_achievement(university)
    make_filler(university)
    services.rebuild_index()
    page = client.get(f"/matching/suggestions/need/{need.pk}/").content.decode()
    assert f"/achievements/{item.pk}/" in page and "<mark>正极</mark>" in page and "共同关键词" in page
    assert "只看 TRL≥6" in page
    empty = client.get(f"/matching/suggestions/need/{need.pk}/?region=11").content.decode()
    assert "暂无足够相关的推荐" in empty
    detail = client.get(f"/needs/{need.pk}/").content.decode()
    assert f'hx-get="/matching/suggestions/need/{need.pk}/"' in detail


def test_panel_of_an_item_the_user_may_not_see_is_404(client, enterprise):
    need = make_need(enterprise, visibility=Visibility.BROKERS)
    assert client.get(f"/matching/suggestions/need/{need.pk}/").status_code == 404
