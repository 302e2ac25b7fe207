from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jijie.areas.access import Action
from jijie.areas.forms import ANY_KIND, AreaPicker
from jijie.core import forms
from jijie.problems.models import ProblemKind, Urgency
from jijie.supplies.models import SupplyRequest, Transfer


class DateTimeLocal(forms.DateTimeInput):
    """The phone's date-and-time picker; its value is always ISO."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class RaiseForm(forms.Form):
    """Raising a problem on a phone: where, what kind, how urgent, in a few words, what
    is needed, by when, and a photo taken there."""

    area_code = forms.CharField(
        label=_("所在区域"),
        max_length=32,
        widget=AreaPicker(kind=ANY_KIND, action=Action.PROBLEM_RAISE, pick_label=_("选择区域")),
        help_text=_("问题所在的楼栋、网格或社区。"),
    )
    kind = forms.ChoiceField(label=_("类别"), choices=ProblemKind.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=pgettext_lazy("problem", "问题"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("如:没有耳温枪")}),
    )
    need = forms.CharField(
        label=_("需要什么"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如:耳温枪 5 个")}),
    )
    needed_by = forms.DateTimeField(
        label=_("最迟何时需要(可不填)"), required=False, widget=DateTimeLocal()
    )
    photo = forms.FileField(
        label=_("照片(可不填)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("办理情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    supply_request: forms.ModelChoiceField[SupplyRequest] = forms.ModelChoiceField(
        label=_("关联的物资申请(可不选)"), queryset=SupplyRequest.objects.none(), required=False
    )
    transfer: forms.ModelChoiceField[Transfer] = forms.ModelChoiceField(
        label=_("关联的物资调拨(可不选)"), queryset=Transfer.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        requests: QuerySet[SupplyRequest],
        transfers: QuerySet[Transfer],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        request_field = self.fields["supply_request"]
        request_field.queryset = requests  # type: ignore[attr-defined]
        request_field.label_from_instance = _request_label  # type: ignore[attr-defined]
        transfer_field = self.fields["transfer"]
        transfer_field.queryset = transfers  # type: ignore[attr-defined]
        transfer_field.label_from_instance = _transfer_label  # type: ignore[attr-defined]


def _request_label(request: SupplyRequest) -> str:
    made = timezone.localtime(request.created_at)
    return f"{request.store.name} · {made:%m-%d %H:%M} · {request.get_state_display()}"


def _transfer_label(transfer: Transfer) -> str:
    sent = timezone.localtime(transfer.sent_at)
    return (
        f"{transfer.from_store.name} → {transfer.to_store.name} · {sent:%m-%d %H:%M}"
        f" · {transfer.get_state_display()}"
    )


RATINGS = [(n, str(n)) for n in range(5, 0, -1)]


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度(5 分最满意)"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("评价(可不填)"), max_length=300, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("没有解决的原因"), max_length=300)
