from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "techmarket.documents"
    label = "documents"
    verbose_name = _("附件")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app says who may see and attach files to its objects in attachments.py.
        autodiscover_modules("attachments")
