from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "jijie.inspections"
    verbose_name = _("督查")

    def ready(self) -> None:
        from jijie.inspections import home  # noqa: F401  (home cards, badge)
