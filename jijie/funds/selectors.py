"""Reads of funds: the funds and holders in sight, each holder's running figures, a
statement (资金台账) with its running balance, the books' own checks (every fund's
accounts sum to zero; every account's balance is the sum of its postings), and the
public disclosure of donations.

Scoping is by area path, as everywhere: what a user sees is what their roles' subtrees
hold (`access.path_filter`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.funds.models import (
    Account,
    AccountKind,
    Closing,
    Donation,
    DonationState,
    DonorKind,
    Fund,
    Holder,
    Posting,
    PostingKind,
)
from jijie.responses.models import Response

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User

ZERO = Decimal("0.00")


def funds_for(user: User | AnonymousUser, action: Action = Action.FUND_VIEW) -> QuerySet[Fund]:
    """Funds over or under the user's areas: a district's fund is a street's too, which
    receives, holds and spends part of it."""
    paths = access.scope_paths(user, action)
    if not paths:
        return Fund.objects.none()
    step = Area.steplen
    above = {path[:end] for path in paths for end in range(step, len(path) + 1, step)}
    return (
        Fund.objects.filter(
            Q(area_path__in=above) | access.path_filter(user, action, path_field="area_path")
        )
        .select_related("response")
        .order_by("-response__started_at", "name")
    )


def holders_for(user: User | AnonymousUser, action: Action = Action.FUND_VIEW) -> QuerySet[Holder]:
    return Holder.objects.filter(access.path_filter(user, action, path_field="area_path")).order_by(
        "area_path", "name"
    )


def cash_accounts(fund: Fund, user: User | AnonymousUser) -> list[Account]:
    """The fund's holders in the user's sight with their running figures."""
    return list(
        Account.objects.filter(
            access.path_filter(user, Action.FUND_VIEW, path_field="area_path"),
            fund=fund,
            kind=AccountKind.CASH,
        )
        .select_related("holder")
        .order_by("area_path", "holder__name")
    )


@dataclass
class Totals:
    received: Decimal
    allocated: Decimal
    spent: Decimal
    balance: Decimal


def fund_totals(fund: Fund) -> Totals:
    """The fund as a whole: received from outside (its source's balance turned round),
    spent (all spending accounts) and held (all cash). Allocations between holders are
    inside the fund: they move money, they do not receive or spend it."""
    sums = dict(
        Account.objects.filter(fund=fund)
        .values_list("kind")
        .annotate(total=Sum("balance"))
        .values_list("kind", "total")
    )
    allocated = Account.objects.filter(fund=fund, kind=AccountKind.CASH).aggregate(
        total=Sum("allocated")
    )["total"]
    return Totals(
        received=-(sums.get(AccountKind.SOURCE) or ZERO),
        allocated=allocated or ZERO,
        spent=sums.get(AccountKind.SPENT) or ZERO,
        balance=sums.get(AccountKind.CASH) or ZERO,
    )


@dataclass
class Line:
    """One line of a statement as the paper 资金台账 reads it."""

    posting: Posting
    income: Decimal | None
    expenditure: Decimal | None
    balance: Decimal


@dataclass
class Statement:
    account: Account
    opening: Decimal
    lines: list[Line]
    income: Decimal
    expenditure: Decimal
    closing: Decimal
    closed_through: date | None


def statement(account: Account, start: date | None = None, end: date | None = None) -> Statement:
    """A holder's cash account over a period: the balance brought forward, each posting
    with what came in or went out and the balance after it, the period's totals."""
    postings = Posting.objects.filter(Q(debit=account) | Q(credit=account))
    before = Decimal(0)
    if start is not None:
        earlier = postings.filter(on__lt=start).aggregate(
            debits=Sum("amount", filter=Q(debit=account)),
            credits=Sum("amount", filter=Q(credit=account)),
        )
        before = (earlier["debits"] or ZERO) - (earlier["credits"] or ZERO)
        postings = postings.filter(on__gte=start)
    if end is not None:
        postings = postings.filter(on__lte=end)
    lines = []
    running = before
    income = expenditure = ZERO
    for posting in postings.order_by("on", "id"):
        if posting.debit_id == account.pk:
            running += posting.amount
            income += posting.amount
            lines.append(Line(posting, posting.amount, None, running))
        else:
            running -= posting.amount
            expenditure += posting.amount
            lines.append(Line(posting, None, posting.amount, running))
    last = Closing.objects.filter(account=account).order_by("-through").first()
    return Statement(
        account=account,
        opening=before,
        lines=lines,
        income=income,
        expenditure=expenditure,
        closing=running,
        closed_through=last.through if last else None,
    )


def trial_balance(fund: Fund) -> Decimal:
    """The sum of every account of the fund: zero in books that balance."""
    return Account.objects.filter(fund=fund).aggregate(total=Sum("balance"))["total"] or ZERO


def ledger_disagreements() -> list[tuple[int, Decimal, Decimal]]:
    """Accounts whose kept balance is not the sum of their postings, or whose cash
    figures do not add up: [(account id, kept, summed)]. Empty in healthy books."""
    debits = dict(
        Posting.objects.values_list("debit").annotate(s=Sum("amount")).values_list("debit", "s")
    )
    credits = dict(
        Posting.objects.values_list("credit").annotate(s=Sum("amount")).values_list("credit", "s")
    )
    wrong = []
    for account in Account.objects.order_by("pk"):
        summed = (debits.get(account.pk) or ZERO) - (credits.get(account.pk) or ZERO)
        adds_up = account.kind != AccountKind.CASH or (
            account.received == account.allocated + account.spent + account.balance
        )
        if summed != account.balance or not adds_up:
            wrong.append((account.pk, account.balance, summed))
    return wrong


# Donations -------------------------------------------------------------------------------


def donations_for(user: User | AnonymousUser) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(access.path_filter(user, Action.FUND_VIEW, path_field="area_path"))
        .select_related("holder", "fund")
        .order_by("-received_on", "-id")
    )


