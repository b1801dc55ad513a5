"""Assisting brokers set from the engagement page; one id per field on that page; the performance picker."""

import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from factories import OrganizationFactory, make_broker

from techmarket.audit.models import AuditLog

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_lead_broker_sets_assisting_brokers_and_the_change_is_audited(engagement, parties):
    helper, other = make_broker(), make_broker()
    url = reverse("engagements:assistants", args=[engagement.pk])
    lead = client_for(parties["broker"])
    page = lead.get(reverse("engagements:detail", args=[engagement.pk])).content.decode()
    assert 'id="set-assistants"' in page and f'value="{helper.pk}"' in page
    page = lead.post(url, {"assist-brokers": [helper.pk, other.pk]}, follow=True).content.decode()
    assert "协办经纪人已更新" in page and helper.display_name in page
    assert set(engagement.assisting_brokers.all()) == {helper, other}
    assert AuditLog.objects.filter(action="engagements.engagement.set_assistants").count() == 1
    lead.post(url, {})  # clearing the selection removes them all
    assert not engagement.assisting_brokers.exists()


def test_only_the_lead_broker_and_operators_see_and_use_the_assistants_form(engagement, parties, operator):
    helper = make_broker()
    url = reverse("engagements:assistants", args=[engagement.pk])
    detail = reverse("engagements:detail", args=[engagement.pk])
    for who in (parties["enterprise_user"], helper):
        engagement.assisting_brokers.set([helper])
        c = client_for(who)
        assert 'id="set-assistants"' not in c.get(detail).content.decode()
        page = c.post(url, {"assist-brokers": []}, follow=True).content.decode()
        assert "只有主办经纪人和平台运营可以调整协办经纪人" in page
        assert list(engagement.assisting_brokers.all()) == [helper]
    client_for(operator).post(url, {"assist-brokers": []})
    assert not engagement.assisting_brokers.exists()


def test_every_id_on_the_engagement_page_is_unique(engagement, parties):
    page = client_for(parties["broker"]).get(reverse("engagements:detail", args=[engagement.pk]))
    ids = Counter(re.findall(r'\sid="([^"]+)"', page.content.decode()))
    assert "id_edit-summary" in ids and "id_activity-summary" in ids
    assert [i for i, n in ids.items() if n > 1] == []


def test_performance_offers_the_engaged_organisations_and_filters_by_the_chosen_one(
    engagement, parties, operator
):
    OrganizationFactory(name="无对接机构")
    c = client_for(operator)
    page = c.get(reverse("engagements:performance")).content.decode()
    assert '<select name="organization"' in page and parties["demand"].name in page
    assert "无对接机构" not in page
    chosen = c.get(reverse("engagements:performance"), {"organization": parties["demand"].pk})
    assert chosen.context["report"]["total"]["total"] == 1
    other = OrganizationFactory()
    empty = c.get(reverse("engagements:performance"), {"organization": other.pk})
    assert "所选机构没有参与任何对接项目" in empty.content.decode()
