"""Upload, list and download attachments; thin views over the documents services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.core.http import local_next

from . import selectors, services
from .forms import UploadForm
from .models import Document


def document_list(request: HttpRequest, label: str, object_id: int) -> HttpResponse:
    obj = selectors.object_for_label(label, object_id)
    if not selectors.may_see_object(request.user, obj):
        raise Http404
    return render(
        request,
        "documents/document_list.html",
        {
            "obj": obj,
            "documents": selectors.documents_visible_to(request.user, obj),
            "may_upload": selectors.may_upload(request.user, obj),
            "form": UploadForm(),
            "label": label,
        },
    )


@login_required
@require_POST
def document_upload(request: HttpRequest, label: str, object_id: int) -> HttpResponse:
    obj = selectors.object_for_label(label, object_id)
    back = local_next(request, request.path.rsplit("upload/", 1)[0])
    if not selectors.may_see_object(request.user, obj):
        raise Http404
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    data = form.cleaned_data
    document = None
    if data.get("document"):
        document = Document.objects.filter(pk=data["document"]).first()
    try:
        version = services.document_upload(
            obj=obj,
            acting_user=request.user,
            upload=data["file"],
            title=data.get("title", ""),
            note=data.get("note", ""),
            document=document,
            is_confidential=data.get("is_confidential", False),
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc) or _("您无权上传附件。")])))
    else:
        messages.success(
            request, _("已上传“%(t)s”第 %(n)s 版。") % {"t": version.document.title, "n": version.number}
        )
    return redirect(back)


def document_download(request: HttpRequest, version_id: int) -> FileResponse:
    version = selectors.version_get_visible(request.user, version_id)
    handle = services.document_download(version=version, acting_user=request.user, request=request)
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
