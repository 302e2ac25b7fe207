from django.utils.translation import gettext_lazy as _

from jijie.areas.access import Action
from jijie.areas.forms import ANY_KIND, AreaPicker
from jijie.core import forms
from jijie.responses.models import ResponseLevel
from jijie.responses.services import MAX_RETENTION_DAYS


class ResponseForm(forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=100, help_text=_("例如:2020 年新冠肺炎疫情防控")
    )
    level = forms.ChoiceField(label=_("响应级别"), choices=ResponseLevel.choices)
    area_code = forms.CharField(
        label=_("区域"),
        max_length=40,
        widget=AreaPicker(kind=ANY_KIND, action=Action.RESPONSE_MANAGE, pick_label=_("选择区域")),
        help_text=_("应急响应覆盖的区域:选择,或粘贴区域代码。"),
    )
    retention_days = forms.IntegerField(
        label=_("敏感数据保留天数"),
        min_value=1,
        max_value=MAX_RETENTION_DAYS,
        initial=30,
        help_text=_("响应结束后,居民的健康、行程、隔离等敏感信息在这么多天后清除;统计数据保留。"),
    )
