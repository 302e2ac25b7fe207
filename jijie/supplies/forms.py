"""Forms of the supplies pages. Items, sources and stores are picked from lists;
quantities are typed as text and read by the service (`jijie.core.decimals`), which
names the field and the reason of a bad one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.supplies.models import Item, ReceiveSource, RecipientKind, Store


def _quantity(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("数量"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ReceiveForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("物资"), queryset=Item.objects.order_by("category", "name")
    )
    quantity = _quantity()
    source = forms.ChoiceField(label=_("来源"), choices=ReceiveSource.choices)
    donor = forms.CharField(
        label=_("捐赠方"),
        max_length=100,
        required=False,
        help_text=_("仅捐赠填写;捐赠方不愿具名的留空。"),
    )
    lot = forms.CharField(label=_("批号"), max_length=40, required=False)
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=DateInput())
    voucher = forms.CharField(label=_("凭证号"), max_length=40, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class IssueForm(forms.Form):
    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.none())
    quantity = _quantity()
    recipient_kind = forms.ChoiceField(
        label=_("发放对象"),
        # A household or a member is issued to from their own page (picked, not typed).
        choices=[
            (RecipientKind.POST, RecipientKind.POST.label),
            (RecipientKind.OTHER, RecipientKind.OTHER.label),
        ],
        initial=RecipientKind.POST,
    )
    recipient = forms.CharField(
        label=_("领用方"), max_length=100, help_text=_("岗位、队员或单位的名称,如“东门卡口”。")
    )
    voucher = forms.CharField(label=_("凭证号"), max_length=40, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(
        self, *args: Any, items: QuerySet[Item], to_household: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = items
        if to_household:  # arrived from the household's page: it is the recipient
            del self.fields["recipient_kind"]
            del self.fields["recipient"]


class RequestForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("物资"), queryset=Item.objects.order_by("category", "name")
    )
    quantity = _quantity(_("申请数量"))
    reason = forms.CharField(
        label=_("申请理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    needed_by = forms.DateField(label=_("需要日期"), widget=DateInput())


class FulfilForm(forms.Form):
    source = forms.ModelChoiceField(label=_("从哪个仓库调出"), queryset=Store.objects.none())

    def __init__(self, *args: Any, sources: QuerySet[Store], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sources
        if len(sources) == 1:
            field.initial = sources[0]


class TransferForm(forms.Form):
    destination = forms.ModelChoiceField(label=_("调入仓库"), queryset=Store.objects.none())
    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.none())
    quantity = _quantity()
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(
        self, *args: Any, destinations: QuerySet[Store], items: QuerySet[Item], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        destination = self.fields["destination"]
        assert isinstance(destination, forms.ModelChoiceField)
        destination.queryset = destinations
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)
        item.queryset = items
