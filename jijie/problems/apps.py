from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ProblemsConfig(AppConfig):
    name = "jijie.problems"
    verbose_name = pgettext_lazy("problem", "问题")

    def ready(self) -> None:
        from jijie.problems import home  # noqa: F401  (home card, badge)
