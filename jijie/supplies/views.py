"""Supplies pages: the stores in sight with what is short under them, a store's stock,
what is on its way to it and its ledger; receiving, issuing, confirming a transfer's
receipt; asking the level above, and the requests a level has to decide and send."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.core.forms import apply_errors
from jijie.mobilization import selectors as members
from jijie.mobilization.models import Member
from jijie.residents import selectors as registry
from jijie.residents.models import Household
from jijie.responses.models import Response
from jijie.responses.selectors import in_force_over
from jijie.supplies import exports, labels, selectors, services
from jijie.supplies.forms import FulfilForm, IssueForm, ReceiveForm, RequestForm, TransferForm
from jijie.supplies.models import Item, RecipientKind, Store, SupplyRequest

LEDGER_ROWS = 100


def _store(request: HttpRequest, pk: int) -> Store:
    store = selectors.store_for(actor=request.user, pk=pk)
    if store is None:
        raise Http404
    return store


def _keeping(request: HttpRequest, pk: int) -> tuple[Store, Response]:
    """A store the user keeps, and the response in force over it (404 out of sight, 403
    when the role only reads; without a response in force nothing is recorded)."""
    store = _store(request, pk)
    access.require_path(request.user, Action.SUPPLY_KEEP, store.area_path)
    response = in_force_over([store.area_path]).first()
    if response is None:
        raise PermissionDenied(_("这里没有进行中的应急响应,不能登记出入库。"))
    return store, response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    roots = access.scope_roots(request.user, Action.SUPPLY_VIEW)
    if not roots:
        raise PermissionDenied(_("您的角色不能查看物资。"))
    today = timezone.localdate()
    stores = list(selectors.store_list(actor=request.user)[:200])
    context = {
        "stores": selectors.holdings(stores, [root.path for root in roots]),
        "shortages": [(root, selectors.shortages(root.path, today)) for root in roots],
        "waiting": selectors.waiting_count(request.user),
    }
    return render(request, "supplies/index.html", context)


@login_required
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The store's phone page for its shelves' labels: a label scanned (by the camera or
    a hardware scanner typing into the box) shows its batch, what the store holds of it,
    and leads to issuing that item or receiving more of that batch, filled in."""
    found = _store(request, pk)
    access.require_path(request.user, Action.SUPPLY_KEEP, found.area_path)
    text = request.GET.get("code", "")
    batch = labels.batch_of(text) if text else None
    context = {
        "store": found,
        "code": text,
        "batch": batch,
        "unknown": bool(text) and batch is None,
        "held": selectors.batch_held(found, batch) if batch else None,
    }
    return render(request, "supplies/scan.html", context)


