"""Forms of the funds pages. Funds, holders, items and stores are picked from lists of
what the user may act on; amounts are typed as text and read by the service
(`jijie.core.decimals.money`), which names the field and the reason of a bad one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jijie.core import forms
from jijie.core.forms import DateInput
from jijie.funds.models import DonorKind, Fund, Holder
from jijie.supplies.models import Item, Store


def _amount(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("金额(元)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class _Picks(forms.Form):
    """A form whose fund and holder are picked from what the user may post to."""

    fund = forms.ModelChoiceField(label=_("资金"), queryset=Fund.objects.none())
    holder = forms.ModelChoiceField(label=_("记账单位"), queryset=Holder.objects.none())

    def __init__(
        self, *args: Any, funds: QuerySet[Fund], holders: QuerySet[Holder], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds  # type: ignore[attr-defined]
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]


class EntryForm(_Picks):
    amount = _amount()
    on = forms.DateField(label=_("日期"), widget=DateInput())
    voucher = forms.CharField(label=_("凭证号"), max_length=40, required=False)
    summary = forms.CharField(label=_("摘要"), max_length=200)


class AllocationForm(EntryForm):
    to = forms.ModelChoiceField(label=_("拨给"), queryset=Holder.objects.none())

    field_order = ["fund", "holder", "to", "amount", "on", "voucher", "summary"]

    def __init__(self, *args: Any, receivers: QuerySet[Holder], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = receivers  # type: ignore[attr-defined]


class ExpenseForm(EntryForm):
    payee = forms.CharField(label=_("收款方"), max_length=100)
    scan = forms.FileField(
        label=_("凭证附件"),
        required=False,
        help_text=_("发票或收据的照片(JPEG、PNG)或 PDF,不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class PurchaseForm(ExpenseForm):
    store = forms.ModelChoiceField(label=_("入库仓库"), queryset=Store.objects.none())
    item = forms.ModelChoiceField(
        label=_("物资"), queryset=Item.objects.order_by("category", "name")
    )
    quantity = forms.CharField(
        label=_("数量"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=DateInput())

    def __init__(self, *args: Any, stores: QuerySet[Store], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores  # type: ignore[attr-defined]


class RefundForm(forms.Form):
    amount = _amount(_("退回金额(元)"))
    on = forms.DateField(label=_("日期"), widget=DateInput())
    voucher = forms.CharField(label=_("凭证号"), max_length=40, required=False)
    summary = forms.CharField(label=_("摘要"), max_length=200)


class DonationForm(forms.Form):
    holder = forms.ModelChoiceField(label=_("接收单位"), queryset=Holder.objects.none())
    donor_kind = forms.ChoiceField(label=_("捐赠方类别"), choices=DonorKind.choices)
    donor = forms.CharField(label=_("捐赠方"), max_length=100, required=False)
    anonymous = forms.BooleanField(
        label=_("不公示姓名"),
        required=False,
        help_text=_("捐赠人不愿留名的,公示时显示为“爱心人士”。"),
    )
    received_on = forms.DateField(label=_("捐赠日期"), widget=DateInput())
    fund = forms.ModelChoiceField(label=_("捐款记入"), queryset=Fund.objects.none(), required=False)
    amount = _amount(_("捐款金额(元)"))
    item = forms.ModelChoiceField(
        label=_("捐赠物资"),
        queryset=Item.objects.order_by("category", "name"),
        required=False,
    )
    quantity = forms.CharField(
        label=_("物资数量"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    store = forms.ModelChoiceField(
        label=_("物资入库仓库"), queryset=Store.objects.none(), required=False
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        funds: QuerySet[Fund],
        holders: QuerySet[Holder],
        stores: QuerySet[Store],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds  # type: ignore[attr-defined]
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]
        self.fields["store"].queryset = stores  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class CloseForm(forms.Form):
    through = forms.DateField(label=_("结账截止日"), widget=DateInput())


class ImportForm(forms.Form):
    holder = forms.ModelChoiceField(label=_("接收单位"), queryset=Holder.objects.none())
    fund = forms.ModelChoiceField(label=_("捐款记入"), queryset=Fund.objects.none())
    branch = forms.CharField(label=_("党组织名称"), max_length=100)
    received_on = forms.DateField(label=_("捐赠日期"), widget=DateInput())
    disclose = forms.BooleanField(label=_("公示党组织名称"), required=False, initial=True)
    file = forms.FileField(label=_("党员捐款名单(.xlsx、.xls 或 .csv)"))

    def __init__(
        self, *args: Any, funds: QuerySet[Fund], holders: QuerySet[Holder], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds  # type: ignore[attr-defined]
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]
