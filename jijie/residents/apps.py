from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "jijie.residents"
    verbose_name = _("居民")

    def ready(self) -> None:
        from jijie.residents import offers  # noqa: F401  (registers its area offers)
