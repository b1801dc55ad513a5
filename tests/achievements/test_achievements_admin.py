"""The operator back office lists and edits achievements with their IP list inline, and audits the edit."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from factories import OrganizationFactory, UserFactory

from techmarket.achievements.models import Achievement, AchievementIP
from techmarket.audit.models import AuditLog

pytestmark = pytest.mark.django_db


def test_admin_change_page_shows_ip_inline_and_saving_is_audited(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    item = Achievement.objects.create(
        owner=OrganizationFactory(), title="高熵合金涂层", summary="耐磨", trl=4
    )
    AchievementIP.objects.create(
        achievement=item, ip_type="invention", number="ZL202310123456.6", title="涂层"
    )
    client.force_login(superuser)
    assert client.get("/admin/achievements/achievement/").status_code == 200
    page = client.get(f"/admin/achievements/achievement/{item.pk}/change/")
    assert page.status_code == 200 and "ZL202310123456.6" in page.content.decode()
    request = RequestFactory().post("/admin/")
    request.user = superuser
    item.trl = 5
    admin.site._registry[Achievement].save_model(request, item, form=None, change=True)
    log = AuditLog.objects.get(action="admin.achievement.change")
    assert log.before["trl"] == 4 and log.after["trl"] == 5
