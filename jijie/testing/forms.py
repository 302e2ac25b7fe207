from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from jijie.core import forms
from jijie.testing.models import MAX_TUBE_SIZE


class RoundForm(forms.Form):
    area = forms.ChoiceField(label=_("检测范围"), choices=())
    name = forms.CharField(label=_("名称"), max_length=60)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput())
    tube_size = forms.IntegerField(
        label=_("每管人数"),
        min_value=1,
        max_value=MAX_TUBE_SIZE,
        initial=10,
        help_text=_("10 人混采填 10,单管单采填 1。"),
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = areas


class ResultsForm(forms.Form):
    file = forms.FileField(
        label=_("检测结果文件"),
        help_text=_("Excel 或 CSV,须有“管码”(或“样本编号”)和“结果”两列。"),
    )


class IsolateForm(forms.Form):
    days = forms.IntegerField(label=_("隔离天数"), min_value=1, max_value=28, initial=14)
    supervisor = forms.ChoiceField(label=_("监管人"), choices=())

    def __init__(self, *args: Any, supervisors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supervisor = self.fields["supervisor"]
        assert isinstance(supervisor, forms.ChoiceField)
        supervisor.choices = supervisors


class SampleForm(forms.Form):
    """A swab at the lane: the tube's barcode (kept for the next person until the tube is
    full), the person's ID number (or their household's pass, scanned, and who of its
    people they are, picked on the page), and for a walk-in where they stay."""

    client_ref = forms.CharField(widget=forms.HiddenInput(), required=False)
    barcode = forms.CharField(
        label=_("管码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "data-outbox-keep": "", "autocapitalize": "characters"}
        ),
        help_text=_("扫描采样管上的条码。"),
    )
    # Required of the person unless their household's pass is scanned and they are
    # picked from its people: the service says which is missing.
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": "", "autocapitalize": "characters"}
        ),
    )
    pass_token = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput())
    retest_reason = forms.CharField(label=_("复采原因"), max_length=100, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    building = forms.ChoiceField(label=_("楼栋"), choices=(), required=False)
    door = forms.CharField(label=_("门牌号"), max_length=32, required=False)

    def __init__(self, *args: Any, buildings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        building = self.fields["building"]
        assert isinstance(building, forms.ChoiceField)
        building.choices = [("", "—"), *buildings]


class BatchForm(forms.Form):
    """Sealed tubes of a site handed to whoever carries them to the lab: a member on
    shift at the site's carrying post, picked; or, where nobody is, a name written."""

    tubes = forms.MultipleChoiceField(
        label=_("送检的采样管"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    member = forms.ChoiceField(
        label=_("转运人(此刻在转运岗)"), choices=(), required=False, widget=forms.RadioSelect
    )
    carrier = forms.CharField(
        label=_("转运人姓名"),
        max_length=50,
        required=False,
        help_text=_("转运岗没有人在岗时填写。"),
    )

    def __init__(
        self,
        *args: Any,
        tubes: list[tuple[str, str]],
        carriers: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tubes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = tubes
        field.initial = [code for code, _label in tubes]
        member = self.fields["member"]
        assert isinstance(member, forms.ChoiceField)
        member.choices = carriers
        if carriers:
            member.initial = carriers[0][0] if len(carriers) == 1 else None
        else:
            del self.fields["member"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("member") and not data.get("carrier", "").strip():
            raise forms.ValidationError(_("请选择转运人,或填写转运人姓名。"))
        return data


class ReceiveForm(forms.Form):
    received_at = forms.DateTimeField(
        label=_("接收时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class AppointmentsForm(forms.Form):
    """The day of the round a site's buildings are called for."""

    day = forms.ChoiceField(label=_("日期"), choices=())

    def __init__(self, *args: Any, days: list[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["day"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(d.isoformat(), f"{d:%m-%d}") for d in days]

    def clean_day(self) -> date:
        return date.fromisoformat(self.cleaned_data["day"])


class SiteForm(forms.Form):
    """A sampling site of a round: where, its lanes and hours, and the duty posts that
    staff it and carry its samples (picked from the posts of its community)."""

    area = forms.ChoiceField(label=_("所在区域"), choices=())
    name = forms.CharField(label=_("名称"), max_length=60)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    lanes = forms.IntegerField(label=_("通道数"), min_value=1, max_value=50, initial=2)
    opens_at = forms.TimeField(label=_("开放时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    post = forms.ChoiceField(label=_("值守岗位"), choices=(), required=False)
    transport = forms.ChoiceField(label=_("转运岗位"), choices=(), required=False)

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[str, str]],
        posts: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("area", areas),
            ("post", [("", "—"), *posts]),
            ("transport", [("", "—"), *posts]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
