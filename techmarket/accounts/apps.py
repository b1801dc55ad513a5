from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "techmarket.accounts"
    label = "accounts"
    verbose_name = _("账户")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import stamp_login

        # Every login starts the idle and absolute session clocks (also /admin/'s own login form).
        user_logged_in.connect(stamp_login, dispatch_uid="techmarket.accounts.stamp_login")
