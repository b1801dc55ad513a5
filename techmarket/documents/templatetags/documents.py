from typing import Any

from django import template

from techmarket.documents.forms import UploadForm
from techmarket.documents.selectors import documents_visible_to, may_see_object, may_upload

register = template.Library()


@register.inclusion_tag("documents/panel.html", takes_context=True)
def documents_panel(context: Any, obj: Any) -> dict[str, Any]:
    """The attachments of ``obj`` for the current user: ``{% load documents %}{% documents_panel need %}``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = may_see_object(user, obj)
    return {
        "obj": obj,
        "visible": visible,
        "documents": documents_visible_to(user, obj) if visible else [],
        "may_upload": visible and may_upload(user, obj),
        "form": UploadForm(),
        "label": obj._meta.label_lower,
        "request": request,
        "next": request.get_full_path() if request else "",
    }