@login_required
def labels_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Labels for the batches the store holds, to print and stick on the shelves."""
    found = _store(request, pk)
    batches = [row.batch for row in selectors.stock_of(found)]
    if not batches:
        raise Http404(_("这个仓库没有库存,无需打印标签。"))
    response = HttpResponse(labels.labels_pdf(found, batches), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{found.pk}.pdf"'
    return response


@login_required
def store(request: HttpRequest, pk: int) -> HttpResponse:
    found = _store(request, pk)
    context = {
        "store": found,
        "stock": selectors.stock_of(found),
        "in_transit": selectors.in_transit_to(found).select_related("from_store"),
        "ledger": selectors.movements_of(found)[:LEDGER_ROWS],
        "requests": selectors.requests_of(found)[:20],
        "may_keep": access.may_path(request.user, Action.SUPPLY_KEEP, found.area_path),
        "today": timezone.localdate(),
    }
    return render(request, "supplies/store.html", context)


@login_required
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    found, response = _keeping(request, pk)
    # Arriving from a scanned label: the item, lot and expiry of its batch filled in.
    initial = {k: request.GET[k] for k in ("item", "lot", "expires_on") if request.GET.get(k)}
    form = ReceiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stock_receive(
                actor=actor(request),
                store=found,
                response=response,
                receipt=services.Receipt(
                    item=data["item"], quantity=data["quantity"], source=data["source"],
                    donor=data["donor"], lot=data["lot"], expires_on=data["expires_on"],
                    voucher=data["voucher"], note=data["note"],
                ),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已入库。"))
            return redirect("supplies:store", found.pk)
    return render(request, "supplies/form.html", _form_context(found, form, _("入库")))


@login_required
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue from a store: to a post or someone named, or, arriving from a household's
    page (`?household=`), to that household (an isolated household's parcel), or from
    the community's members (`?member=`), to that member (their protective kit)."""
    found, response = _keeping(request, pk)
    home = _household(request)
    member = _member(request, found) if home is None else None
    held = Item.objects.filter(pk__in=selectors.balances(found)).order_by("category", "name")
    form = IssueForm(
        request.POST or None,
        items=held,
        to_household=home is not None or member is not None,
        initial={"item": request.GET.get("item")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stock_issue(
                actor=actor(request),
                store=found,
                response=response,
                issue=services.Issue(
                    item=data["item"], quantity=data["quantity"],
                    recipient_kind=data.get("recipient_kind")
                    or (RecipientKind.MEMBER if member else RecipientKind.HOUSEHOLD),
                    recipient=data.get("recipient") or (_door(home) if home else ""),
                    household=home, member=member, voucher=data["voucher"], note=data["note"],
                ),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已发放。"))
            return redirect("supplies:store", found.pk)
    context = _form_context(found, form, _("发放"))
    context["household"] = home
    context["door"] = _door(home) if home else ""
    context["member"] = member
    return render(request, "supplies/form.html", context)


def _member(request: HttpRequest, store: Store) -> Member | None:
    """The member a link or the form names: one deployed to a community under the
    store's area, in the user's sight (404 otherwise)."""
    raw = request.POST.get("member") or request.GET.get("member") or ""
    if not raw.strip():
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    deployment = members.active_deployment_for(
        actor=request.user, member_pk=pk, under=store.area_path
    )
    if deployment is None:
        raise Http404
    return deployment.member


def _household(request: HttpRequest) -> Household | None:
    """The household a link or the form names (404 out of the user's sight)."""
    raw = request.POST.get("household") or request.GET.get("household") or ""
    if not raw.strip():
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    return registry.household_for(actor=request.user, pk=pk)


def _door(home: Household) -> str:
    return f"{home.building.name} {home.door_number}"


def _form_context(found: Store, form: object, title: str) -> dict[str, object]:
    return {"store": found, "form": form, "title": title}


@login_required
@require_POST
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_to(actor=request.user, pk=pk)
    if transfer is None:
        raise Http404
    try:
        services.transfer_receive(actor=actor(request), transfer=transfer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已签收,物资已入库。"))
    return redirect("supplies:store", transfer.to_store_id)


@login_required
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    found, response = _keeping(request, pk)
    form = RequestForm(request.POST or None, initial={"item": request.GET.get("item")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_submit(
                actor=actor(request),
                store=found,
                response=response,
                data=services.RequestData(
                    lines=[services.Line(data["item"], data["quantity"])],
                    reason=data["reason"],
                    needed_by=data["needed_by"],
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("申请已提交上级。"))
            return redirect("supplies:store", found.pk)
    return render(request, "supplies/form.html", _form_context(found, form, _("向上级申请")))


@login_required
def requests_board(request: HttpRequest) -> HttpResponse:
    """The requests addressed to the user's areas, each with what can be done now."""
    if not access.scope_paths(request.user, Action.SUPPLY_MANAGE):
        raise PermissionDenied(_("您的角色不能审批物资申请。"))
    board = list(selectors.requests_to(actor=request.user)[:200])
    sources = selectors.store_list(actor=request.user)
    rows = [
        (r, FulfilForm(sources=sources.filter(area_path__startswith=r.to_path), prefix=f"r{r.pk}"))
        for r in board
    ]
    return render(
        request,
        "supplies/requests.html",
        {"rows": rows, "today": timezone.localdate(), "user_id": request.user.pk},
    )


def _request(request: HttpRequest, pk: int) -> SupplyRequest:
    found = selectors.requests_to(actor=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request(request, pk)
    # A line left empty is approved in full (the board shows each asked quantity).
    approved = {
        line.item_id: typed
        for line in found.lines.all()
        if (typed := request.POST.get(f"approved-{line.item_id}", "").strip())
    }
    try:
        services.request_decide(
            actor=actor(request),
            request=found,
            approved=approved,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已审批。"))
    return redirect("supplies:requests")


@login_required
@require_POST
def request_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request(request, pk)
    sources = selectors.store_list(actor=request.user).filter(area_path__startswith=found.to_path)
    form = FulfilForm(request.POST, sources=sources, prefix=f"r{found.pk}")
    if not form.is_valid():
        messages.error(request, _("请选择调出仓库。"))
        return redirect("supplies:requests")
    try:
        services.request_fulfil(
            actor=actor(request), request=found, source=form.cleaned_data["source"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已调拨,等待对方签收。"))
    return redirect("supplies:requests")


@login_required
def transfer_new(request: HttpRequest, pk: int) -> HttpResponse:
    found, response = _keeping(request, pk)
    held = Item.objects.filter(pk__in=selectors.balances(found)).order_by("category", "name")
    form = TransferForm(
        request.POST or None,
        destinations=selectors.destinations(actor=request.user, source=found),
        items=held,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer_send(
                actor=actor(request),
                source=found,
                destination=data["destination"],
                response=response,
                lines=[services.Line(data["item"], data["quantity"])],
                note=data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已调出,等待对方签收。"))
            return redirect("supplies:store", found.pk)
    return render(request, "supplies/form.html", _form_context(found, form, _("调拨")))


@login_required
@require_POST
def write_off(request: HttpRequest, pk: int, batch: int) -> HttpResponse:
    found, response = _keeping(request, pk)
    stock = selectors.stock_of(found).filter(batch_id=batch).first()
    if stock is None:
        raise Http404
    try:
        services.stock_write_off(
            actor=actor(request), store=found, response=response, batch=stock.batch
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已报废。"))
    return redirect("supplies:store", found.pk)


@login_required
def count(request: HttpRequest, pk: int) -> HttpResponse:
    """A count (盘点): what is on the shelf typed per batch, the variances shown, then
    posted as one adjustment."""
    found, response = _keeping(request, pk)
    stock = list(selectors.stock_of(found))
    typed = {s.batch_id: request.POST.get(f"batch-{s.batch_id}", "").strip() for s in stock}
    counted = {batch: value for batch, value in typed.items() if value}
    note = request.POST.get("note", "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and request.POST.get("step") == "post" and counted:
        try:
            services.stock_count_post(
                actor=actor(request),
                store=found,
                response=response,
                count=services.Count(counted, note=note),
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("盘点已过账。"))
            return redirect("supplies:store", found.pk)
    rows = [(s, typed.get(s.batch_id, ""), errors.get(f"batch-{s.batch_id}", [])) for s in stock]
    preview = selectors.count_variances(stock, counted) if request.method == "POST" else []
    return render(
        request,
        "supplies/count.html",
        {"store": found, "rows": rows, "preview": preview, "note": note, "errors": errors},
    )


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The store's ledger (物资台账) as .xlsx, for a period (?start=&end=) or all of it."""
    found = _store(request, pk)
    start = parse_date(request.GET.get("start", "") or "")
    end = parse_date(request.GET.get("end", "") or "")
    try:
        handle = exports.ledger_file(actor=actor(request), store=found, start=start, end=end)
    except exports.LedgerTooLargeError as error:
        messages.error(request, str(error))
        return redirect("supplies:store", found.pk)
    return FileResponse(handle, as_attachment=True, filename=f"supplies-ledger-{found.pk}.xlsx")
