from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "jijie.supplies"
    verbose_name = _("物资")

    def ready(self) -> None:
        from jijie.supplies import home, offers  # noqa: F401  (home cards, badge, households)
