from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.core.forms import StyledForm
from techmarket.orgs.models import Organization


class UploadForm(StyledForm):
    owner = forms.ModelChoiceField(
        label=_("所属机构"), queryset=Organization.objects.none(), help_text=_("导入的条目归属于该机构。")
    )
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("请使用平台下载的模板填写。"),
    )

    def __init__(self, *args: Any, user: Any, spec: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = (
            spec.owner_choices(user)
            if spec is not None and spec.owner_choices
            else roles.user_organizations(user)
        )
        self.has_owners = bool(orgs)
        field = cast(forms.ModelChoiceField, self.fields["owner"])
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in orgs]).order_by("name")
        if len(orgs) == 1:
            field.initial = orgs[0].pk
