from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jijie.areas.access import Action
from jijie.areas.forms import ANY_KIND, AreaPicker
from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.residents.models import KeyGroup, Person, Relation
from jijie.responses.models import Response
from jijie.screening.models import CampaignMode, Mode, Outcome, QuestionKind
from jijie.screening.services import MAX_QUESTIONS


class QuestionForm(forms.Form):
    """One question of a sweep: what is asked, how it is answered, whether the answer is
    health information. Its key (what the statistics read) is kept hidden; a new
    question gets one of its own."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    label = forms.CharField(label=_("问题"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("回答类型"), choices=QuestionKind.choices, initial=QuestionKind.YES_NO
    )
    health = forms.BooleanField(
        label=_("健康信息"),
        required=False,
        help_text=_("健康和行程信息仅随访人员可见;一经标为健康信息,不能再取消。"),
    )


# Two blank rows to add questions; a row left blank is no question.
QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=2, can_delete=True, max_num=MAX_QUESTIONS, absolute_max=MAX_QUESTIONS + 2
)


def question_rows(questions: list[dict[str, Any]], data: Any = None) -> Any:
    """The formset that edits `questions` (on a POST, the rows sent)."""
    initial = [{k: q.get(k) for k in ("key", "label", "kind", "health")} for q in questions]
    return QuestionFormSet(data, initial=initial, prefix="q")


def questions_of(rows: Any) -> list[dict[str, Any]]:
    """The questions a valid formset holds, in order: rows deleted or left blank are
    dropped; a new question's key is made here."""
    questions = []
    for row in rows.forms:
        data = row.cleaned_data
        if not data or data.get("DELETE") or not data.get("label"):
            continue
        key = data["key"] or f"q_{uuid.uuid4().hex[:10]}"
        questions.append(
            {"key": key, "label": data["label"], "kind": data["kind"], "health": data["health"]}
        )
    return questions


class CampaignForm(forms.Form):
    response: forms.ModelChoiceField[Response] = forms.ModelChoiceField(
        label=_("应急响应"), queryset=Response.objects.none()
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    area_codes = forms.CharField(
        label=_("排查区域"),
        max_length=500,
        widget=AreaPicker(
            kind=ANY_KIND,
            action=Action.SCREENING_MANAGE,
            pick_label=_("添加区域"),
            several=True,
        ),
        help_text=_("选择街道、社区、网格或楼栋,可选多个;也可粘贴代码,用空格分开。"),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    mode = forms.ChoiceField(label=_("排查方式"), choices=CampaignMode.choices)

    def __init__(self, *args: Any, responses: QuerySet[Response], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["response"].queryset = responses  # type: ignore[attr-defined]


class CampaignEditForm(forms.Form):
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    mode = forms.ChoiceField(label=_("排查方式"), choices=CampaignMode.choices)


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


class DoorVisitForm(VisitForm):
    """A visit recorded from a building's floor plan, on a phone that may have no signal:
    which door, how, how it went, the campaign's questions and a note. Who was home by
    name (their temperatures, a newcomer, a flag) is the household's own page, online."""

    household = forms.ChoiceField(label=_("门牌"), choices=())

    def __init__(
        self,
        *args: Any,
        doors: list[tuple[str, str]],
        questions: list[dict[str, Any]],
        modes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(
            *args,
            questions=questions,
            people=[],
            groups=KeyGroup.objects.none(),
            modes=modes,
            **kwargs,
        )
        for name in ("new_name", "new_relation", "new_phone", "flag_person", "flag_group"):
            del self.fields[name]
        household = self.fields["household"]
        assert isinstance(household, forms.ChoiceField)
        household.choices = doors
        self.order_fields(["household", "mode", "outcome"])
