"""Funds pages: the funds in sight with each holder's running figures, a holder's
statement (资金台账) with its Excel file and its closing, the forms that post (income,
allocation, expenditure with its voucher scan, purchase into a store, refund), donations
with their receipts and cancellations, a branch's contributions imported from a list,
and the public disclosure (捐赠公示), which needs no sign-in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.core import uploads
from jijie.core.forms import apply_errors
from jijie.funds import documents, exports, imports, selectors, services
from jijie.funds.forms import (
    AllocationForm,
    CancelForm,
    CloseForm,
    DonationForm,
    EntryForm,
    ExpenseForm,
    ImportForm,
    PurchaseForm,
    RefundForm,
)
from jijie.funds.models import (
    Account,
    AccountKind,
    Attachment,
    Donation,
    DonationState,
    Fund,
    Holder,
    Posting,
    PostingKind,
)
from jijie.responses.models import Response, ResponseStatus
from jijie.responses.selectors import in_force_over
from jijie.supplies import selectors as stores

PUBLIC_ROWS = 100
# The printed notice is drawn row by row (about a second a thousand rows); anyone may ask
# for it, so a period longer than this is asked to be printed in parts.
NOTICE_ROWS = 3000
STATEMENT_ROWS = 500


def _viewing(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.FUND_VIEW):
        raise PermissionDenied(_("您的角色不能查看资金。"))


def _account(request: HttpRequest, pk: int) -> Account:
    """A holder's cash account in the user's sight (404 otherwise)."""
    account = (
        Account.objects.filter(pk=pk, kind=AccountKind.CASH)
        .select_related("fund__response", "holder")
        .first()
    )
    if account is None or not access.may_path(request.user, Action.FUND_VIEW, account.area_path):
        raise Http404
    return account


def _holders(request: HttpRequest, action: Action) -> QuerySet[Holder]:
    return selectors.holders_for(request.user, action)


def _funds(request: HttpRequest) -> QuerySet[Fund]:
    return selectors.funds_for(request.user).filter(response__status=ResponseStatus.ACTIVE)


def _period(request: HttpRequest) -> tuple[date | None, date | None]:
    return (
        parse_date(request.GET.get("start", "") or ""),
        parse_date(request.GET.get("end", "") or ""),
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _viewing(request)
    funds = list(selectors.funds_for(request.user)[:50])
    context = {
        # Each fund with its holders in sight, and the fund's own totals for those who
        # answer for its whole area (a statement of the fund as the command reads it).
        "funds": [
            (
                fund,
                selectors.cash_accounts(fund, request.user),
                selectors.fund_totals(fund)
                if access.may_path(request.user, Action.FUND_VIEW, fund.area_path)
                else None,
            )
            for fund in funds
        ],
        "donations": selectors.donations_for(request.user)[:20],
        "may_keep": bool(access.scope_paths(request.user, Action.FUND_KEEP)),
        "may_manage": bool(access.scope_paths(request.user, Action.FUND_MANAGE)),
        "responses": sorted({fund.response for fund in funds}, key=lambda r: -r.pk),
    }
    return render(request, "funds/index.html", context)


@login_required
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    start, end = _period(request)
    found = selectors.statement(account, start, end)
    may_keep = access.may_path(request.user, Action.FUND_KEEP, account.area_path)
    context = {
        "account": account,
        "statement": found,
        "lines": found.lines[-STATEMENT_ROWS:],
        "cut": max(0, len(found.lines) - STATEMENT_ROWS),
        "start": start,
        "end": end,
        "may_keep": may_keep,
        "close_form": CloseForm(initial={"through": timezone.localdate()}) if may_keep else None,
    }
    return render(request, "funds/statement.html", context)


@login_required
def statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    account = _account(request, pk)
    start, end = _period(request)
    try:
        handle = exports.statement_file(actor=actor(request), account=account, start=start, end=end)
    except exports.StatementTooLargeError as error:
        messages.error(request, str(error))
        return redirect("funds:statement", account.pk)
    return FileResponse(handle, as_attachment=True, filename=f"funds-statement-{account.pk}.xlsx")


@require_POST
@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            assert account.holder is not None
            services.close(
                actor=actor(request), fund=account.fund, holder=account.holder,
                through=form.cleaned_data["through"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已结账。"))
    else:
        messages.error(request, _("请填写结账截止日。"))
    return redirect("funds:statement", account.pk)


def _posting_form(
    request: HttpRequest, form_class: type[EntryForm], title: str, action: Action, **extra: Any
) -> tuple[EntryForm, dict[str, Any]]:
    """The posting form, its holders those the user may do `action` for (manage: money
    received and allocated; keep: spent)."""
    holders = _holders(request, action)
    if not holders.exists():
        raise PermissionDenied(_("您的角色不能在这里记账。"))
    initial: dict[str, object] = {"on": timezone.localdate()}
    for name in ("fund", "holder"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = form_class(
        request.POST or None,
        request.FILES or None,
        funds=_funds(request),
        holders=holders,
        initial=initial,
        **extra,
    )
    return form, {"form": form, "title": title}


def _entry(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("amount", "on", "summary", "voucher")}


@login_required
def income_new(request: HttpRequest) -> HttpResponse:
    form, context = _posting_form(request, EntryForm, _("收到拨款"), Action.FUND_MANAGE)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            posting = services.income_receive(
                actor=actor(request), fund=data["fund"], holder=data["holder"],
                entry=services.Entry(**_entry(data)),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已入账。"))
            return redirect("funds:statement", posting.debit_id)
    return render(request, "funds/form.html", context)


@login_required
def allocate_new(request: HttpRequest) -> HttpResponse:
    receivers = selectors.holders_for(request.user, Action.FUND_MANAGE)
    form, context = _posting_form(
        request, AllocationForm, _("下拨资金"), Action.FUND_MANAGE, receivers=receivers
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            posting = services.allocate(
                actor=actor(request), fund=data["fund"], holder=data["holder"], to=data["to"],
                entry=services.Entry(**_entry(data)),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已下拨。"))
            return redirect("funds:statement", posting.credit_id)
    return render(request, "funds/form.html", context)


def _scan(request: HttpRequest) -> services.Scan | None:
    return uploads.from_request(request.FILES, "scan", label=_("凭证附件"))


@login_required
def expense_new(request: HttpRequest) -> HttpResponse:
    form, context = _posting_form(request, ExpenseForm, _("登记支出"), Action.FUND_KEEP)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            posting = services.expend(
                actor=actor(request), fund=data["fund"], holder=data["holder"],
                expense=services.Expense(
                    **_entry(data), payee=data["payee"], scan=_scan(request)
                ),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记支出。"))
            return redirect("funds:statement", posting.credit_id)
    return render(request, "funds/form.html", context)


@login_required
def purchase_new(request: HttpRequest) -> HttpResponse:
    kept = stores.store_list(actor=request.user, action=Action.SUPPLY_KEEP)
    form, context = _posting_form(
        request, PurchaseForm, _("采购入库"), Action.FUND_KEEP, stores=kept
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            posting = services.purchase(
                actor=actor(request), fund=data["fund"], holder=data["holder"],
                purchase=services.Purchase(
                    **_entry(data), payee=data["payee"], scan=_scan(request),
                    store=data["store"], item=data["item"], quantity=data["quantity"],
                    expires_on=data["expires_on"],
                ),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记采购,物资已入库。"))
            return redirect("funds:statement", posting.credit_id)
    return render(request, "funds/form.html", context)


def _expenditure(request: HttpRequest, pk: int) -> Posting:
    posting = get_object_or_404(
        Posting.objects.select_related("credit", "fund__response"),
        pk=pk,
        kind=PostingKind.EXPENDITURE,
    )
    if not access.may_path(request.user, Action.FUND_VIEW, posting.credit.area_path):
        raise Http404
    return posting


@login_required
def refund_new(request: HttpRequest, pk: int) -> HttpResponse:
    expenditure = _expenditure(request, pk)
    access.require_path(request.user, Action.FUND_KEEP, expenditure.credit.area_path)
    form = RefundForm(
        request.POST or None,
        initial={"on": timezone.localdate(), "amount": services.refundable(expenditure)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.refund(
                actor=actor(request), expenditure=expenditure,
                entry=services.Entry(**_entry(form.cleaned_data)),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记退回。"))
            return redirect("funds:statement", expenditure.credit_id)
    title = _("退回:%(summary)s") % {"summary": expenditure.summary}
    return render(request, "funds/form.html", {"form": form, "title": title})


@login_required
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    """A voucher's scan, to those who may read the books it is in."""
    expenditure = _expenditure(request, pk)
    attachment = get_object_or_404(Attachment, posting=expenditure)
    return uploads.inline(attachment.content, attachment.content_type, f"voucher-{expenditure.pk}")


