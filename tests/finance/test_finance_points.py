"""Innovation points against hand-computed cases: every line's arithmetic and explanation, caps per indicator
and per group, unverified declarations and expired qualifications left out, recomputes and history."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from techmarket.audit.models import AuditLog
from techmarket.documents.models import Document
from techmarket.finance import points, services
from techmarket.finance.models import Declaration, PointsSnapshot
from techmarket.orgs.models import CertificationRecord, OrganizationTag

pytestmark = pytest.mark.django_db


def _line(result, source):
    return next(line for line in result.lines if line["source"] == source)


def _verified(org, user, source, value, year=2025):
    return Declaration.objects.unscoped().create(
        organization=org, requested_by=user, source=source, year=year, value=D(value),
        status=Declaration.Status.APPROVED, decided_at=timezone.now(),
    )  # fmt: skip


def _evidence(declaration, user):
    Document.objects.create(
        content_type=ContentType.objects.get_for_model(Declaration), object_id=declaration.pk,
        title="专利证书", created_by=user,
    )  # fmt: skip


def test_patents_under_the_cap_count_in_full_with_the_arithmetic_written_out(
    indicators, enterprise, ent_admin
):
    _verified(enterprise, ent_admin, "invention_patents", "3")
    result = points.compute(enterprise)
    line = _line(result, "invention_patents")
    assert line["text"] == "授权发明专利 3 件 × 5 分 = 15 分（上限 20）"
    assert line["points"] == "15"
    assert result.total == D("15.00")
    assert result.grade == "D"


def test_an_indicator_over_its_cap_counts_the_cap_and_says_so(indicators, enterprise, ent_admin):
    _verified(enterprise, ent_admin, "invention_patents", "5")
    line = _line(points.compute(enterprise), "invention_patents")
    assert line["text"] == "授权发明专利 5 件 × 5 分 = 25 分，超过上限，按 20 分计"
    assert line["points"] == "20"


def test_a_group_over_its_cap_is_cut_back_with_an_explained_line(indicators, enterprise, ent_admin):
    _verified(enterprise, ent_admin, "rd_ratio", "4.5")  # 13.5
    _verified(enterprise, ent_admin, "rd_spend", "600")  # 12 -> cap 10
    result = points.compute(enterprise)
    assert (
        _line(result, "rd_ratio")["text"] == "研发投入占营业收入比例 4.5 个百分点 × 3 分 = 13.5 分（上限 20）"
    )
    assert (
        _line(result, "rd_spend")["text"] == "年度研发投入 600 万元 × 0.02 分 = 12 分，超过上限，按 10 分计"
    )
    assert not [line for line in result.lines if line["source"] == ""]
    # 13.5 + 10 = 23.5 is under the group cap of 25: no cut. Push it over with a higher ratio:
    _verified(enterprise, ent_admin, "rd_ratio", "6", year=2026)  # newest year wins: 18
    result = points.compute(enterprise)
    group_line = next(line for line in result.lines if line["source"] == "" and line["group"] == "研发投入")
    assert group_line["text"] == "研发投入小计 28 分，超过本组上限，按 25 分计"
    assert group_line["points"] == "-3"
    assert result.total == D("25.00")
    assert sum(D(line["points"]) for line in result.lines) == result.total


def test_pending_and_returned_declarations_do_not_count(indicators, enterprise, ent_admin):
    Declaration.objects.unscoped().create(
        organization=enterprise, requested_by=ent_admin, source="invention_patents", year=2025, value=D("3")
    )
    Declaration.objects.unscoped().create(
        organization=enterprise, requested_by=ent_admin, source="rd_ratio", year=2025, value=D("9"),
        status=Declaration.Status.REJECTED,
    )  # fmt: skip
    result = points.compute(enterprise)
    patents = _line(result, "invention_patents")
    assert patents["points"] == "0"
    assert "另有 1 条申报待核验，核验前不计分" in patents["notes"]
    assert _line(result, "rd_ratio")["points"] == "0"
    assert result.total == D("0")


def test_only_qualifications_valid_today_count_and_expired_ones_are_named(indicators, enterprise):
    today = timezone.localdate()
    tags = [
        OrganizationTag.objects.get_or_create(name=n)[0]
        for n in ("高新技术企业", "科技型中小企业", "瞪羚企业", "制造业单项冠军")
    ]
    CertificationRecord.objects.create(
        organization=enterprise, tag=tags[0], valid_until=today + timedelta(days=90)
    )
    CertificationRecord.objects.create(
        organization=enterprise, tag=tags[1], valid_until=today
    )  # last valid day
    CertificationRecord.objects.create(
        organization=enterprise, tag=tags[2], valid_until=today - timedelta(days=1)
    )
    CertificationRecord.objects.create(organization=enterprise, tag=tags[3], valid_until=None)
    line = _line(points.compute(enterprise), "qualifications")
    assert line["text"] == "有效期内的资质证书 2 项 × 5 分 = 10 分"
    assert "已过期不计分：瞪羚企业" in line["notes"]
    assert "未填写有效期不计分：制造业单项冠军" in line["notes"]
    # tomorrow the second one has expired too
    later = points.compute(enterprise, today=today + timedelta(days=1))
    assert _line(later, "qualifications")["points"] == "5"


def test_grades_follow_the_floors():
    assert [points.grade_of(D(v)) for v in ("80", "79.99", "60", "40", "39.99")] == ["A", "B", "B", "C", "D"]


def test_verifying_needs_evidence_and_then_recomputes_the_points_after_commit(
    indicators, enterprise, ent_admin, operator, django_capture_on_commit_callbacks
):
    d = services.declaration_open(
        acting_user=ent_admin, organization=enterprise, source="invention_patents", year=timezone.localdate().year - 1,
        value="3",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="没有上传佐证材料"):
        services.declaration_decide(declaration=d, acting_user=operator, approve=True, reason="")
    assert Declaration.objects.unscoped().get(pk=d.pk).status == Declaration.Status.PENDING
    _evidence(d, ent_admin)
    with pytest.raises(PermissionDenied):
        services.declaration_decide(declaration=d, acting_user=ent_admin, approve=True, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.declaration_decide(declaration=d, acting_user=operator, approve=True, reason="证书核对无误")
    assert points.current_points(enterprise) == D("15.00")
    snap = PointsSnapshot.objects.unscoped().get(organization=enterprise)
    assert any(line["text"] == "授权发明专利 3 件 × 5 分 = 15 分（上限 20）" for line in snap.lines)
    assert AuditLog.objects.filter(action="finance.declaration.verify").exists()


def test_a_declaration_outside_bounds_is_refused_with_a_message(indicators, enterprise, ent_admin):
    with pytest.raises(ValidationError) as exc:
        services.declaration_open(
            acting_user=ent_admin, organization=enterprise, source="rd_ratio", year=2025, value="120"
        )
    assert "0–100" in str(exc.value)
    assert not Declaration.objects.unscoped().exists()


def test_a_certificate_change_recomputes_and_history_keeps_only_changes(
    indicators, enterprise, django_capture_on_commit_callbacks
):
    tag = OrganizationTag.objects.get_or_create(name="高新技术企业")[0]
    with django_capture_on_commit_callbacks(execute=True):
        CertificationRecord.objects.create(
            organization=enterprise, tag=tag, valid_until=timezone.localdate() + timedelta(days=30)
        )
    assert list(
        PointsSnapshot.objects.unscoped().filter(organization=enterprise).values_list("total", flat=True)
    ) == [D("5.00")]
    assert services.points_recompute(organization=enterprise, reason="再次计算") is None  # nothing changed
    assert PointsSnapshot.objects.unscoped().filter(organization=enterprise).count() == 1


def test_changing_an_indicator_recomputes_every_enterprise(
    indicators, enterprise, ent_admin, django_capture_on_commit_callbacks
):
    _verified(enterprise, ent_admin, "invention_patents", "2")
    services.points_recompute(organization=enterprise, reason="初算")
    assert points.current_points(enterprise) == D("10.00")
    indicator = indicators["ip"].indicators.get()
    with django_capture_on_commit_callbacks(execute=True):
        indicator.points_per_unit = D("8")
        indicator.save()
    assert points.current_points(enterprise) == D("16.00")
    assert PointsSnapshot.objects.unscoped().filter(organization=enterprise).count() == 2


def test_current_points_is_zero_for_a_bank(indicators, bank):
    assert points.current_points(bank) == D("0")
