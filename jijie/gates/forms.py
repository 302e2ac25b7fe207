from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from jijie.areas.access import Action
from jijie.areas.forms import AreaPicker
from jijie.areas.models import AreaKind
from jijie.core import forms
from jijie.gates import services
from jijie.gates.models import Direction


class ScanForm(forms.Form):
    # Rendered with a fresh id: the same form sent twice (a double tap, a retry) is one scan.
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    token = forms.CharField(label=_("通行证二维码"), max_length=200, required=False)
    direction = forms.ChoiceField(
        label=_("方向"),
        choices=Direction.choices,
        initial=Direction.IN,
        # The phone's outbox keeps the direction for the next person (outbox.js).
        widget=forms.RadioSelect(attrs={"data-outbox-keep": ""}),
    )
    temperature = forms.DecimalField(
        label=_("体温(℃)"),
        required=False,
        min_value=Decimal("30"),
        max_value=Decimal("45"),
        decimal_places=1,
    )
    certificate_checked = forms.BooleanField(label=_("已查验核酸证明"), required=False)
    vehicle_plate = forms.CharField(label=_("车牌"), max_length=16, required=False)
    vehicle_disinfected = forms.BooleanField(label=_("车辆已消毒"), required=False)
    visitor_name = forms.CharField(label=_("访客姓名"), max_length=50, required=False)
    visitor_visiting = forms.CharField(label=_("拜访对象"), max_length=100, required=False)
    visitor_reason = forms.CharField(label=_("来访事由"), max_length=200, required=False)

    def scan_data(self, *, device_at: datetime) -> services.ScanData:
        """The valid form as the services take a scan, made at `device_at`."""
        data = self.cleaned_data
        return services.ScanData(
            client_id=data["client_id"],
            device_at=device_at,
            direction=data["direction"],
            token=data["token"].strip(),
            temperature=data["temperature"],
            certificate_checked=data["certificate_checked"],
            vehicle_plate=data["vehicle_plate"],
            vehicle_disinfected=data["vehicle_disinfected"],
            visitor_name=data["visitor_name"],
            visitor_visiting=data["visitor_visiting"],
            visitor_reason=data["visitor_reason"],
        )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("token") and not data.get("visitor_name"):
            raise forms.ValidationError(_("请扫描或粘贴通行证二维码,或登记访客。"))
        return data


class BuildingForm(forms.Form):
    building = forms.CharField(
        label=_("楼栋"),
        max_length=32,
        widget=AreaPicker(
            kind=AreaKind.BUILDING, action=Action.PASS_ISSUE, pick_label=_("选择楼栋")
        ),
        help_text=_("选择楼栋,或粘贴楼栋代码。"),
    )
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=90, initial=14)
    outings_per_day = forms.IntegerField(
        label=_("每日外出次数"), min_value=0, max_value=10, initial=0, required=False
    )


class BuildingViewForm(forms.Form):
    """Which building's passes to show: picked, or its code pasted. Its fields' ids are
    its own (view_…): the issue form on the same page has a building too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "view_%s")
        super().__init__(*args, **kwargs)

    building = forms.CharField(
        label=_("楼栋"),
        max_length=32,
        required=False,
        widget=AreaPicker(
            kind=AreaKind.BUILDING, action=Action.GATE_VIEW, pick_label=_("选择楼栋")
        ),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
