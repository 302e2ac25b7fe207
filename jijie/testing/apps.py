from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "jijie.testing"
    verbose_name = _("核酸检测")

    def ready(self) -> None:
        from jijie.core import outbox
        from jijie.gates import proofs
        from jijie.testing import phone, selectors

        outbox.register(phone.KIND, phone.sample_from_phone, assets=("testing/sample.js",))
        outbox.register(phone.SEAL, phone.seal_from_phone)
        proofs.register(selectors.household_swabs)
