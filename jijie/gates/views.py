"""Gate pages: the gates in scope, a gate's counts, denials and who is still out after
curfew, the guard's phone page, and the community's passes with printable cards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core.floorplan import Cell
from jijie.core.forms import apply_errors
from jijie.core.views import offline_page
from jijie.gates import cards, proofs, selectors, services, signing
from jijie.gates.forms import BuildingForm, BuildingViewForm, RevokeForm, ScanForm
from jijie.gates.models import Direction, PassStatus
from jijie.residents import selectors as registry
from jijie.residents.doors import floor_plan

MAX_PASSES_SHOWN = 2000  # a building's passes, reissued ones included


def _require(request: HttpRequest, action: Action) -> None:
    if not access.scope_paths(request.user, action):
        raise PermissionDenied(_("您的角色不能查看卡口。"))


@login_required
def gate_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.GATE_VIEW)
    context = {
        "gates": selectors.gate_list(actor=request.user),
        "may_scan": bool(access.scope_paths(request.user, Action.GATE_SCAN)),
        "may_issue": bool(access.scope_paths(request.user, Action.PASS_ISSUE)),
    }
    return render(request, "gates/gate_list.html", context)


@login_required
def gate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gate = selectors.gate_for(actor=request.user, pk=pk)
    now = timezone.now()
    day = timezone.localdate()
    response, rule = selectors.rule_in_force(gate)
    context = {
        "gate": gate,
        "response": response,
        "rule": rule,
        "counts": [
            c
            for c in selectors.hourly_counts(gate=gate, day=day)
            if c.entered or c.exited or c.denied
        ],
        "denied": selectors.scan_log(gate=gate, day=day, denied_only=True)[:100],
        "late": selectors.out_past_curfew(gate=gate, rule=rule, at=now),
        "may_scan": access.may(request.user, Action.GATE_SCAN, gate.area),
    }
    return render(request, "gates/gate_detail.html", context)


@offline_page
@never_cache
@login_required
def gate_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The guard's phone page: one form, the decision in large type. With its script the
    form goes through the phone's outbox (`phone.scan_from_phone`: kept with no signal,
    the decision shown when the server answers); without it, it is posted here. Kept on
    the phone for use with no signal: it holds no personal data until a scan is posted."""
    gate = selectors.gate_for(actor=request.user, pk=pk, action=Action.GATE_SCAN)
    response, rule = selectors.rule_in_force(gate)
    form = ScanForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.do_scan_record(
                actor=actor(request),
                gate=gate,
                response=response,
                rule=rule,
                data=form.scan_data(device_at=timezone.now()),
            ).scan
        except services.ScanConflictError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = ScanForm(initial={"direction": data["direction"]})
    context = {
        "gate": gate,
        "form": form,
        "result": result,
        "public_key": signing.public_key_b64(),
        # What the rule asks of a person coming in, asked on the page before sending.
        # With a testing ledger the certificate is asked only when the ledger does not
        # vouch for the household: the server says so in its answer.
        "needs": {
            "temperature": rule is not None,
            "certificate": bool(proofs.hours_asked(rule, Direction.IN)) and not proofs.has_source(),
            "ledger": bool(proofs.hours_asked(rule, Direction.IN)) and proofs.has_source(),
        },
        "certificate_hours": rule.certificate_hours if rule is not None else None,
    }
    return render(request, "gates/gate_scan.html", context)


@require_POST
@never_cache
@login_required
def gate_proof(request: HttpRequest, pk: int) -> JsonResponse:
    """What the testing ledger says of the household on a scanned pass, asked by the
    guard's page before it sends the scan: whether the person coming in needs their own
    certificate checked. A standing and counts, never a result; nothing for a code that
    is not a pass of this gate's community."""
    gate = selectors.gate_for(actor=request.user, pk=pk, action=Action.GATE_SCAN)
    _response, rule = selectors.rule_in_force(gate)
    token = str(request.POST.get("token", ""))[:200].strip()
    proof = selectors.proof_at_gate(gate, rule, token, timezone.now()) if token else None
    if proof is None:
        return JsonResponse({"standing": "", "sentence": ""})
    return JsonResponse({"standing": proof.standing, "sentence": proof.sentence()})


@login_required
def pass_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.GATE_VIEW)
    building_code = request.GET.get("building", "").strip()
    building = (
        access.area_for(request.user, building_code, Action.GATE_VIEW) if building_code else None
    )
    form = BuildingForm(request.POST or None, initial={"building": building_code})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = access.area_for(request.user, data["building"].strip(), Action.PASS_ISSUE)
        response = selectors.response_over(target.path)
        if response is None:
            form.add_error("building", _("该楼栋所在区域没有进行中的应急响应。"))
        else:
            try:
                issued = services.do_passes_issue_building(
                    actor=actor(request),
                    building=target,
                    response=response,
                    valid_from=timezone.now(),
                    valid_until=timezone.now() + timedelta(days=data["days"]),
                    outings_per_day=data["outings_per_day"] or 0,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已发放 %(n)s 张通行证。") % {"n": len(issued)})
                return redirect(f"{request.path}?building={target.code}")
    context: dict[str, Any] = {
        "form": form,
        "view_form": BuildingViewForm(initial={"building": building_code}),
        "building": building,
        "may_issue": bool(access.scope_paths(request.user, Action.PASS_ISSUE)),
    }
    if building is not None:
        context.update(_building_passes(request, building))
    return render(request, "gates/pass_list.html", context)


def _building_passes(request: HttpRequest, building: Area) -> dict[str, Any]:
    """A building's passes in door order, and the building as its floor plan: a door
    with a pass in force is marked and leads to its pass; one without, to the household
    (where a pass is issued)."""
    passes = list(selectors.pass_list(actor=request.user, area=building)[:MAX_PASSES_SHOWN])
    active = {p.household_id: p for p in passes if p.status == PassStatus.ACTIVE}
    cells = [
        Cell(
            door=home.door_number,
            state="issued" if home.pk in active else "todo",
            url=f"#pass-{active[home.pk].pk}"
            if home.pk in active
            else reverse("residents:household", args=[home.pk]),
            note=_("已发证") if home.pk in active else _("未发证"),
        )
        for home in registry.household_list(actor=request.user, area=building)
    ]
    return {
        "passes": passes,
        "plan": floor_plan(cells, door=lambda c: c.door),
        "counts": {
            "issued": len(active),
            "todo": sum(c.state == "todo" for c in cells),
        },
    }


@login_required
def pass_cards(request: HttpRequest) -> HttpResponse:
    """A building's active passes as A6 cards in one PDF."""
    building = access.area_for(request.user, request.GET.get("building", ""), Action.PASS_ISSUE)
    passes = (
        selectors.pass_list(actor=request.user, area=building)
        .filter(status="active")
        .select_related("response")
    )
    if not passes:
        raise Http404(_("该楼栋没有有效的通行证。"))
    pdf = cards.render(passes)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="passes-{building.code}.pdf"'
    return response


@require_POST
@login_required
def pass_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    pass_ = selectors.pass_for(actor=request.user, pk=pk, action=Action.PASS_ISSUE)
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写原因。"))
        if request.POST.get("reissue"):
            services.do_pass_reissue(
                actor=actor(request), pass_=pass_, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已换发。"))
        else:
            services.do_pass_revoke(
                actor=actor(request), pass_=pass_, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已作废。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('gates:passes')}?building={pass_.household.building.code}")
