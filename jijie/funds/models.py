"""Funds: the money a response raises and spends, as a double-entry ledger in yuan to the
cent.

A fund (`Fund`: the party fees allocated to the front line, the donations, a budget)
belongs to a response. Holders (`Holder`: the command or a committee, an agency, a
street, a community) hold its money; each holder of a fund has a cash account whose
running figures are kept with every posting — received (donations and allocations in),
allocated (passed on to other holders), spent (expenditures less refunds) and the
balance — and the database checks `received = allocated + spent + balance` on every
row, with the balance never below zero. Money enters a fund from its source account
(the donors, the party-fee purse) and leaves into a holder's spending account; the
three kinds' balances sum to zero in every fund (`selectors.trial_balance`).

Every `Posting` moves an amount from one account (credit) to another (debit) and is
never changed or deleted: a mistake is corrected by another posting (a refund, a
donation's cancellation). Amounts are `MoneyField`s: whole cents in the database,
`Decimal` in Python, never a float.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.core.models import BytewiseCharField, MoneyField
from jijie.responses.models import Response


class FundKind(models.TextChoices):
    PARTY_FEE = "party_fee", _("党费")
    DONATION = "donation", _("捐款")
    BUDGET = "budget", _("财政资金")
    OTHER = "other", _("其他")


class Fund(models.Model):
    """Money raised for a response, kept apart from other money: its own books."""

    response = models.ForeignKey(
        Response, verbose_name=_("应急响应"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类别"), max_length=12, choices=FundKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("资金")
        verbose_name_plural = _("资金")
        constraints = [
            models.UniqueConstraint(fields=["response", "name"], name="funds_fund_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class HolderKind(models.TextChoices):
    COMMITTEE = "committee", _("指挥部/工委")
    UNIT = "unit", _("机关单位")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    OTHER = "other", _("其他")


class Holder(models.Model):
    """Who holds and spends money at an area: kept across responses, as stores are."""

    area = models.ForeignKey(
        Area, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类别"), max_length=12, choices=HolderKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("资金使用单位")
        verbose_name_plural = _("资金使用单位")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="funds_holder_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AccountKind(models.TextChoices):
    SOURCE = "source", _("资金来源")
    CASH = "cash", _("结存")
    SPENT = "spent", _("支出")


class Account(models.Model):
    """One account of a fund's books: its source (no holder), or a holder's cash or
    spending. `balance` is debits less credits; a cash account also keeps what came
    in, what was passed on and what was spent, which always add up to it."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts")
    holder = models.ForeignKey(
        Holder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=AccountKind.choices)
    area_path = BytewiseCharField(max_length=255, db_index=True)  # the holder's (the fund's)
    received: MoneyField[Decimal, Decimal] = MoneyField(_("收入"), default=0)
    allocated: MoneyField[Decimal, Decimal] = MoneyField(_("下拨"), default=0)
    spent: MoneyField[Decimal, Decimal] = MoneyField(_("支出"), default=0)
    balance: MoneyField[Decimal, Decimal] = MoneyField(_("余额"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        constraints = [
            models.UniqueConstraint(fields=["fund", "holder", "kind"], name="funds_account_unique"),
            models.UniqueConstraint(
                fields=["fund"], condition=Q(kind="source"), name="funds_account_one_source"
            ),
            models.CheckConstraint(
                condition=Q(kind="source", holder__isnull=True)
                | (~Q(kind="source") & Q(holder__isnull=False)),
                name="funds_account_holder",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cash")
                | Q(
                    balance__gte=0,
                    received__gte=0,
                    allocated__gte=0,
                    spent__gte=0,
                    received=F("allocated") + F("spent") + F("balance"),
                ),
                name="funds_account_cash_reconciles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id}:{self.holder_id}:{self.kind}={self.balance}"


class PostingKind(models.TextChoices):
    DONATION = "donation", _("收到捐款")
    INCOME = "income", _("收到拨款")  # party fees or a budget received from outside
    ALLOCATION = "allocation", _("下拨")
    EXPENDITURE = "expenditure", _("支出")
    REFUND = "refund", _("退回")
    CANCELLATION = "cancellation", _("冲销")


class AppendOnlyError(Exception):
    """A posting is written once and never changed: correct it with another."""


class Posting(models.Model):
    """One line of a fund's journal: `amount` moved from the `credit` account to the
    `debit` account, on a day, with its voucher and summary."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=PostingKind.choices)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount: MoneyField[Decimal, Decimal] = MoneyField(_("金额"))
    on = models.DateField(_("日期"))
    voucher = models.CharField(_("凭证号"), max_length=40, blank=True)
    summary = models.CharField(_("摘要"), max_length=200)
    payee = models.CharField(_("收款方"), max_length=100, blank=True)
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    # Supplies bought by an expenditure (a purchase): the receipt's movement id, kept
    # as a plain reference so that the funds' books do not depend on the stock's tables.
    supplies_movement_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("登记时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        indexes = [
            models.Index(fields=["debit", "on", "id"], name="funds_posting_debit_on"),
            models.Index(fields=["credit", "on", "id"], name="funds_posting_credit_on"),
            models.Index(fields=["fund", "on", "id"], name="funds_posting_fund_on"),
            # Where a fund's money went (the public notice): allocations, spending and
            # refunds read by kind without walking every donation's posting.
            models.Index(fields=["fund", "kind", "on"], name="funds_posting_fund_kind_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_posting_positive"),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="funds_posting_two_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError(self.pk)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.pk)


class Attachment(models.Model):
    """A voucher's scan (a photo or a PDF of the receipt), kept in the database beside
    its posting: it is served only to those who may read the books, never from a public
    folder."""

    posting = models.OneToOneField(Posting, on_delete=models.PROTECT, related_name="attachment")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("凭证附件")
        verbose_name_plural = _("凭证附件")

    def __str__(self) -> str:
        return self.name


class DonorKind(models.TextChoices):
    ORGANISATION = "organisation", _("党组织")
    BRANCH_MEMBERS = "branch_members", _("支部党员")
    COMPANY = "company", _("企业")
    PERSON = "person", _("个人")
    OTHER = "other", _("其他")


class DonationState(models.TextChoices):
    VALID = "valid", _("有效")
    CANCELLED = "cancelled", _("已作废")


class ReceiptSequence(models.Model):
    """The last receipt number a holder gave in a year: held while the next is taken,
    so numbers go up one by one and none is given twice, not even after a
    cancellation (the cancelled receipt keeps its number)."""

    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["holder", "year"], name="funds_receipt_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_id}/{self.year}: {self.last}"


class Donation(models.Model):
    """A gift received, in money (posted to the fund) or in kind (put into a store), with
    its numbered receipt. The donor's name is shown in public only when they agreed
    (`disclose`); otherwise the disclosure reads 爱心人士."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(
        Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        Holder, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = BytewiseCharField(max_length=255, db_index=True)  # the holder's
    donor_kind = models.CharField(_("捐赠方类别"), max_length=16, choices=DonorKind.choices)
    donor = models.CharField(_("捐赠方"), max_length=100, blank=True)
    disclose = models.BooleanField(_("同意公示姓名"), default=True)
    amount: MoneyField[Decimal | None, Decimal | None] = MoneyField(
        _("金额"), null=True, blank=True
    )
    goods = models.CharField(_("捐赠物资"), max_length=200, blank=True)  # as the receipt reads
    received_on = models.DateField(_("捐赠日期"))
    receipt_no = models.CharField(_("收据号"), max_length=20)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    posting = models.OneToOneField(
        Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="donation"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=DonationState.choices, default=DonationState.VALID
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    cancellation = models.OneToOneField(
        Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="cancelled"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        indexes = [
            models.Index(
                fields=["response", "state", "received_on", "id"],
                name="funds_donation_public",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "receipt_no"], name="funds_donation_receipt_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True, posting__isnull=True, fund__isnull=True)
                | Q(amount__gt=0, posting__isnull=False, fund__isnull=False),
                name="funds_donation_money_posted",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | ~Q(goods=""),
                name="funds_donation_something",
            ),
            models.CheckConstraint(
                condition=Q(state="valid", cancelled_at__isnull=True)
                | Q(state="cancelled", cancelled_at__isnull=False),
                name="funds_donation_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def public_donor(self) -> str:
        """The donor as the public may read it."""
        return self.donor if self.disclose and self.donor else str(_("爱心人士"))


class Contribution(models.Model):
    """One member's part of a branch's collective donation (imported from the branch's
    list): who and how much, as the list gave it."""

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="contributions")
    row = models.PositiveIntegerField()
    name = models.CharField(_("姓名"), max_length=40)
    amount: MoneyField[Decimal, Decimal] = MoneyField(_("金额"))

    class Meta:
        verbose_name = _("党员捐款明细")
        verbose_name_plural = _("党员捐款明细")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_contribution_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class Closing(models.Model):
    """A holder's books of a fund closed through a day: nothing may be posted on or
    before it afterwards; the statement up to it is final, its balance carried."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="closings")
    through = models.DateField(_("结账截止日"))
    balance: MoneyField[Decimal, Decimal] = MoneyField(_("期末余额"))
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("结账")
        verbose_name_plural = _("结账")
        constraints = [
            models.UniqueConstraint(fields=["account", "through"], name="funds_closing_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} ≤ {self.through}"
