from __future__ import annotations

from typing import Any, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import CHILD_KINDS, Area, AreaKind, Compound
from jijie.core import forms

ANY_KIND = "any"  # an AreaPicker that takes an area of any level


class AreaPicker(forms.TextInput):
    """A text box for an area's code with a picker beside it: the user's own areas, then
    their children, down to an area of `kind` in their scope for `action`, chosen with a
    tap (areas:pick). A code pasted or typed is still taken."""

    template_name = "areas/widgets/area_picker.html"

    def __init__(
        self,
        *,
        kind: str,
        action: str,
        pick_label: str | Promise,
        several: bool = False,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        # `several`: each area picked is added to the codes in the box (a sweep over a
        # few grids), instead of replacing it.
        attrs = {**(attrs or {}), **({"data-pick-append": ""} if several else {})}
        super().__init__(attrs)
        self.kind, self.action, self.pick_label = kind, action, pick_label

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(kind=self.kind, action=self.action, pick_label=self.pick_label)
        return context


class AreaChildForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"))
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.CharField(label=_("代码"), max_length=32)
    dwelling_count = forms.IntegerField(label=_("户数(楼栋)"), min_value=0, initial=0)
    compound = forms.ModelChoiceField(
        label=_("所属小区(楼栋)"), queryset=Compound.objects.none(), required=False
    )

    def __init__(self, *args: Any, parent: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(AreaKind.choices)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [(k, labels[k]) for k in CHILD_KINDS[parent.kind]]
        if parent.kind == AreaKind.GRID:
            cast(
                "forms.ModelChoiceField[Compound]", self.fields["compound"]
            ).queryset = Compound.objects.filter(community_id=parent.community_id_above())
        else:
            del self.fields["dwelling_count"]
            del self.fields["compound"]


class AreaEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    dwelling_count = forms.IntegerField(label=_("户数"), min_value=0, required=False)
    compound = forms.ModelChoiceField(
        label=_("所属小区"), queryset=Compound.objects.none(), required=False
    )

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if area.kind == AreaKind.BUILDING:
            cast(
                "forms.ModelChoiceField[Compound]", self.fields["compound"]
            ).queryset = Compound.objects.filter(community_id=area.community_id_above())
        else:
            del self.fields["dwelling_count"]
            del self.fields["compound"]


class CompoundForm(forms.Form):
    name = forms.CharField(label=_("小区名称"), max_length=100)
