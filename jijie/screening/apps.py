from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "jijie.screening"
    verbose_name = _("排查")

    def ready(self) -> None:
        from jijie.residents.signals import households_added

        households_added.connect(_households_added, dispatch_uid="screening.households_added")
        from jijie.core import outbox
        from jijie.screening import home, offers, phone  # noqa: F401  (home cards, household actions)

        outbox.register(phone.KIND, phone.visit_from_phone, assets=("screening/doors.js",))


def _households_added(sender: object, *, counts: dict[int, int], **kwargs: Any) -> None:
    from jijie.screening import counters

    counters.households_added(counts)
