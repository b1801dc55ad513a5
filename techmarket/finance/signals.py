"""Points are recomputed when the platform data they read changes: contracts, engagements, verification
projects and qualification certificates (other apps do not know about finance; it listens to their saves).
The recompute runs after the commit, as a task; it writes a snapshot only when something differs."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _


def _schedule(org_ids: Any, reason: str) -> None:
    from .services import schedule_recompute

    schedule_recompute(org_ids, reason)


def _contract(sender: Any, instance: Any, **kwargs: Any) -> None:
    ids = [instance.owner_id]
    if instance.pk:
        ids += [p.organization_id for p in instance.parties.all()]
    _schedule(ids, _("技术合同变化"))


def _party(sender: Any, instance: Any, **kwargs: Any) -> None:
    _schedule([instance.organization_id], _("技术合同变化"))


def _engagement(sender: Any, instance: Any, **kwargs: Any) -> None:
    _schedule([instance.demand_org_id, instance.supply_org_id], _("对接项目变化"))


def _project(sender: Any, instance: Any, **kwargs: Any) -> None:
    ids = []
    if instance.booking_id:
        ids.append(instance.booking.organization_id)
    if instance.engagement_id:
        ids += [instance.engagement.demand_org_id, instance.engagement.supply_org_id]
    _schedule(ids, _("验证项目变化"))


def _certification(sender: Any, instance: Any, **kwargs: Any) -> None:
    _schedule([instance.organization_id], _("资质证书变化"))


def _indicators(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .tasks import recompute_all_points

    reason = _("积分指标调整")
    transaction.on_commit(lambda: recompute_all_points.delay(reason))


def connect() -> None:
    from techmarket.contracts.models import ContractParty, TechContract
    from techmarket.engagements.models import Engagement
    from techmarket.facilities.models import Project
    from techmarket.orgs.models import CertificationRecord

    from .models import Indicator, IndicatorGroup

    for model, handler in (
        (TechContract, _contract),
        (ContractParty, _party),
        (Engagement, _engagement),
        (Project, _project),
        (CertificationRecord, _certification),
        (Indicator, _indicators),
        (IndicatorGroup, _indicators),
    ):
        uid = f"finance.points.{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(handler, sender=model, dispatch_uid=uid + ".delete")
