"""The engagement pages for every kind of person; documents visible to parties only; the board's queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from engagement_items import member_of
from factories import OrganizationFactory, UserFactory, make_broker

from techmarket.engagements.models import Engagement, Stage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_parties_and_operators_open_the_page_and_outsiders_get_404(engagement, parties, operator):
    url = reverse("engagements:detail", args=[engagement.pk])
    for who in (parties["broker"], parties["enterprise_user"], parties["university_user"], operator):
        response = client_for(who).get(url)
        assert response.status_code == 200 and engagement.title in response.content.decode()
    for outsider in (UserFactory(), make_broker(), member_of(OrganizationFactory())):
        assert client_for(outsider).get(url).status_code == 404


def test_only_runners_see_the_stage_buttons(engagement, parties):
    url = reverse("engagements:detail", args=[engagement.pk])
    assert 'id="stage-actions"' in client_for(parties["broker"]).get(url).content.decode()
    assert 'id="stage-actions"' not in client_for(parties["enterprise_user"]).get(url).content.decode()


def test_moving_a_card_is_the_workflow_transition_and_a_stale_page_is_told(engagement, parties, checklist):
    c = client_for(parties["broker"])
    move = reverse("engagements:move", args=[engagement.pk, "to_verification"])
    page = c.post(move, {"expected_state": Stage.DISCOVERY}, follow=True).content.decode()
    assert "首次会谈已举行" in page  # refused: the checklist says what is missing
    engagement.refresh_from_db()
    assert engagement.stage == Stage.DISCOVERY
    for item in (checklist["meeting"], checklist["nda"]):
        c.post(reverse("engagements:tick", args=[engagement.pk, item.pk]), {"done": "1"})
    c.post(move, {"expected_state": Stage.DISCOVERY})
    engagement.refresh_from_db()
    assert engagement.stage == Stage.VERIFICATION
    page = c.post(
        reverse("engagements:move", args=[engagement.pk, "terminate"]),
        {"expected_state": Stage.DISCOVERY, "termination_reason": "price", "reason": "x"},
        follow=True,
    ).content.decode()
    assert "已被他人处理" in page
    engagement.refresh_from_db()
    assert engagement.stage == Stage.VERIFICATION


def test_the_second_of_two_edits_is_refused_with_a_clear_message(engagement, parties, operator):
    url = reverse("engagements:update", args=[engagement.pk])
    data = {"edit-version": engagement.version, "edit-title": engagement.title, "edit-next_step": "寄送样品"}
    client_for(parties["broker"]).post(url, data)
    page = (
        client_for(operator).post(url, {**data, "edit-next_step": "安排走访"}, follow=True).content.decode()
    )
    assert "已被他人修改" in page
    engagement.refresh_from_db()
    assert engagement.next_step == "寄送样品"


def test_logging_an_activity_shows_it_on_the_timeline(engagement, parties):
    c = client_for(parties["broker"])
    c.post(
        reverse("engagements:activity", args=[engagement.pk]),
        {
            "activity-kind": "meeting",
            "activity-happened_on": "2026-11-02",
            "activity-participants": "张工、李教授",
            "activity-summary": "首次会谈纪要",
        },
    )
    page = client_for(parties["enterprise_user"]).get(reverse("engagements:detail", args=[engagement.pk]))
    assert "首次会谈纪要" in page.content.decode()


def test_documents_are_seen_by_the_parties_and_operators_only_and_downloads_are_audited(
    engagement, parties, operator
):
    from techmarket.audit.models import AuditLog
    from techmarket.documents.models import DocumentVersion
    from techmarket.documents.services import document_upload

    document_upload(
        obj=engagement,
        acting_user=parties["university_user"],
        title="概念验证报告",
        upload=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
    )
    version = DocumentVersion.objects.get()
    url = reverse("documents:download", args=[version.pk])
    for who in (parties["enterprise_user"], parties["broker"], operator):
        assert client_for(who).get(url).status_code == 200
    for outsider in (UserFactory(), make_broker(), member_of(OrganizationFactory())):
        assert client_for(outsider).get(url).status_code in (403, 404)
    assert AuditLog.objects.filter(action="documents.document.download").count() == 3


def test_the_board_shows_overdue_cards_first_in_a_fixed_number_of_queries(
    parties, operator, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone
    from engagement_items import make_engagement

    for i in range(12):
        make_engagement(
            demand=parties["demand"],
            supply=parties["supply"],
            broker=parties["broker"],
            title=f"对接项目{i:02d}",
            due_at=timezone.now() + timedelta(days=3 - i),
        )
    c = client_for(operator)
    c.get(reverse("engagements:board"))  # warm the session and role caches
    with django_assert_max_num_queries(12):
        page = c.get(reverse("engagements:board")).content.decode()
    overdue = page.index("对接项目11")
    assert overdue < page.index("对接项目00") and "已逾期" in page


def test_every_page_opens_for_every_role(engagement, parties, operator, bureau_user, need):
    pages = [
        reverse(n)
        for n in (
            "engagements:board",
            "engagements:caseload",
            "engagements:answers",
            "engagements:performance",
        )
    ] + [reverse("engagements:create") + f"?need={need.pk}", reverse("needs:detail", args=[need.pk])]
    for who in (parties["broker"], parties["enterprise_user"], operator, bureau_user, UserFactory()):
        c = client_for(who)
        for url in pages:
            assert c.get(url).status_code in (200, 403), (who, url)


def test_a_broker_opens_an_engagement_from_a_need_page(parties, need, achievement):
    c = client_for(parties["broker"])
    page = c.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "发起对接" in page
    response = c.post(
        reverse("engagements:create") + f"?need={need.pk}",
        {"title": "低温正极材料对接", "demand_org": parties["demand"].pk, "supply_org": parties["supply"].pk},
    )
    engagement = Engagement.objects.unscoped().get()
    assert response.status_code == 302 and engagement.need == need and engagement.origin == "need"
    same = c.post(
        reverse("engagements:create"),
        {"title": "同一机构自我对接", "demand_org": parties["demand"].pk, "supply_org": parties["demand"].pk},
    )
    assert "不能是同一机构" in same.content.decode()


def test_the_create_form_marks_what_is_required_and_leads_back_to_the_board(parties):
    html = client_for(parties["broker"]).get(reverse("engagements:create")).content.decode()
    assert f'href="{reverse("engagements:board")}"' in html
    required = '<span class="text-danger" aria-hidden="true">*</span>'
    assert f"项目名称 {required}" in html and f"需求方 {required}" in html
    assert f"供给方 {required}" not in html  # the supply side may be found later


def test_a_service_provider_joins_and_then_sees_the_engagement(engagement, parties):
    bank = OrganizationFactory(name="临商银行科技支行", kind="service")
    banker = member_of(bank)
    url = reverse("engagements:detail", args=[engagement.pk])
    assert client_for(banker).get(url).status_code == 404
    client_for(parties["broker"]).post(
        reverse("engagements:provider_add", args=[engagement.pk]), {"organization": bank.pk, "role": "bank"}
    )
    assert client_for(banker).get(url).status_code == 200
    page = client_for(parties["broker"]).post(
        reverse("engagements:provider_add", args=[engagement.pk]),
        {"organization": parties["demand"].pk, "role": "bank"},
        follow=True,
    )
    assert "不能同时作为服务机构" in page.content.decode()


def test_the_workspace_shows_the_brokers_caseload_and_the_enterprises_answers_due(engagement, parties, need):
    from techmarket.engagements.models import Assignment

    Assignment.objects.create(need=need, broker=parties["broker"], via=Assignment.Via.CLAIMED)
    page = client_for(parties["broker"]).get(reverse("core:workspace")).content.decode()
    assert "我的案源（新分派）" in page and "我主办的进行中项目" in page
    page = client_for(parties["enterprise_user"]).get(reverse("core:workspace")).content.decode()
    assert "我方参与的对接项目" in page


def test_the_board_offers_caseload_and_performance_only_to_those_who_may_open_them(
    engagement, parties, operator, bureau_user
):
    caseload, performance = reverse("engagements:caseload"), reverse("engagements:performance")
    for who, sees_caseload, sees_performance in (
        (parties["enterprise_user"], False, False),
        (parties["university_user"], False, False),
        (parties["broker"], True, True),
        (operator, True, True),
        (bureau_user, False, True),
    ):
        c = client_for(who)
        page = c.get(reverse("engagements:board")).content.decode()
        assert (f'href="{caseload}"' in page) is sees_caseload
        assert (f'href="{performance}"' in page) is sees_performance
        # every button shown opens
        for url, shown in ((caseload, sees_caseload), (performance, sees_performance)):
            assert (c.get(url).status_code == 200) is shown


def test_an_operator_sees_the_caseload_as_assignment_not_as_an_empty_caseload(operator):
    page = client_for(operator).get(reverse("engagements:caseload")).content.decode()
    assert "案源分派" in page and 'id="caseload-empty"' not in page
