"""Forms of the duty pages: a demand (吹哨), a direct assignment, a decline, a roster
window."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.db.models import Case, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.duty.models import PostType
from jijie.mobilization.models import Member


class DemandForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=Area.objects.none())
    post_type = forms.ModelChoiceField(label=_("岗位类型"), queryset=PostType.objects.all())
    place = forms.CharField(label=_("地点"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=90, initial=14)
    first_shift_at = forms.TimeField(
        label=_("首班开始"), initial=time(8, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    shifts_per_day = forms.IntegerField(label=_("每天班次"), min_value=1, max_value=24, initial=2)
    shift_hours = forms.IntegerField(label=_("每班小时"), min_value=1, max_value=24, initial=12)
    min_per_shift = forms.IntegerField(label=_("每班最少"), min_value=0, max_value=200, initial=2)
    max_per_shift = forms.IntegerField(label=_("每班最多"), min_value=1, max_value=200, initial=3)

    def __init__(self, *args: Any, communities: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities
        if communities.count() == 1:
            field.initial = communities.first()
        self.fields["starts_on"].initial = timezone.localdate() + timedelta(days=1)


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("队员"), queryset=Member.objects.none(), widget=forms.FindRadio
    )

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        # In the order given (the replacement list ranks who should go first).
        rank = Case(*(When(pk=m.pk, then=i) for i, m in enumerate(members)), default=len(members))
        field.queryset = Member.objects.filter(pk__in=[m.pk for m in members]).order_by(rank)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class WindowForm(forms.Form):
    starts_on = forms.DateField(label=_("从"), widget=DateInput())
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=14, initial=7)
