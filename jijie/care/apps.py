from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "jijie.care"
    verbose_name = _("居家关爱")

    def ready(self) -> None:
        from jijie.care import home, offers, phone  # noqa: F401  (home cards, household actions)
        from jijie.core import outbox

        outbox.register(phone.KIND, phone.follow_up_from_phone)
        outbox.register(phone.ERRAND_DONE, phone.errand_done_from_phone)
