"""Forms of the care pages: a follow-up (with the phone's own id, so a double submit is
stored once), opening, extending and ending a case, resolving an alert, an errand and
its steps."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas.access import Action
from jijie.areas.forms import AreaPicker
from jijie.areas.models import AreaKind
from jijie.care.models import CaseKind, CaseOutcome, ContactMode, ErrandKind
from jijie.care.services import ERRAND_MAX_MINUTES, MAX_DAYS, MAX_EXTENSION_DAYS
from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.mobilization.models import Member
from jijie.residents.forms import household_field
from jijie.responses.models import Response


class FollowUpForm(forms.Form):
    contact = forms.ChoiceField(
        label=_("方式"),
        choices=ContactMode.choices,
        initial=ContactMode.VISIT,
        widget=forms.RadioSelect,
    )
    temperature = forms.DecimalField(
        label=_("体温(℃)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.CharField(
        label=_("症状"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("无则不填,如:咳嗽、乏力")}),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)
    # Made when the form is drawn: the same form sent twice is stored once.
    client_ref = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_ref"].initial = uuid.uuid4().hex


class HouseholdChoiceForm(forms.Form):
    """The first step of opening a case: which household (its people are the second
    step's choices). Sent as soon as one is picked."""

    household = household_field()


class CaseForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    person = forms.TypedChoiceField(
        label=_("人员"), coerce=int, required=False, empty_value=None, choices=()
    )
    response = forms.ModelChoiceField(label=_("应急响应"), queryset=Response.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=CaseKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=200)
    starts_on = forms.DateField(label=_("起始日期"), widget=DateInput())
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=MAX_DAYS, initial=14)
    checks_per_day = forms.TypedChoiceField(
        label=_("每日随访次数"),
        coerce=int,
        choices=((1, _("每天 1 次")), (2, _("每天 2 次"))),
        initial=1,
    )
    supervisor = forms.ChoiceField(label=_("监管人"), choices=())
    seal_number = forms.CharField(label=_("门磁/封条编号"), max_length=40, required=False)

    def __init__(
        self,
        *args: Any,
        responses: QuerySet[Response],
        people: list[tuple[int, str]],
        supervisors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        response = self.fields["response"]
        assert isinstance(response, forms.ModelChoiceField)
        response.queryset = responses
        if len(responses) == 1:
            response.initial = responses[0]
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = [("", _("整户")), *people]
        supervisor = self.fields["supervisor"]
        assert isinstance(supervisor, forms.ChoiceField)
        supervisor.choices = supervisors
        self.fields["starts_on"].initial = timezone.localdate()


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("延长天数"), min_value=1, max_value=MAX_EXTENSION_DAYS, initial=7
    )
    reason = forms.CharField(label=_("延长原因"), max_length=200)


class EndForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结果"), choices=CaseOutcome.choices)
    ended_on = forms.DateField(label=_("解除日期"), required=False, widget=DateInput())
    note = forms.CharField(label=_("解除说明"), max_length=200, required=False)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处理情况"), max_length=200)


class ErrandForm(forms.Form):
    household = household_field()
    kind = forms.ChoiceField(label=_("类型"), choices=ErrandKind.choices)
    needed = forms.CharField(
        label=_("所需事项"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    money_advanced = forms.DecimalField(
        label=_("垫付金额(元)"),
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        initial=Decimal(0),
    )
    due_by = forms.DateTimeField(
        label=_("期望完成时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        due = timezone.localtime() + timedelta(hours=3)
        self.fields["due_by"].initial = due.replace(second=0, microsecond=0)


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("队员"), queryset=Member.objects.none(), widget=forms.FindRadio
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members


class DoneForm(forms.Form):
    proof_note = forms.CharField(
        label=_("办结说明"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("如:已放门口,已拍照发给住户")}),
    )
    minutes = forms.IntegerField(
        label=_("服务时长(分钟)"),
        required=False,
        min_value=1,
        max_value=ERRAND_MAX_MINUTES,
        help_text=_("不填则按接单到办结的时间计算,最多 4 小时。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class PlanForm(forms.Form):
    household = household_field()
    needs = forms.CharField(
        label=_("困难与需求"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("帮扶措施"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    visit_every_days = forms.IntegerField(
        label=_("走访周期(天)"), min_value=1, max_value=90, initial=7
    )
    responsible = forms.ChoiceField(label=_("责任人"), required=False, choices=())
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())

    def __init__(self, *args: Any, responsible: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("(暂不指定)")), *responsible]
        self.fields["starts_on"].initial = timezone.localdate()


class VisitForm(forms.Form):
    help_given = forms.CharField(
        label=_("帮扶内容"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("如:送米一袋、油一桶,代缴电费")}),
    )
    value = forms.DecimalField(
        label=_("物资折价(元)"),
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        initial=Decimal(0),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    # Made when the form is drawn: the same visit sent twice is stored once.
    client_ref = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["client_ref"].initial = uuid.uuid4().hex


class BuildingForm(forms.Form):
    """Which building's floor plan to show: picked, or its code pasted."""

    building = forms.CharField(
        label=_("楼栋"),
        max_length=32,
        widget=AreaPicker(
            kind=AreaKind.BUILDING, action=Action.CARE_VIEW, pick_label=_("选择楼栋")
        ),
    )
