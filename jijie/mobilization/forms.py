from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.mobilization.models import (
    Availability,
    CallUp,
    Fitness,
    MemberKind,
    Organisation,
    SignUpStatus,
    Skill,
    TeamKind,
)
from jijie.responses.models import Response

DATE = DateInput()


class CallUpForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("发起组织"), queryset=Organisation.objects.none())
    response = forms.ModelChoiceField(label=_("应急响应"), queryset=Response.objects.none())
    title = forms.CharField(label=_("标题"), max_length=100)
    conditions = forms.CharField(
        label=_("报名条件"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quota = forms.IntegerField(label=_("下沉名额"), min_value=1)
    deadline = forms.DateTimeField(
        label=_("报名截止"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    targets = forms.CharField(
        label=_("下沉社区及名额"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一个社区:社区代码或名称,空格,名额。例如“441602004001 20”。"),
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        responses: QuerySet[Response],
        communities: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field_org: Any = self.fields["organisation"]
        field_org.queryset = organisations
        field_response: Any = self.fields["response"]
        field_response.queryset = responses
        self.communities = communities

    def clean_targets(self) -> list[tuple[Area, int]]:
        """Each line names a community (by code or name) and its quota."""
        found: list[tuple[Area, int]] = []
        for number, line in enumerate(self.cleaned_data["targets"].splitlines(), start=1):
            parts = line.replace(",", " ").replace(",", " ").split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                raise ValidationError(
                    _("第 %(line)s 行应为“社区代码或名称 名额”。") % {"line": number}
                )
            name, quota = parts
            area = (
                self.communities.filter(code=name).first()
                or self.communities.filter(name=name).first()
            )
            if area is None:
                raise ValidationError(
                    _("第 %(line)s 行:没有找到社区“%(name)s”。") % {"line": number, "name": name}
                )
            found.append((area, int(quota)))
        if not found:
            raise ValidationError(_("请至少写一个下沉社区。"))
        return found


class ScreeningForm(forms.Form):
    min_age = forms.IntegerField(label=_("最小年龄"), required=False, min_value=0, initial=18)
    max_age = forms.IntegerField(label=_("最大年龄"), required=False, min_value=0, initial=60)
    require_health_declaration = forms.BooleanField(
        label=_("须作健康申报"), required=False, initial=True
    )
    exclude_unfit = forms.BooleanField(label=_("排除暂不适合一线的"), required=False, initial=True)
    kinds = forms.MultipleChoiceField(
        label=_("身份(不选为不限)"),
        required=False,
        choices=MemberKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class SignUpFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *SignUpStatus.choices]
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("通过")),
            ("decline", _("不通过")),
            ("withdraw", _("退出")),
            ("end", _("结束下沉")),
        ]
    )
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("同意")), ("decline", _("拒绝"))])
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


def _default_period() -> tuple[date, date]:
    today = timezone.localdate()
    return today, today + timedelta(days=30)


class DeployForm(forms.Form):
    community = forms.ChoiceField(label=_("下沉社区"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)

    def __init__(self, *args: Any, call_up: CallUp, **kwargs: Any) -> None:
        start, end = _default_period()
        kwargs.setdefault("initial", {"starts_on": start, "ends_on": end})
        super().__init__(*args, **kwargs)
        field: Any = self.fields["community"]
        field.choices = [
            (t.community.code, f"{t.community.name} ({t.quota})")
            for t in call_up.targets.select_related("community").order_by("community__path")
        ]


class ProposalForm(forms.Form):
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        start, end = _default_period()
        kwargs.setdefault("initial", {"starts_on": start, "ends_on": end})
        super().__init__(*args, **kwargs)


class LineForm(forms.Form):
    # Chosen from the call-up's communities in a list the proposal page draws.
    community = forms.CharField(required=False, max_length=40, widget=forms.Select)


class _MemberFields(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("身份"), choices=MemberKind.choices)
    residence = forms.ChoiceField(label=_("居住社区"), required=False)
    skills = forms.MultipleChoiceField(
        label=_("技能"),
        required=False,
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    fitness = forms.ChoiceField(label=_("身体状况"), choices=Fitness.choices)
    availability = forms.ChoiceField(label=_("可服务时间"), choices=Availability.choices)

    def set_communities(self, communities: QuerySet[Area]) -> None:
        field: Any = self.fields["residence"]
        field.choices = [("", _("不在本区")), *((a.code, a.name) for a in communities)]


class SignUpForm(_MemberFields):
    """The public sign-up form: the fewest questions that identify a person, on a phone."""

    field_order = [
        "name",
        "document_number",
        "phone",
        "organisation",
        "kind",
        "residence",
        "skills",
        "fitness",
        "availability",
        "health_declared",
        "note",
    ]
    document_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    organisation = forms.ChoiceField(label=_("所在单位"), required=False)
    health_declared = forms.BooleanField(
        label=_("本人承诺:近 14 天无发热、咳嗽等症状,未接触确诊或疑似病例"), required=False
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        communities: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.choices = [("", _("无(居民志愿者)")), *((o.pk, o.name) for o in organisations)]
        self.set_communities(communities)


class QuickSignUpForm(forms.Form):
    """Signing up as the signed-in member: only this call-up's declaration."""

    availability = forms.ChoiceField(label=_("可服务时间"), choices=Availability.choices)
    health_declared = forms.BooleanField(
        label=_("本人承诺:近 14 天无发热、咳嗽等症状,未接触确诊或疑似病例"), required=False
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class MemberForm(_MemberFields):
    """A member's own record: the ID number is not asked again; an empty phone keeps
    the one stored."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        help_text=_("不修改请留空"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, communities: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_communities(communities)


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("导入到单位"), queryset=Organisation.objects.none()
    )
    file = forms.FileField(label=_("队员名册(.xlsx、.xls 或 .csv)"))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = organisations


class TeamForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TeamKind.choices)
    leader = forms.ChoiceField(label=_("队长"))
    members = forms.MultipleChoiceField(
        label=_("队员"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leader: Any = self.fields["leader"]
        leader.choices = people
        members: Any = self.fields["members"]
        members.choices = people


class LeaderForm(forms.Form):
    member = forms.ChoiceField(label=_("队员"))
    title = forms.CharField(label=_("职务"), max_length=20, initial=_("书记"))

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["member"]
        field.choices = people


class PairingForm(forms.Form):
    community = forms.ChoiceField(label=_("包保社区"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE, required=False)

    def __init__(self, *args: Any, communities: QuerySet[Area], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        field: Any = self.fields["community"]
        field.choices = [(a.code, a.name) for a in communities]
