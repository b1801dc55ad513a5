from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "techmarket.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .portal import portal_counts_changed

        # Catalogue types register in their own apps' ready(), after this one: the receiver looks them up.
        post_save.connect(portal_counts_changed, dispatch_uid="portal-counts-save")
        post_delete.connect(portal_counts_changed, dispatch_uid="portal-counts-delete")
