"""`/api/funds/...`: the books as other systems read them (the command's dashboard, a
district's finance office): the funds in sight, each holder's running figures, and the
donations with their receipts. Money is a string with two places ("1351824.99"), never
a JSON number, which a reader would take as a float. Read only: money is posted on the
pages, where the voucher is seen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core.pagination import paginated
from jijie.funds import selectors
from jijie.funds.models import Account, Donation, Fund

router = Router(tags=["funds"])


def _viewing(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.FUND_VIEW):
        raise PermissionDenied(_("您的角色不能查看资金。"))


class FundOut(Schema):
    id: int
    name: str
    kind: str
    response_id: int
    response: str


class AccountOut(Schema):
    holder_id: int
    holder: str
    received: str
    allocated: str
    spent: str
    balance: str


class DonationOut(Schema):
    id: int
    receipt_no: str
    received_on: date
    donor_kind: str
    donor: str
    disclose: bool
    amount: str | None
    goods: str
    holder: str
    state: str

    @staticmethod
    def resolve_amount(donation: Donation) -> str | None:
        return _money(donation.amount)

    @staticmethod
    def resolve_holder(donation: Donation) -> str:
        return donation.holder.name


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@router.get("/funds", response=list[FundOut], summary="Funds in scope")
def fund_list(request: HttpRequest) -> list[FundOut]:
    _viewing(request)
    return [
        FundOut(
            id=f.pk, name=f.name, kind=f.kind, response_id=f.response_id, response=f.response.name
        )
        for f in selectors.funds_for(request.user)[:200]
    ]


def _fund(request: HttpRequest, pk: int) -> Fund:
    _viewing(request)
    found = selectors.funds_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.get(
    "/funds/{pk}/accounts",
    response=list[AccountOut],
    summary="A fund's holders in scope, with their running figures",
)
def account_list(request: HttpRequest, pk: int) -> list[AccountOut]:
    fund = _fund(request, pk)
    return [_account_out(a) for a in selectors.cash_accounts(fund, request.user)]


def _account_out(account: Account) -> AccountOut:
    assert account.holder is not None
    return AccountOut(
        holder_id=account.holder_id or 0,
        holder=account.holder.name,
        received=f"{account.received:.2f}",
        allocated=f"{account.allocated:.2f}",
        spent=f"{account.spent:.2f}",
        balance=f"{account.balance:.2f}",
    )


@router.get("/donations", response=list[DonationOut], summary="Donations in scope")
@paginated
def donation_list(request: HttpRequest) -> QuerySet[Donation]:
    _viewing(request)
    return selectors.donations_for(request.user)
