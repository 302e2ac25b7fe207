from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jijie.accounts"
    verbose_name = _("账号与审计")

    def ready(self) -> None:
        from jijie.accounts import checks  # noqa: F401  (registers the system checks)
