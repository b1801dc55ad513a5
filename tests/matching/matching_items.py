"""Catalogue items for the matching tests (plain functions; conftest.py holds the fixtures)."""

from factories import with_search_text

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import Need

LITHIUM = dict(
    title="磷酸铁锂正极材料低温性能改性",
    summary="磷酸铁锂电池在零下二十度容量衰减严重，需要改性正极材料。",
    problem="提升磷酸铁锂正极材料的低温放电容量和倍率性能。",
)


def make_need(owner, **kw):
    data = {**LITHIUM, "status": ListingStatus.PUBLISHED, "visibility": Visibility.PUBLIC, **kw}
    return with_search_text(Need.objects.create(owner=owner, **data))


def make_achievement(owner, **kw):
    data = dict(
        title="低温型磷酸铁锂正极材料碳包覆改性技术",
        summary="采用碳包覆与离子掺杂对磷酸铁锂正极材料改性，零下二十度放电容量保持率达到85%。",
        keywords=["磷酸铁锂", "正极材料", "低温性能"],
        trl=6,
        stage="pilot",
        transfer_modes=["ordinary_license"],
        status=ListingStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
    )
    data.update(kw)
    return with_search_text(Achievement.objects.create(owner=owner, **data))


def make_filler(owner, n=3):
    """Unrelated achievements so that BM25 statistics are not degenerate."""
    topics = [
        "木材改性与阻燃处理工艺",
        "农药残留快速检测试纸",
        "高速列车轴承故障诊断",
        "中药材种植病虫害防治",
        "污水处理厂污泥资源化利用",
    ]
    return [
        make_achievement(
            owner, title=t, summary=t + "的工程化技术，已在企业示范应用。", keywords=[t[:4]], trl=5
        )
        for t in topics[:n]
    ]