def public_donations(
    response: Response, start: date | None, end: date | None
) -> QuerySet[Donation]:
    """The valid donations of a response in a period, as the public notice lists them."""
    found = Donation.objects.filter(response=response, state=DonationState.VALID)
    if start is not None:
        found = found.filter(received_on__gte=start)
    if end is not None:
        found = found.filter(received_on__lte=end)
    return found


@dataclass
class Disclosure:
    count: int
    money: Decimal
    money_count: int
    in_kind_count: int
    by_kind: list[tuple[str, int, Decimal]]  # (donor kind's label, donations, money)
    spent: list[tuple[str, Decimal]]  # (holder, spent net of refunds) of donated money
    allocated: list[tuple[str, str, Decimal]]  # (from, to, amount)


def disclosure(response: Response, start: date | None, end: date | None) -> Disclosure:
    """The totals of a response's donations in a period and where the donated money
    went: passed down to whom, spent by whom (net of refunds), over the same period."""
    donations = public_donations(response, start, end)
    # One pass over the donations gives the count, the totals and the by-kind lines.
    labels = dict(DonorKind.choices)
    rows = list(
        donations.values_list("donor_kind")
        .annotate(
            n=Count("id"),
            money=Sum("amount"),
            money_n=Count("amount"),
            in_kind=Count("id", filter=~Q(goods="")),
        )
        .values_list("donor_kind", "n", "money", "money_n", "in_kind")
        .order_by()
    )
    by_kind = sorted(
        ((str(labels.get(kind, kind)), n, money or ZERO) for kind, n, money, _m, _k in rows),
        key=lambda line: -line[2],
    )
    postings = Posting.objects.filter(response=response, fund__kind="donation")
    if start is not None:
        postings = postings.filter(on__gte=start)
    if end is not None:
        postings = postings.filter(on__lte=end)
    spent: dict[str, Decimal] = {}
    for name, total in (
        postings.filter(kind=PostingKind.EXPENDITURE)
        .values_list("credit__holder__name")
        .annotate(total=Sum("amount"))
        .values_list("credit__holder__name", "total")
    ):
        spent[name] = spent.get(name, ZERO) + total
    for name, total in (
        postings.filter(kind=PostingKind.REFUND)
        .values_list("debit__holder__name")
        .annotate(total=Sum("amount"))
        .values_list("debit__holder__name", "total")
    ):
        spent[name] = spent.get(name, ZERO) - total
    allocated = list(
        postings.filter(kind=PostingKind.ALLOCATION)
        .values_list("credit__holder__name", "debit__holder__name")
        .annotate(total=Sum("amount"))
        .values_list("credit__holder__name", "debit__holder__name", "total")
        .order_by("credit__holder__name", "debit__holder__name")
    )
    return Disclosure(
        count=sum(row[1] for row in rows),
        money=sum((row[2] or ZERO for row in rows), ZERO),
        money_count=sum(row[3] for row in rows),
        in_kind_count=sum(row[4] for row in rows),
        by_kind=by_kind,
        spent=sorted(spent.items()),
        allocated=allocated,
    )
