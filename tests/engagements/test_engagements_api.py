"""/api/engagements: the selectors' visibility, moves with the error body, stale edits refused."""

import pytest
from django.test import Client
from factories import make_broker

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_api_lists_what_the_user_may_see(engagement, parties):
    body = client_for(parties["enterprise_user"]).get("/api/engagements").json()
    assert [e["id"] for e in body["items"]] == [engagement.pk]
    assert body["items"][0]["stage_label"] == "发现对接"
    assert client_for(make_broker()).get("/api/engagements").json()["count"] == 0
    assert client_for(make_broker()).get(f"/api/engagements/{engagement.pk}").status_code == 404


def test_moves_and_stale_edits_answer_with_the_one_error_body(engagement, parties, checklist):
    c = client_for(parties["broker"])
    refused = c.post(
        f"/api/engagements/{engagement.pk}/actions/to_verification", {}, content_type="application/json"
    )
    assert refused.status_code == 422 and "首次会谈已举行" in refused.json()["error"]["message"]
    moved = c.post(f"/api/engagements/{engagement.pk}/actions/to_pilot", {}, content_type="application/json")
    assert refused.status_code == 422 and moved.status_code == 422  # the checklist holds skips too
    first = c.patch(
        f"/api/engagements/{engagement.pk}",
        {"version": 1, "next_step": "寄送样品"},
        content_type="application/json",
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    second = c.patch(
        f"/api/engagements/{engagement.pk}",
        {"version": 1, "next_step": "走访"},
        content_type="application/json",
    )
    assert second.status_code == 422 and "已被他人修改" in second.json()["error"]["message"]
    forbidden = client_for(parties["enterprise_user"]).post(
        f"/api/engagements/{engagement.pk}/actions/deal", {}, content_type="application/json"
    )
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
