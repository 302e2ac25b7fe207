from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatesConfig(AppConfig):
    name = "jijie.gates"
    verbose_name = _("卡口")

    def ready(self) -> None:
        from jijie.gates import checks, home, offers  # noqa: F401  (checks, cards, actions)
