from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatesConfig(AppConfig):
    name = "jijie.gates"
    verbose_name = _("卡口")

    def ready(self) -> None:
        from jijie.core import outbox
        from jijie.gates import checks, home, offers, phone  # noqa: F401  (checks, cards, actions)

        outbox.register(phone.KIND, phone.scan_from_phone, assets=("gates/scan.js",))
