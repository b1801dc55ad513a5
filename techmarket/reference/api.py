from django.db.models import Q
from ninja import Router, Schema
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.pagination import PagePagination

from .models import Discipline, Industry, Region, TechnologyReadinessLevel

router = Router(tags=["参考代码"], auth=OptionalAuth())


class CodeOut(Schema):
    code: str
    name: str
    parent_id: str | None


class RegionOut(CodeOut):
    level: str
    full_name: str


class IndustryOut(CodeOut):
    level: int
    section: str


class TRLOut(Schema):
    level: int
    name: str
    name_en: str


def _filter(qs, q: str, parent: str | None):  # type: ignore[no-untyped-def]
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(name__icontains=q))
    if parent is not None:
        qs = qs.filter(parent_id=parent or None)
    return qs


@router.get("/regions", response=list[RegionOut], summary="行政区划（GB/T 2260）")
@paginate(PagePagination)
def regions(request, q: str = "", parent: str | None = None):  # type: ignore[no-untyped-def]
    return _filter(Region.objects.all(), q, parent)


@router.get("/industries", response=list[IndustryOut], summary="国民经济行业（GB/T 4754-2017）")
@paginate(PagePagination)
def industries(request, q: str = "", parent: str | None = None):  # type: ignore[no-untyped-def]
    return _filter(Industry.objects.all(), q, parent)


@router.get("/disciplines", response=list[CodeOut], summary="学科（GB/T 13745-2009）")
@paginate(PagePagination)
def disciplines(request, q: str = "", parent: str | None = None):  # type: ignore[no-untyped-def]
    return _filter(Discipline.objects.all(), q, parent)


@router.get("/trl", response=list[TRLOut], summary="技术成熟度等级 1–9")
def trl(request):  # type: ignore[no-untyped-def]
    return list(TechnologyReadinessLevel.objects.all())
