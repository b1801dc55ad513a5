from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "techmarket.workflow"
    label = "workflow"
    verbose_name = _("流程与工作日")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares its workflows in workflow.py and its request types in request_types.py;
        # importing them registers them, so the overdue task and the docs see every one.
        autodiscover_modules("workflow", "request_types")
