from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "jijie.residents"
    verbose_name = _("居民")

    def ready(self) -> None:
        from jijie.residents import offers  # noqa: F401  (registers its area offers)
        from jijie.residents.signals import households_added

        households_added.connect(_households_added, dispatch_uid="residents.households_added")


def _households_added(sender: object, *, counts: dict[int, int], **kwargs: object) -> None:
    from jijie.residents import counts as building_counts

    building_counts.added(counts)
