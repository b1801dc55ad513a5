"""The matching API: suggestion lists with explanations, visibility, the nothing-good flag, feedback."""

import pytest
from matching_items import make_achievement, make_filler, make_need

from techmarket.catalog.models import Visibility
from techmarket.matching import services
from techmarket.matching.models import MatchFeedback

pytestmark = pytest.mark.django_db


def test_need_achievements_shape_and_visibility(client, enterprise, university, broker):
    need = make_need(enterprise)
    item = make_achievement(university)
    hidden = make_achievement(university, title="磷酸铁锂正极材料低温电解液", visibility=Visibility.BROKERS)
    make_filler(university)
    services.rebuild_index()
    body = client.get(f"/api/matching/needs/{need.pk}/achievements?k=5").json()
    assert set(body) == {"count", "items", "nothing_good"} and body["count"] == 1 and not body["nothing_good"]
    first = body["items"][0]
    assert first["id"] == item.pk and first["title"] == item.title
    assert set(first) == {
        "id",
        "title",
        "score",
        "similarity",
        "reasons",
        "terms",
        "highlights",
        "contributions",
    }
    assert "正极" in first["terms"] and {"field", "start", "end", "term"} == set(first["highlights"][0])
    client.force_login(broker)
    ids = {i["id"] for i in client.get(f"/api/matching/needs/{need.pk}/achievements").json()["items"]}
    assert ids == {item.pk, hidden.pk}
    assert client.get(f"/api/matching/needs/{need.pk}/achievements?min_trl=9").json() == {
        "count": 0,
        "items": [],
        "nothing_good": True,
    }


def test_other_directions_and_unknown_items(client, enterprise, university):
    need = make_need(enterprise)
    item = make_achievement(university)
    make_filler(university)
    services.rebuild_index()
    body = client.get(f"/api/matching/achievements/{item.pk}/needs").json()
    assert [i["id"] for i in body["items"]] == [need.pk]
    assert client.get(f"/api/matching/needs/{need.pk}/experts").json()["nothing_good"] is True
    assert client.get("/api/matching/needs/999999/achievements").status_code == 404


def test_post_feedback(client, enterprise, university, broker):
    need, item = make_need(enterprise), make_achievement(university)
    payload = {
        "source_kind": "need",
        "source_id": need.pk,
        "target_kind": "achievement",
        "target_id": item.pk,
        "decision": "reject",
    }
    client.force_login(broker)
    bad = client.post("/api/matching/feedback", payload, content_type="application/json")
    assert bad.status_code == 422 and "reason" in bad.json()["error"]["fields"]
    ok = client.post(
        "/api/matching/feedback", {**payload, "reason": "行业不同"}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["decision"] == "reject"
    assert MatchFeedback.objects.count() == 1
