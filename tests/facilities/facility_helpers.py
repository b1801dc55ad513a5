"""Helpers of the facilities tests: Beijing-time slots and a facility's form data."""

from datetime import datetime
from zoneinfo import ZoneInfo

from techmarket.facilities.models import Facility
from techmarket.reference.models import Region

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def facility_data(**overrides):
    data = {
        "name": "沂蒙科技大学新材料概念验证中心",
        "kind": Facility.Kind.VERIFICATION,
        "region": Region.objects.get(pk="371302"),
        "summary": "面向新材料领域的原理验证、样机试制与小批量试产服务。",
        "capacity": 15,
        "equipment": "X 射线衍射仪\n扫描电子显微镜",
        "contact_name": "王老师",
        "contact_phone": "0539-8888888",
    }
    data.update(overrides)
    return data
