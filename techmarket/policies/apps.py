from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "techmarket.policies"
    label = "policies"
    verbose_name = _("政策")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from techmarket.orgs.profile_services import PROFILE_LISTENERS

        from . import request_types, workflow  # noqa: F401 - registers the workflows and the request type
        from .catalogue import register
        from .facts import register_core_facts
        from .tasks import schedule_organization_push

        register()
        register_core_facts()
        autodiscover_modules("facts")  # other apps' <app>/facts.py add their facts (e.g. innovation points)
        if schedule_organization_push not in PROFILE_LISTENERS:
            PROFILE_LISTENERS.append(schedule_organization_push)
