from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.residents.models import KeyGroup, Person, Relation
from jijie.responses.models import Response
from jijie.screening.models import CampaignMode, Mode, Outcome, QuestionKind

KIND_WORDS = {"是否": QuestionKind.YES_NO, "数字": QuestionKind.NUMBER, "文字": QuestionKind.TEXT}
HEALTH_WORD = "健康"


def questions_text(questions: list[dict[str, Any]]) -> str:
    """The question list as the lines the form edits: `key | label | kind [| 健康]`."""
    words = {v: k for k, v in KIND_WORDS.items()}
    lines = []
    for q in questions:
        parts = [q["key"], q["label"], words.get(q["kind"], "是否")]
        if q.get("health"):
            parts.append(HEALTH_WORD)
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def parse_questions(text: str) -> list[dict[str, Any]]:
    result = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        kind = KIND_WORDS.get(parts[2], parts[2]) if len(parts) > 2 else QuestionKind.YES_NO
        result.append(
            {
                "key": parts[0],
                "label": parts[1] if len(parts) > 1 else "",
                "kind": kind,
                "health": len(parts) > 3 and parts[3] == HEALTH_WORD,
            }
        )
    return result


QUESTIONS_HELP = _(
    "每行一个问题:代码 | 问题 | 类型(是否、数字或文字)| 健康(健康和行程信息加此项,仅随访人员可见;一经标为健康,这个代码的问题始终是健康问题)"
)


class CampaignForm(forms.Form):
    response: forms.ModelChoiceField[Response] = forms.ModelChoiceField(
        label=_("应急响应"), queryset=Response.objects.none()
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    area_codes = forms.CharField(
        label=_("排查区域"),
        max_length=500,
        help_text=_("街道、社区、网格或楼栋的代码,多个用空格或逗号分开"),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    mode = forms.ChoiceField(label=_("排查方式"), choices=CampaignMode.choices)
    questions = forms.CharField(
        label=_("排查问题"), widget=forms.Textarea(attrs={"rows": 6}), help_text=QUESTIONS_HELP
    )

    def __init__(self, *args: Any, responses: QuerySet[Response], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["response"].queryset = responses  # type: ignore[attr-defined]


class CampaignEditForm(forms.Form):
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    mode = forms.ChoiceField(label=_("排查方式"), choices=CampaignMode.choices)
    questions = forms.CharField(
        label=_("排查问题"), widget=forms.Textarea(attrs={"rows": 6}), help_text=QUESTIONS_HELP
    )


YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]


class VisitForm(forms.Form):
    """A visit on a phone: how, how it went, the campaign's questions, temperatures of the
    people of the household, one newcomer, one person to flag."""

    mode = forms.ChoiceField(label=_("方式"), choices=Mode.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label=_("结果"), choices=Outcome.choices, widget=forms.RadioSelect, initial=Outcome.DONE
    )

    def __init__(
        self,
        *args: Any,
        questions: list[dict[str, Any]],
        people: list[Person],
        groups: QuerySet[KeyGroup],
        modes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = modes  # type: ignore[attr-defined]
        if len(modes) == 1:
            self.fields["mode"].initial = modes[0][0]
        self.question_keys = []
        for q in questions:
            name = f"q_{q['key']}"
            self.question_keys.append((name, q["key"]))
            field: forms.Field
            if q["kind"] == QuestionKind.YES_NO:
                field = forms.ChoiceField(label=q["label"], choices=YES_NO, required=False)
            elif q["kind"] == QuestionKind.NUMBER:
                field = forms.IntegerField(
                    label=q["label"],
                    required=False,
                    min_value=0,
                    max_value=99,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
            else:
                field = forms.CharField(label=q["label"], required=False, max_length=200)
            self.fields[name] = field
        self.temperature_keys = []
        for person in people:
            name = f"t_{person.pk}"
            self.temperature_keys.append((name, person.pk))
            self.fields[name] = forms.DecimalField(
                label=_("%(name)s 体温(℃)") % {"name": person.name},
                required=False,
                max_digits=3,
                decimal_places=1,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
            )
        self.fields["new_name"] = forms.CharField(
            label=_("新发现人员姓名"), required=False, max_length=50
        )
        self.fields["new_relation"] = forms.ChoiceField(
            label=_("与户主关系"), choices=Relation.choices, required=False, initial=Relation.OTHER
        )
        self.fields["new_phone"] = forms.CharField(
            label=_("新发现人员电话"),
            required=False,
            max_length=30,
            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        )
        self.fields["flag_person"] = forms.ChoiceField(
            label=_("标记重点人员"),
            required=False,
            choices=[("", "—"), *((str(p.pk), p.name) for p in people)],
        )
        self.fields["flag_group"] = forms.ModelChoiceField(
            label=_("列入重点人群"), queryset=groups, required=False
        )
        self.fields["note"] = forms.CharField(label=_("备注"), required=False, max_length=200)

    def answers(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(name) for name, key in self.question_keys}

    def temperatures(self) -> list[tuple[int | None, Any]]:
        return [
            (pk, self.cleaned_data[name])
            for name, pk in self.temperature_keys
            if self.cleaned_data.get(name) is not None
        ]


class LedgerForm(forms.Form):
    day = forms.DateField(label=_("日期"), required=False, widget=DateInput())
