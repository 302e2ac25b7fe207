from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "jijie.responses"
    verbose_name = _("应急响应")
