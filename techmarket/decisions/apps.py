from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "techmarket.decisions"
    label = "decisions"
    verbose_name = _("申请与决定")
