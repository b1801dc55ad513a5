"""The workspace panel (named on EngagementsConfig.workspace_panel): caseload, engagements, answers due."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles

from . import selectors
from .models import OPEN_STAGES, Assignment


def panel(user: Any) -> dict[str, Any] | None:
    broker, operator = roles.is_broker(user), roles.is_operator(user)
    visible = selectors.engagement_list_visible_to(user)
    open_qs = visible.filter(stage__in=OPEN_STAGES)
    board = reverse("engagements:board")
    links: list[tuple[str, str, int]] = []
    if broker:
        caseload = Assignment.objects.filter(broker=user)
        links.append(
            (
                _("我的案源（新分派）"),
                reverse("engagements:caseload"),
                caseload.filter(seen_at__isnull=True).count(),
            )
        )
        mine = open_qs.filter(lead_broker=user)
        links.append((_("我主办的进行中项目"), board, mine.count()))
        links.append((_("下一步已逾期"), board, mine.filter(due_at__lt=timezone.now()).count()))
    if operator:
        links.append((_("全部进行中项目"), board + "?status=open", open_qs.count()))
        links.append((_("逾期项目"), board, open_qs.filter(due_at__lt=timezone.now()).count()))
    pending = [
        a for a in selectors.answers_visible_to(user).filter(status="pending")[:100] if _may_answer(user, a)
    ]
    if pending or (not broker and not operator and open_qs.exists()):
        links.append((_("待我方答复的推荐"), reverse("engagements:answers"), len(pending)))
        links.append((_("我方参与的对接项目"), board, open_qs.count()))
    if not links:
        return None
    return {"title": _("对接项目"), "links": links}


def _may_answer(user: Any, answer: Any) -> bool:
    from .request_types import may_answer

    return may_answer(user, answer)
