import pytest
from engagement_items import make_parties
from factories import with_search_text

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.engagements.models import ChecklistItem, Stage
from techmarket.needs.models import Need


@pytest.fixture(autouse=True)
def _own_checklist(db):
    """Tests declare the checklist they need (``checklist``); the default one (migration 0003) is removed."""
    ChecklistItem.objects.all().delete()


@pytest.fixture
def parties(db):
    return make_parties()


@pytest.fixture
def need(parties):
    return with_search_text(
        Need.objects.create(
            owner=parties["demand"],
            title="磷酸铁锂正极材料低温性能改性",
            summary="零下二十度容量衰减严重，需要改性正极材料。",
            problem="提升低温放电容量。",
            status=ListingStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
        )
    )


@pytest.fixture
def achievement(parties):
    return with_search_text(
        Achievement.objects.create(
            owner=parties["supply"],
            title="低温型磷酸铁锂正极材料碳包覆改性技术",
            summary="碳包覆与离子掺杂改性，零下二十度放电容量保持率 85%。",
            keywords=["磷酸铁锂"],
            trl=6,
            stage="pilot",
            transfer_modes=["ordinary_license"],
            status=ListingStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
        )
    )


@pytest.fixture
def checklist(db):
    return {
        "meeting": ChecklistItem.objects.create(stage=Stage.DISCOVERY, label="首次会谈已举行", sort_order=1),
        "nda": ChecklistItem.objects.create(stage=Stage.DISCOVERY, label="保密协议已签署", sort_order=2),
        "optional": ChecklistItem.objects.create(
            stage=Stage.DISCOVERY, label="企业走访", sort_order=3, required=False
        ),
        "report": ChecklistItem.objects.create(stage=Stage.VERIFICATION, label="概念验证报告", sort_order=1),
    }


@pytest.fixture
def engagement(parties, need, achievement):
    from techmarket.engagements.services import engagement_open

    return engagement_open(
        acting_user=parties["broker"],
        title="低温磷酸铁锂正极材料对接",
        demand_org=parties["demand"],
        supply_org=parties["supply"],
        need=need,
        achievement=achievement,
    )
