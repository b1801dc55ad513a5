from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm

from .models import BrokerLevel


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=_("驳回原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("申请人会看到这段说明，请写明需要补正的内容。"),
    )


class JoinDecisionForm(StyledForm):
    approve = forms.BooleanField(required=False)
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)
    broker_level = forms.ChoiceField(
        label=_("经纪人等级"), choices=[("", "—")] + list(BrokerLevel.choices), required=False
    )
    certificate_number = forms.CharField(label=_("证书编号"), max_length=64, required=False)
