from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm


class UploadForm(StyledForm):
    file = forms.FileField(label=_("文件"), help_text=_("PDF、Word、Excel、PowerPoint、PNG、JPEG 或 ZIP。"))
    title = forms.CharField(
        label=_("名称"),
        max_length=200,
        required=False,
        help_text=_("留空则使用文件名。上传新版本时不必填写。"),
    )
    note = forms.CharField(label=_("版本说明"), max_length=300, required=False)
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)
    is_confidential = forms.BooleanField(label=_("保密附件（仅能查看保密详情的人可见）"), required=False)
