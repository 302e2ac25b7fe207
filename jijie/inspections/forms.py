from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jijie.accounts.models import User
from jijie.areas.access import Action
from jijie.areas.forms import ANY_KIND, AreaPicker
from jijie.core import forms
from jijie.inspections.models import ChecklistItem, FindingKind, Severity, TargetKind
from jijie.mobilization.models import Member


class TeamForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("如:第一督查组"))
    members: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("组员"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    covers = forms.CharField(
        label=_("督查范围"),
        max_length=1000,
        widget=AreaPicker(
            kind=ANY_KIND, action=Action.INSPECTION_MANAGE, pick_label=_("添加区域"), several=True
        ),
        help_text=_("选择街道或社区,可选多个。"),
    )

    def __init__(self, *args: Any, inspectors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = inspectors  # type: ignore[attr-defined]
        field.label_from_instance = str  # type: ignore[attr-defined]


class ChecklistForm(forms.Form):
    lines = forms.CharField(
        label=_("检查内容,一行一项"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10})
    )


class PlanForm(forms.Form):
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput())
    kinds = forms.MultipleChoiceField(
        label=_("抽查对象"), choices=TargetKind.choices, widget=forms.CheckboxSelectMultiple
    )
    size = forms.IntegerField(label=_("抽查数量"), min_value=1, max_value=500)


class VisitForm(forms.Form):
    """The inspector's checklist on a phone: each line pass / fail / not applicable, a
    note, and what was found (up to three findings, each with a photo)."""

    FINDINGS = 3

    note = forms.CharField(
        label=_("情况说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, items: list[ChecklistItem], members: QuerySet[Member], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        answers = [("pass", _("合格")), ("fail", _("不合格")), ("na", _("不适用"))]
        self.items = items
        for item in items:
            self.fields[f"item-{item.pk}"] = forms.ChoiceField(
                label=item.text, choices=answers, widget=forms.RadioSelect
            )
        kinds = [("", "—"), *FindingKind.choices]
        severities = [("", "—"), *Severity.choices]
        for n in range(1, self.FINDINGS + 1):
            self.fields[f"finding-{n}-kind"] = forms.ChoiceField(
                label=_("类型"), choices=kinds, required=False
            )
            self.fields[f"finding-{n}-severity"] = forms.ChoiceField(
                label=_("严重程度"), choices=severities, required=False
            )
            self.fields[f"finding-{n}-text"] = forms.CharField(
                label=_("发现情况"), max_length=300, required=False
            )
            self.fields[f"finding-{n}-member"] = forms.ModelChoiceField(
                label=_("涉及人员(可不选)"), queryset=members, required=False
            )
            self.fields[f"finding-{n}-photo"] = forms.FileField(
                label=_("照片(可不填)"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
                ),
            )

    def item_fields(self) -> list[Any]:
        return [self[f"item-{item.pk}"] for item in self.items]

    def finding_rows(self) -> list[list[Any]]:
        return [
            [
                self[f"finding-{n}-{part}"]
                for part in ("kind", "severity", "text", "member", "photo")
            ]
            for n in range(1, self.FINDINGS + 1)
        ]


class FixForm(forms.Form):
    fix = forms.CharField(
        label=_("整改情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("整改后照片"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )


class RecheckForm(forms.Form):
    is_fixed = forms.TypedChoiceField(
        label=_("复查结果"),
        choices=[("yes", _("已整改到位,销号")), ("no", _("未整改到位,上报上一级"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("复查意见"), max_length=300, required=False)
