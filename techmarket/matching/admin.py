from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from techmarket.audit.admin import AuditedModelAdmin

from .models import DomainTerm, MatchFeedback


def _schedule_rebuild(request: Any) -> None:
    from techmarket.outbox.services import outbox_enqueue

    from .tasks import rebuild_index

    outbox_enqueue(task=rebuild_index)
    messages.info(request, _("领域词典已更新，匹配索引将重新构建。"))


@admin.register(DomainTerm)
class DomainTermAdmin(AuditedModelAdmin):
    list_display = ["term", "note", "created_at"]
    search_fields = ["term", "note"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _schedule_rebuild(request)

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        _schedule_rebuild(request)


@admin.register(MatchFeedback)
class MatchFeedbackAdmin(AuditedModelAdmin):
    list_display = ["created_at", "user", "decision", "score", "rank", "reason"]
    list_filter = ["decision"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
