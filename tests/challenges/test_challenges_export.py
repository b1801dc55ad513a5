"""The bureau's Excel export of the challenge list and applications; saved searches on challenges."""

import io

from challenge_helpers import apply, challenge_data, login
from factories import UserFactory, make_bureau
from openpyxl import load_workbook

from techmarket.audit.models import AuditLog
from techmarket.challenges import services
from techmarket.challenges.models import Challenge
from techmarket.notifications import services as notification_services
from techmarket.notifications.models import Notification, NotificationKind


def test_bureau_exports_the_filtered_list_and_its_applications(world):
    w = world
    apply(w, team="a")
    apply(w, team="b")
    draft = services.challenge_create(
        owner=w.enterprise, acting_user=w.enterprise_admin, **challenge_data(title='=HYPERLINK("x") 草稿榜单')
    )
    bureau = make_bureau()
    response = login(bureau).get("/challenges/export/?status=open")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    challenges, applications = wb["揭榜挂帅榜单"], wb["揭榜申报"]
    rows = list(challenges.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[5], r[13]) for r in rows] == [(w.challenge.pk, w.challenge.title, "揭榜中", 2)]
    assert rows[0][7] == 2000000 and rows[0][8] == 1500000
    apps = {(r[0], r[2], r[5]) for r in applications.iter_rows(min_row=2, values_only=True)}
    assert apps == {(w.challenge.pk, "临沂大学", "已申报"), (w.challenge.pk, "山东理工测试大学", "已申报")}
    assert AuditLog.objects.filter(action="challenges.challenge.export", actor=bureau).exists()
    everything = load_workbook(io.BytesIO(login(bureau).get("/challenges/export/").content))["揭榜挂帅榜单"]
    titles = [r[1] for r in everything.iter_rows(min_row=2, values_only=True)]
    assert f"'{draft.title}" in titles  # a formula-like title is neutralised


def test_only_operators_and_the_bureau_export(world):
    w = world
    assert login(w.enterprise_admin).get("/challenges/export/").status_code == 403
    assert login(w.team_a_user).get("/challenges/export/").status_code == 403
    assert login(w.operator).get("/challenges/export/").status_code == 200


def test_list_page_filters_and_offers_a_subscription_and_the_export_to_the_bureau(world):
    w = world
    page = login(make_bureau()).get("/challenges/?mode=open_call&q=不锈钢").content.decode()
    assert w.challenge.title in page and 'id="export-xlsx"' in page and "保存为订阅" in page
    assert w.challenge.title not in login(w.team_a_user).get("/challenges/?mode=assembled").content.decode()
    assert 'id="export-xlsx"' not in login(w.team_a_user).get("/challenges/").content.decode()


def test_publishing_a_challenge_notifies_matching_saved_searches_only(
    world, django_capture_on_commit_callbacks
):
    w = world
    subscriber, other = UserFactory(), UserFactory()
    notification_services.saved_search_create(
        user=subscriber, target="challenges", query_string="q=精密带材&mode=open_call", name="带材榜单"
    )
    notification_services.saved_search_create(
        user=other, target="challenges", query_string="mode=assembled", name="组阁榜单"
    )
    challenge = services.challenge_create(
        owner=w.enterprise,
        acting_user=w.enterprise_admin,
        **challenge_data(title="超薄精密带材板形控制技术攻关"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_move(challenge=challenge, action="publish", acting_user=w.operator)
    note = Notification.objects.get(user=subscriber, kind=NotificationKind.SAVED_SEARCH)
    assert challenge.title in note.title and note.url == f"/challenges/{challenge.pk}/"
    assert not Notification.objects.filter(user=other, kind=NotificationKind.SAVED_SEARCH).exists()
    assert Challenge.objects.unscoped().get(pk=challenge.pk).status == "open"