# Donations ------------------------------------------------------------------------------


def _donation(request: HttpRequest, pk: int) -> Donation:
    donation = get_object_or_404(
        Donation.objects.select_related("holder", "fund", "response"), pk=pk
    )
    if not access.may_path(request.user, Action.FUND_VIEW, donation.area_path):
        raise Http404
    return donation


@login_required
def donations(request: HttpRequest) -> HttpResponse:
    _viewing(request)
    page = Paginator(selectors.donations_for(request.user), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "may_keep": bool(access.scope_paths(request.user, Action.FUND_KEEP)),
    }
    return render(request, "funds/donations.html", context)


@login_required
def donation_new(request: HttpRequest) -> HttpResponse:
    holders = _holders(request, Action.FUND_KEEP)
    if not holders.exists():
        raise PermissionDenied(_("您的角色不能登记捐赠。"))
    form = DonationForm(
        request.POST or None,
        funds=_funds(request),
        holders=holders,
        stores=stores.store_list(actor=request.user, action=Action.SUPPLY_KEEP),
        initial={"received_on": timezone.localdate(), "donor_kind": "person"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = data["holder"]
        response = in_force_over([holder.area_path]).first()
        goods = []
        if data["item"] is not None or data["quantity"]:
            if data["item"] is None:
                form.add_error("item", _("请选择捐赠的物资。"))
            else:
                goods = [services.Goods(item=data["item"], quantity=data["quantity"])]
        if response is None:
            form.add_error(None, _("这里没有进行中的应急响应,不能登记捐赠。"))
        if form.errors:
            return render(request, "funds/form.html", {"form": form, "title": _("登记捐赠")})
        assert response is not None
        try:
            donation = services.donation_record(
                actor=actor(request), response=response, holder=holder,
                data=services.DonationData(
                    donor_kind=data["donor_kind"], donor=data["donor"],
                    disclose=not data["anonymous"], received_on=data["received_on"],
                    amount=data["amount"] or None, fund=data["fund"], goods=goods,
                    store=data["store"], note=data["note"],
                ),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记,收据号 %(no)s。") % {"no": donation.receipt_no})
            return redirect("funds:donation", donation.pk)
    return render(request, "funds/form.html", {"form": form, "title": _("登记捐赠")})


@login_required
def donation(request: HttpRequest, pk: int) -> HttpResponse:
    found = _donation(request, pk)
    may_keep = access.may_path(request.user, Action.FUND_KEEP, found.area_path)
    context = {
        "donation": found,
        "contributions": found.contributions.order_by("row")[:1000],
        "cancel_form": CancelForm() if may_keep and found.state == DonationState.VALID else None,
    }
    return render(request, "funds/donation.html", context)


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    found = _donation(request, pk)
    response = HttpResponse(documents.receipt_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{found.receipt_no}.pdf"'
    return response


@require_POST
@login_required
def donation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = _donation(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.donation_cancel(
                actor=actor(request), donation=found, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("收据已作废,号码保留。"))
    else:
        messages.error(request, _("请填写作废原因。"))
    return redirect("funds:donation", found.pk)


@login_required
def contributions_import(request: HttpRequest) -> HttpResponse:
    holders = _holders(request, Action.FUND_KEEP)
    if not holders.exists():
        raise PermissionDenied(_("您的角色不能登记捐赠。"))
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        funds=_funds(request),
        holders=holders,
        initial={"received_on": timezone.localdate(), "disclose": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = data["holder"]
        upload = data["file"]
        try:
            imports.check_size(upload.size)
            donation = imports.contributions_import(
                actor=actor(request), response=data["fund"].response, holder=holder,
                fund=data["fund"], branch=data["branch"], received_on=data["received_on"],
                disclose=data["disclose"], data=upload.read(),
            )  # fmt: skip
        except imports.RefusedFile as refused:
            form.add_error("file", str(refused))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已导入,收据号 %(no)s。") % {"no": donation.receipt_no})
            return redirect("funds:donation", donation.pk)
    return render(request, "funds/form.html", {"form": form, "title": _("导入党员捐款名单")})


# The public disclosure ------------------------------------------------------------------


def _public_response(pk: int) -> Response:
    return get_object_or_404(Response, pk=pk)


def disclosure(request: HttpRequest, pk: int) -> HttpResponse:
    """The donations of a response, as the public may read them: no sign-in."""
    response = _public_response(pk)
    start, end = _period(request)
    listed = selectors.public_donations(response, start, end).order_by("-received_on", "-id")
    summary = selectors.disclosure(response, start, end)
    paginator = Paginator(
        listed.only("received_on", "receipt_no", "donor", "disclose", "amount", "goods"),
        PUBLIC_ROWS,
    )
    paginator.count = summary.count  # counted with the totals: not counted again
    context = {
        "response": response,
        "start": start,
        "end": end,
        "page": paginator.get_page(request.GET.get("page")),
        "summary": summary,
    }
    return render(request, "funds/disclosure.html", context)


def disclosure_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    response = _public_response(pk)
    start, end = _period(request)
    summary = selectors.disclosure(response, start, end)
    if summary.count > NOTICE_ROWS:
        raise BadRequest(
            _(
                "这一时段有 %(n)s 笔捐赠,超过一份公示可打印的 %(limit)s 笔,请选择较短的时段分批打印。"
            )
            % {"n": summary.count, "limit": NOTICE_ROWS}
        )
    listed = selectors.public_donations(response, start, end).order_by("received_on", "id")
    pdf = documents.notice_pdf(response, start, end, listed, summary)
    reply = HttpResponse(pdf, content_type="application/pdf")
    reply["Content-Disposition"] = f'inline; filename="donations-{response.pk}.pdf"'
    return reply
