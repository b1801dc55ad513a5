"""Reads of attachments: always through the object's policy, so hidden objects show no files."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from .models import Document, DocumentVersion
from .registry import policy_for


def documents_visible_to(user: Any, obj: Any) -> list[Document]:
    """The object's documents this user may see, newest version first; none if the object is hidden."""
    policy = policy_for(obj)
    if policy is None or not policy.can_view(user, obj):
        return []
    docs = (
        Document.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .prefetch_related("versions__uploaded_by")
        .select_related("created_by")
    )
    see_confidential = any(d.is_confidential for d in docs) and policy.may_view(user, obj, confidential=True)
    return [d for d in docs if not d.is_confidential or see_confidential]


def may_see_object(user: Any, obj: Any) -> bool:
    policy = policy_for(obj)
    return policy is not None and policy.can_view(user, obj)


def may_upload(user: Any, obj: Any) -> bool:
    policy = policy_for(obj)
    return policy is not None and getattr(user, "is_authenticated", False) and policy.can_upload(user, obj)


def version_get_visible(user: Any, pk: int) -> DocumentVersion:
    """A version the user may download, else 404 (never telling whether it exists)."""
    version = DocumentVersion.objects.select_related("document__content_type").filter(pk=pk).first()
    if version is None:
        raise Http404
    document = version.document
    obj = document.obj
    policy = policy_for(obj) if obj is not None else None
    if policy is None or not policy.may_view(user, obj, confidential=document.is_confidential):
        raise Http404
    return version


def object_for_label(label: str, object_id: int) -> Any:
    """The object behind ``app_label.model`` + id, only for models that have an attachment policy."""
    if policy_for(label) is None:
        raise Http404
    try:
        app_label, model = label.split(".", 1)
        ct = ContentType.objects.get_by_natural_key(app_label, model)
    except (ValueError, ContentType.DoesNotExist):
        raise Http404 from None
    model_class = ct.model_class()
    obj = model_class._base_manager.filter(pk=object_id).first() if model_class is not None else None
    if obj is None:
        raise Http404
    return obj
