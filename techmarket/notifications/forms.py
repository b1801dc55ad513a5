from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.catalog.registry import saved_search_choices
from techmarket.core.forms import StyledForm


class SavedSearchCreateForm(StyledForm):
    """Posted by notifications/includes/save_search.html from a list page."""

    target = forms.ChoiceField(choices=saved_search_choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("订阅名称"), required=False, max_length=60, help_text=_("留空则按筛选条件自动命名。")
    )
    notify_email = forms.BooleanField(label=_("有新匹配时发送邮件"), required=False, initial=True)


class SavedSearchEditForm(StyledForm):
    name = forms.CharField(label=_("订阅名称"), max_length=60)
    notify_in_site = forms.BooleanField(label=_("站内通知"), required=False)
    notify_email = forms.BooleanField(label=_("邮件通知"), required=False)
