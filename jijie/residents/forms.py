from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jijie.areas.access import Action
from jijie.areas.forms import ANY_KIND, AreaPicker
from jijie.areas.models import AreaKind
from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.core.identity import DocumentType
from jijie.core.models import Sex
from jijie.residents.imports.columns import FIELD_LABELS
from jijie.residents.models import (
    NOTE_LENGTH,
    HealthStatus,
    HouseholdKind,
    KeyGroup,
    Relation,
    ResidentType,
)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找居民"),
        max_length=30,
        help_text=_("姓名、拼音首字母(如 wxm)、电话或证件号后四位、完整证件号或手机号"),
    )


class HouseholdPicker(forms.Input):
    """A household chosen by searching the registry as a worker would (a name, pinyin
    initials, a door, a phone's last four) and tapping the one meant: the form's value
    is the household's number, which the user never sees or types. `area` limits the
    search to a part of the tree (a community's code); `picked` is what shows beside the
    field when it comes prefilled."""

    template_name = "residents/widgets/household_picker.html"
    input_type = "hidden"
    is_hidden = False  # drawn with its label: the search box is what the user sees

    def __init__(self, *, area: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.area = area
        self.picked = ""

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_q" if id_ else id_

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(area=self.area, picked=self.picked)
        return context


def household_field(**kwargs: Any) -> forms.IntegerField:
    """A form's household: picked with HouseholdPicker, its number the value."""
    kwargs.setdefault("label", _("住户"))
    return forms.IntegerField(
        min_value=1,
        widget=HouseholdPicker(),
        error_messages={"required": _("请查找并选择住户。"), "invalid": _("请查找并选择住户。")},
        help_text=_("输入姓名、拼音首字母(如 wxm)、门牌号或电话后四位,再点选住户。"),
        **kwargs,
    )


def pick_household(form: forms.Form, name: str, *, area: str = "", picked: str = "") -> None:
    """Limit `form`'s household picker to `area` and show `picked` beside it."""
    widget = form.fields[name].widget
    assert isinstance(widget, HouseholdPicker)
    widget.area, widget.picked = area, picked


class HouseholdFilterForm(forms.Form):
    area = forms.CharField(
        label=_("区域"),
        required=False,
        max_length=40,
        widget=AreaPicker(kind=ANY_KIND, action=Action.RESIDENT_VIEW, pick_label=_("选择区域")),
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *HouseholdKind.choices]
    )
    flag = forms.ChoiceField(
        label=_("重点户"),
        required=False,
        choices=[
            ("", _("全部")),
            ("is_party_centre", _("党员中心户")),
            ("is_home_isolation", _("居家隔离户")),
            ("is_hardship", _("生活困难户")),
        ],
    )
    order = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("address", _("按地址")),
            ("-address", _("按地址倒序")),
            ("new", _("最新登记在前")),
            ("old", _("最早登记在前")),
        ],
    )


class HouseholdForm(forms.Form):
    building_code = forms.CharField(
        label=_("楼栋"),
        max_length=40,
        widget=AreaPicker(
            kind=AreaKind.BUILDING, action=Action.RESIDENT_EDIT, pick_label=_("选择楼栋")
        ),
        help_text=_("选择楼栋,或粘贴楼栋代码。"),
    )
    door_number = forms.CharField(label=_("门牌号"), max_length=32)
    kind = forms.ChoiceField(label=_("类型"), choices=HouseholdKind.choices)


class FlagsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("类型"), choices=HouseholdKind.choices)
    is_party_centre = forms.BooleanField(label=_("党员中心户"), required=False)
    is_home_isolation = forms.BooleanField(label=_("居家隔离户"), required=False)
    is_hardship = forms.BooleanField(label=_("生活困难户"), required=False)


class PersonForm(forms.Form):
    """The ID number and phone are never pre-filled: leaving them empty on an edit keeps
    what is stored, so the full values never travel to the browser."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices)
    document_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices)
    document_number = forms.CharField(
        label=_("证件号码"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    sex = forms.ChoiceField(label=_("性别"), required=False, choices=[("", "—"), *Sex.choices])
    register_place = forms.CharField(label=_("户籍地"), required=False, max_length=100)
    resident_type = forms.ChoiceField(label=_("人员类别"), choices=ResidentType.choices)
    note = forms.CharField(
        label=_("备注"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("查看"), choices=[("document", _("证件号码")), ("phone", _("联系电话"))]
    )
    reason = forms.CharField(label=_("事由"), max_length=200, help_text=_("将记入审计日志"))


class ImportForm(forms.Form):
    area_code = forms.CharField(
        label=_("导入到区域"),
        max_length=40,
        widget=AreaPicker(kind=ANY_KIND, action=Action.RESIDENT_EDIT, pick_label=_("选择区域")),
        help_text=_("社区、网格或楼栋(选择或粘贴代码);表格中的楼栋在此区域内查找"),
    )
    file = forms.FileField(label=_("台账文件"), help_text=_(".xlsx、.xls 或 .csv(UTF-8 或 GBK)"))


class ColumnMapForm(forms.Form):
    """A choice of field for each column of a checked file that no field reads."""

    def __init__(self, *args: Any, ignored: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("不导入")), *FIELD_LABELS.items()]
        for column in ignored:
            self.fields[f"column_{column['column']}"] = forms.ChoiceField(
                label=f"{column['letter']} · {column['header']}", choices=choices, required=False
            )

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("column_")): value
            for name, value in self.cleaned_data.items()
            if value
        }


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(label=_("跳过有错误的行,只导入正确的行"), required=False)


class KeyGroupMemberForm(forms.Form):
    key_group: forms.ModelChoiceField[KeyGroup] = forms.ModelChoiceField(
        label=_("重点人群"), queryset=KeyGroup.objects.none()
    )
    arrived_from = forms.CharField(label=_("来自何地"), required=False, max_length=100)
    arrived_on = forms.DateField(label=_("抵达日期"), required=False, widget=DateInput())
    travel_mode = forms.CharField(label=_("交通方式"), required=False, max_length=100)
    health_status = forms.ChoiceField(label=_("健康状况"), choices=HealthStatus.choices)
    isolation_until = forms.DateField(label=_("居家观察至"), required=False, widget=DateInput())
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args: Any, groups: QuerySet[KeyGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[KeyGroup]", self.fields["key_group"]).queryset = groups


class MoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    household = household_field(label=_("迁入住户"))


class ExportRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("事由和用途"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如:区疫情防控指挥部核酸检测组要求报送名单,用于上门采样。将记入审计日志。"),
    )


class ExportDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("decline", _("拒绝"))])
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)
