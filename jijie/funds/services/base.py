"""What the writes of funds share: the checks of text, days and the response; the
accounts held and their running figures moved with the posting appended."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import text
from jijie.funds.models import (
    Account,
    AccountKind,
    Closing,
    Fund,
    Holder,
    Posting,
    PostingKind,
)


def clean(value: str, field: str, label: str, limit: int, *, required: bool = False) -> str:
    return text.bounded(value, field=field, label=label, limit=limit, required=required)


def choice(value: str, values: list[str], field: str) -> None:
    if value not in values:
        raise ValidationError({field: _("“%(value)s”不是可选的值。") % {"value": value}})


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def in_force(fund: Fund) -> None:
    """Nothing is posted to a fund whose response has ended."""
    if not fund.response.is_active:
        raise ValidationError({"fund": _("应急响应已经结束,这笔资金不能再记账。")})


def holds(fund: Fund, holder: Holder, field: str = "holder") -> None:
    """A fund is held by holders in its area's subtree."""
    if not holder.area_path.startswith(fund.area_path):
        raise ValidationError({field: _("%(holder)s不在这笔资金的范围内。") % {"holder": holder}})


def day(on: date | None, at: datetime, field: str = "on") -> date:
    """A posting's day: given, and not after today."""
    if on is None:
        raise ValidationError({field: _("请填写日期。")})
    if on > timezone.localdate(at):
        raise ValidationError({field: _("日期不能晚于今天。")})
    return on


def area(path: str) -> Area:
    return Area(path=path)


def account(fund: Fund, holder: Holder | None, kind: str) -> Account:
    """The fund's account of that kind for the holder (the source has none), made the
    first time it is needed."""
    found, _created = Account.objects.get_or_create(
        fund=fund,
        holder=holder,
        kind=kind,
        defaults={"area_path": holder.area_path if holder else fund.area_path},
    )
    return found


def locked(*accounts: Account) -> list[Account]:
    """The accounts re-read and held until the transaction ends, in id order (so that
    two postings never wait on each other crosswise), returned in the order given."""
    ids = sorted({a.pk for a in accounts})
    rows = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return [rows[a.pk] for a in accounts]


def open_after_closing(accounts: list[Account], on: date, field: str = "on") -> None:
    """Refused when one of the accounts' books is closed through `on` or later."""
    last = Closing.objects.filter(account__in=accounts).aggregate(last=Max("through"))["last"]
    if last is not None and on <= last:
        raise ValidationError(
            {field: _("%(day)s 及以前的账已经结账,不能再记入。") % {"day": last.isoformat()}}
        )


def short(account: Account, amount: Decimal, field: str = "amount") -> None:
    """Refused, naming the balance, when the cash account holds less than `amount`."""
    if account.balance < amount:
        raise ValidationError(
            {
                field: _("余额不足:%(holder)s在这笔资金中的余额为 %(balance)s 元。")
                % {"holder": account.holder, "balance": f"{account.balance:,.2f}"}
            }
        )


# How a posting of each kind moves a holder's cash figures: (received, allocated, spent)
# for the debited and for the credited account. The balance moves by the amount, up on
# a debit and down on a credit.
_DEBIT = {
    PostingKind.DONATION: (1, 0, 0),
    PostingKind.INCOME: (1, 0, 0),
    PostingKind.ALLOCATION: (1, 0, 0),
    PostingKind.REFUND: (0, 0, -1),
}
_CREDIT = {
    PostingKind.ALLOCATION: (0, 1, 0),
    PostingKind.EXPENDITURE: (0, 0, 1),
    PostingKind.CANCELLATION: (-1, 0, 0),
}


def _apply(account: Account, amount: Decimal, moves: tuple[int, int, int], sign: int) -> None:
    account.balance += sign * amount
    if account.kind == AccountKind.CASH:
        account.received += moves[0] * amount
        account.allocated += moves[1] * amount
        account.spent += moves[2] * amount
    Account.objects.filter(pk=account.pk).update(
        balance=account.balance,
        received=account.received,
        allocated=account.allocated,
        spent=account.spent,
    )


def post(
    *,
    actor: Actor,
    fund: Fund,
    kind: str,
    debit: Account,
    credit: Account,
    amount: Decimal,
    on: date,
    at: datetime,
    summary: str,
    **details: Any,
) -> Posting:
    """Append a posting and move both (held) accounts' figures by it. The callers check
    that a cash account has the money; the database's checks are the last word."""
    _apply(debit, amount, _DEBIT.get(kind, (0, 0, 0)), 1)  # type: ignore[call-overload]
    _apply(credit, amount, _CREDIT.get(kind, (0, 0, 0)), -1)  # type: ignore[call-overload]
    return Posting.objects.create(
        response_id=fund.response_id,
        fund=fund,
        kind=kind,
        debit=debit,
        credit=credit,
        amount=amount,
        on=on,
        at=at,
        summary=summary,
        actor=account_of(actor),
        actor_label=actor.get_username(),
        **details,
    )


def audit(actor: Actor, target: Any, path: str, *, action: str, **data: Any) -> None:
    """An audit row with the figures as strings (money is never a float in JSON)."""
    audit_record(
        actor=actor,
        action=action,
        target=target,
        area=area(path),
        data={k: str(v) for k, v in data.items()},
    )
