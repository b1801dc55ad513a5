"""Finding 6: every export, above all an operator's bulk export of confidential details, leaves an
audit record naming the filter, the format and the number of rows."""

import pytest
from factories import OrganizationFactory, with_search_text

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import Need

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_operator_bulk_export_of_confidential_details_is_audited_with_filter_and_row_count(operator_client):
    org = OrganizationFactory()
    for n in range(3):
        with_search_text(
            Need.objects.create(
                owner=org,
                title=f"需求{n}",
                summary="摘要",
                problem="难题",
                confidential_detail=f"机密{n}",
                visibility=Visibility.PUBLIC,
                status=ListingStatus.PUBLISHED,
            )
        )
    response = operator_client.get("/imports/needs/export.csv", {"confidential": "1", "kind": "technology"})
    assert response.status_code == 200
    assert "机密1" in _body(response).decode("utf-8-sig")
    record = AuditLog.objects.get(action="imports.export.needs")
    assert record.after["rows"] == 3
    assert record.after["confidential"] is True
    assert record.after["format"] == "csv"
    assert record.after["filters"]["kind"] == "technology"


def test_plain_export_is_audited_too(user_client):
    response = user_client.get("/imports/needs/export.xlsx")
    assert response.status_code == 200
    record = AuditLog.objects.get(action="imports.export.needs")
    assert record.after["rows"] == 0 and record.after["confidential"] is False
