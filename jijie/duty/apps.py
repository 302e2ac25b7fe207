from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "jijie.duty"
    verbose_name = _("值守排班")

    def ready(self) -> None:
        from jijie.duty import home, offers  # noqa: F401  (home cards, area offers)
