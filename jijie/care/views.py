"""Care pages: the supervisor's day on a phone (today's due list, a follow-up form per
case), a case (its follow-ups, extend, end), opening a case, the community's board (open
cases day N of M, missed follow-ups, alerts to resolve, open errands), an errand through
its states, the member's errand list, and the hardship households (their plans, the
visits due, a plan's page with its visits).

Views stay thin: the selectors scope every read (404 out of sight), the services check
every write (403 for a role too low) and their refusals show on the form or as a
message."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jijie.accounts.models import User
from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area, community_path_of
from jijie.areas.selectors import community_list
from jijie.care import rules, selectors, services
from jijie.care.forms import (
    AssignForm,
    CaseForm,
    DoneForm,
    EndForm,
    ErrandForm,
    ExtendForm,
    FollowUpForm,
    PlanForm,
    ReasonForm,
    ResolveForm,
    VisitForm,
)
from jijie.care.models import Alert, CarePlan, Errand, ErrandState, IsolationCase, PlanStatus
from jijie.core.forms import apply_errors
from jijie.mobilization.selectors import member_of, members_here
from jijie.residents import selectors as registry
from jijie.residents.models import Household

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


# Small reads the pages need --------------------------------------------------------


def _community_of(user: User | AnonymousUser, path: str) -> Area | None:
    """The community of a record, when the user may read its board."""
    return community_list(user, Action.CARE_VIEW).filter(path=path).first()


def _board_community(user: User | AnonymousUser, code: str, action: Action) -> Area:
    area = access.area_for(user, code, action)
    if area.kind not in COMMUNITY_KINDS:
        raise Http404
    return area


def _household(user: User | AnonymousUser, raw: str) -> Household | None:
    """The household whose id the form or the link names: 404 when out of the user's
    sight, like any record; None when none is named."""
    if not raw.strip():
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    return registry.household_for(actor=user, pk=pk)


# The supervisor's day --------------------------------------------------------------


def _follow_up_form(case: IsolationCase, data: Any = None) -> FollowUpForm:
    # Each case's form has its own ids on a page of many forms; the names stay the same.
    return FollowUpForm(data, auto_id=f"case{case.pk}_%s")


@login_required
def day(request: HttpRequest) -> HttpResponse:
    """随访, on a phone: the cases the signed-in supervisor follows up today, each with
    its slots and a follow-up form. With ?supervisor=<account id> (the board links it),
    that supervisor's day, as far as the reader's care scope reaches."""
    supervisor = selectors.supervisor_for(request.user, request.GET.get("supervisor", ""))
    due = selectors.due_list(request.user, supervisor=supervisor)
    addresses = selectors.addresses(d.case.household_id for d in due)
    context = {
        "supervisor": supervisor,
        "today": timezone.localdate(),
        "rows": [(d, addresses[d.case.household_id], _follow_up_form(d.case)) for d in due],
        "communities": community_list(request.user, Action.CARE_VIEW)[:100],
        "is_member": member_of(request.user) is not None,
        "may_errand": bool(access.scope_paths(request.user, Action.CARE_RECORD)),
    }
    return render(request, "care/day.html", context)


# Cases -----------------------------------------------------------------------------


def _case_page(
    request: HttpRequest,
    case: IsolationCase,
    *,
    follow_up: FollowUpForm | None = None,
    extend: ExtendForm | None = None,
    end: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    who = actor(request)
    today = timezone.localdate()
    period = rules.Period(case.starts_on, case.total_days, case.ended_on)
    may_record = services.is_supervisor(who, case) or access.may_path(
        who, Action.CARE_RECORD, case.area_path
    )
    context = {
        "case": case,
        "address": selectors.addresses([case.household_id])[case.household_id],
        "day_number": period.day_number(today),
        "last_day": period.last_day,
        "is_past_due": period.is_past_due(today),
        "follow_ups": selectors.follow_ups(who, case),
        "health": access.may_path(who, Action.HEALTH_VIEW, case.area_path),
        "extensions": case.extensions.all(),
        "community": _community_of(who, case.community_path),
        "may_record": may_record and case.is_open,
        "may_manage": access.may_path(who, Action.CARE_MANAGE, case.area_path) and case.is_open,
        "may_errand": access.may_path(who, Action.CARE_RECORD, case.area_path),
        "follow_up_form": follow_up or _follow_up_form(case),
        "extend_form": extend or ExtendForm(),
        "end_form": end or EndForm(),
    }
    return render(request, "care/case.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, selectors.case_for(request.user, pk))


@require_POST
@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a follow-up; sent twice with the same client_ref, it is stored once."""
    case = selectors.case_for(request.user, pk)
    form = _follow_up_form(case, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            stored = services.follow_up_record(
                actor=actor(request),
                case=case,
                data=services.FollowUpData(
                    contact=data["contact"],
                    temperature=data["temperature"],
                    symptoms=data["symptoms"],
                    note=data["note"],
                    client_ref=data["client_ref"],
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已记录随访。"))
            if stored.is_fever:
                messages.warning(request, _("体温偏高,已向社区发出发热预警。"))
            if request.POST.get("next") == "day":
                return redirect("care:day")
            return redirect("care:case", case.pk)
    return _case_page(request, case, follow_up=form)


@require_POST
@login_required
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for(request.user, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.case_extend(
                actor=actor(request),
                case=case,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已延长。"))
            return redirect("care:case", case.pk)
    return _case_page(request, case, extend=form)


@require_POST
@login_required
def case_end(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for(request.user, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.case_end(
                actor=actor(request),
                case=case,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                ended_on=form.cleaned_data["ended_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已解除。"))
            return redirect("care:case", case.pk)
    return _case_page(request, case, end=form)


@login_required
def case_new(request: HttpRequest, code: str) -> HttpResponse:
    """Put a person, or a whole household, under home isolation or observation."""
    community = _board_community(request.user, code, Action.CARE_MANAGE)
    raw = request.POST.get("household") or request.GET.get("household") or ""
    home = _household(request.user, raw)
    if home is not None and not home.area_path.startswith(community.path):
        home = None  # in sight, in another community: refused on the form
    people = [(p.pk, p.name) for p in registry.people_of(home)] if home else []
    supervisors = selectors.supervisor_choices(request.user, community)
    initial = {"household": raw, "supervisor": f"u{request.user.pk}"}
    form = CaseForm(
        request.POST or None,
        initial=initial,
        responses=selectors.responses_over(request.user, community),
        people=people,
        supervisors=[(key, label) for key, (label, _u, _m) in supervisors.items()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _label, user, member = supervisors[data["supervisor"]]
        try:
            if home is None:
                raise ValidationError({"household": _("本社区没有这个编号的住户。")})
            case = services.case_open(
                actor=actor(request),
                response=data["response"],
                household=home,
                person=next((p for p in registry.people_of(home) if p.pk == data["person"]), None),
                data=services.CaseData(
                    kind=data["kind"],
                    reason=data["reason"],
                    starts_on=data["starts_on"],
                    days=data["days"],
                    checks_per_day=data["checks_per_day"],
                    seal_number=data["seal_number"],
                ),
                supervisor_user=user,
                supervisor_member=member,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记居家隔离,该户已标记为居家隔离户。"))
            return redirect("care:case", case.pk)
    context = {"community": community, "form": form, "household": home}
    if home is not None:
        context["address"] = selectors.addresses([home.pk])[home.pk]
    return render(request, "care/case_form.html", context)


# The community's board -------------------------------------------------------------


@login_required
def board(request: HttpRequest, code: str) -> HttpResponse:
    """The community's board: open cases day N of M, missed follow-ups, alerts to
    resolve (fevers for those who may see health data), open errands."""
    community = _board_community(request.user, code, Action.CARE_VIEW)
    found = selectors.community_board(request.user, community)
    addresses = selectors.addresses(
        [r.case.household_id for r in found.cases]
        + [r.errand.household_id for r in found.errands]
        + [a.alert.case.household_id for a in found.missed + found.alerts if a.alert.case]
        + [a.alert.errand.household_id for a in found.alerts if a.alert.errand]
    )
    context = {
        "community": community,
        "board": found,
        "addresses": addresses,
        "cases": [(r, addresses[r.case.household_id]) for r in found.cases],
        "errands": [(r, addresses[r.errand.household_id]) for r in found.errands],
        "missed": [(a, _alert_address(a.alert, addresses)) for a in found.missed],
        "alerts": [(a, _alert_address(a.alert, addresses)) for a in found.alerts],
        "may_record": access.may(request.user, Action.CARE_RECORD, community),
        "may_manage": access.may(request.user, Action.CARE_MANAGE, community),
        "resolve_form": ResolveForm(),
    }
    return render(request, "care/board.html", context)


@login_required
def errands(request: HttpRequest, code: str) -> HttpResponse:
    """The community's open errands, due first, a page at a time (the board shows the
    first few)."""
    community = _board_community(request.user, code, Action.CARE_VIEW)
    page = Paginator(selectors.errand_list(request.user, path=community.path), 50).get_page(
        request.GET.get("page")
    )
    addresses = selectors.addresses(e.household_id for e in page)
    now = timezone.now()
    context = {
        "community": community,
        "page": page,
        "errands": [(e, addresses[e.household_id], e.due_by < now) for e in page],
    }
    return render(request, "care/errands.html", context)


def _alert_address(alert: Alert, addresses: dict[int, str]) -> str:
    if alert.case is not None:
        return addresses.get(alert.case.household_id, "")
    if alert.errand is not None:
        return addresses.get(alert.errand.household_id, "")
    return ""


@require_POST
@login_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_for(request.user, pk)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写处理情况。"))
        services.alert_resolve(
            actor=actor(request), alert=alert, resolution=form.cleaned_data["resolution"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("预警已处理。"))
    community = _community_of(request.user, alert.community_path)
    if community is None:
        return redirect("care:day")
    return redirect("care:board", community.code)


# Errands ---------------------------------------------------------------------------


@login_required
def errand_new(request: HttpRequest) -> HttpResponse:
    """Register an errand for a household that cannot go out (a grid worker from their
    day, the community from its board)."""
    if not access.scope_paths(request.user, Action.CARE_RECORD):
        raise PermissionDenied(_("您的角色不能登记代办。"))
    raw = request.POST.get("household") or request.GET.get("household") or ""
    form = ErrandForm(request.POST or None, initial={"household": raw})
    home = _household(request.user, raw)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if home is None:
                raise ValidationError({"household": _("请填写住户编号。")})
            errand = services.errand_create(
                actor=actor(request),
                household=home,
                data=services.ErrandData(
                    kind=data["kind"],
                    needed=data["needed"],
                    due_by=data["due_by"],
                    money_advanced=data["money_advanced"] or Decimal(0),
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("代办已登记,等待队员接单。"))
            return redirect("care:errand", errand.pk)
    context = {
        "form": form,
        "address": selectors.addresses([home.pk])[home.pk] if home else "",
        "community": home and _community_of(request.user, community_path_of(home.area_path)),
    }
    return render(request, "care/errand_form.html", context)


@login_required
def errand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    errand = selectors.errand_for(request.user, pk, claimable=True)
    who = actor(request)
    member = member_of(who)
    may_manage = access.may_path(who, Action.CARE_MANAGE, errand.area_path)
    context = {
        "errand": errand,
        "address": selectors.addresses([errand.household_id])[errand.household_id],
        "is_overdue": errand.is_open and errand.due_by < timezone.now(),
        "community": _community_of(who, errand.community_path),
        "is_runner": member is not None and errand.member_id == member.pk,
        "is_member": member is not None,
        "may_record": access.may_path(who, Action.CARE_RECORD, errand.area_path),
        "may_manage": may_manage,
        "assign_form": _assign_form(who, errand) if may_manage else None,
        "done_form": DoneForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "care/errand.html", context)


def _assign_form(user: User, errand: Errand, data: Any = None) -> AssignForm | None:
    if errand.state != ErrandState.REQUESTED:
        return None
    community = _community_of(user, errand.community_path)
    if community is None:
        return None
    return AssignForm(data, members=members_here(actor=user, community=community))


def _steps(request: HttpRequest, errand: Errand) -> dict[str, Callable[[], object]]:
    who = actor(request)

    def assign() -> object:
        form = _assign_form(who, errand, request.POST)
        if form is None or not form.is_valid():
            raise ValidationError(_("请选择本社区的队员。"))
        return services.errand_assign(actor=who, errand=errand, member=form.cleaned_data["member"])

    def done() -> object:
        form = DoneForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return services.errand_done(
            actor=who,
            errand=errand,
            proof_note=form.cleaned_data["proof_note"],
            minutes=form.cleaned_data["minutes"],
        )

    reason = request.POST.get("reason", "")
    return {
        "assign": assign,
        "accept": lambda: services.errand_accept(actor=who, errand=errand),
        "claim": lambda: services.errand_claim(actor=who, errand=errand),
        "release": lambda: services.errand_release(actor=who, errand=errand, reason=reason),
        "done": done,
        "confirm": lambda: services.errand_confirm(actor=who, errand=errand),
        "cancel": lambda: services.errand_cancel(actor=who, errand=errand, reason=reason),
    }


DONE_MESSAGES = {
    "assign": gettext_lazy("已指派,等待队员接单。"),
    "accept": gettext_lazy("已接单。"),
    "claim": gettext_lazy("已认领。"),
    "release": gettext_lazy("已退回,等待其他队员接单。"),
    "done": gettext_lazy("已办结,等待住户或网格员确认。"),
    "confirm": gettext_lazy("已确认,服务时长已计入队员记录。"),
    "cancel": gettext_lazy("代办已取消。"),
}


@require_POST
@login_required
def errand_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    """One step of an errand: assign, accept, claim, release, done, confirm, cancel. A
    refused step shows the service's sentence."""
    errand = selectors.errand_for(request.user, pk, claimable=True)
    steps = _steps(request, errand)
    if act not in steps:
        raise Http404
    try:
        steps[act]()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(DONE_MESSAGES[act]))
    if request.POST.get("next") == "mine":
        return redirect("care:mine")
    return redirect("care:errand", errand.pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的代办, on a phone: the errands offered to or run by the member, those they may
    claim, and the hours confirmed."""
    found = selectors.member_errands(request.user)
    if found is None:
        raise Http404(_("您的账号还没有关联队员信息:报名任一集结号时会自动关联。"))
    addresses = selectors.addresses(r.errand.household_id for r in found.mine + found.claimable)
    context = {
        "member": found.member,
        "mine": [(r, addresses[r.errand.household_id]) for r in found.mine],
        "claimable": [(r, addresses[r.errand.household_id]) for r in found.claimable],
        "record": selectors.errand_record(found.member),
        # One form per accepted errand on the page: no ids, the labels wrap the inputs.
        "done_form": DoneForm(auto_id=False),
    }
    return render(request, "care/mine.html", context)


# Hardship households ---------------------------------------------------------------


@login_required
def hardship(request: HttpRequest, code: str) -> HttpResponse:
    """The community's hardship households: plans with the next visit due (overdue
    first), flagged households with no plan yet, this month's visits and help."""
    community = _board_community(request.user, code, Action.CARE_VIEW)
    found = selectors.hardship(request.user, community)
    addresses = selectors.addresses(
        [r.plan.household_id for r in found.plans] + [h.pk for h in found.unplanned]
    )
    context = {
        "community": community,
        "found": found,
        "plans": [(r, addresses[r.plan.household_id]) for r in found.plans],
        "unplanned": [(h, addresses[h.pk]) for h in found.unplanned],
        "today": timezone.localdate(),
        "may_manage": access.may(request.user, Action.CARE_MANAGE, community),
    }
    return render(request, "care/hardship.html", context)


@login_required
def plan_new(request: HttpRequest, code: str) -> HttpResponse:
    """A care plan for a household the registry flags as a hardship household."""
    community = _board_community(request.user, code, Action.CARE_MANAGE)
    raw = request.POST.get("household") or request.GET.get("household") or ""
    home = _household(request.user, raw)
    if home is not None and not home.area_path.startswith(community.path):
        home = None  # in sight, in another community: refused on the form
    choices = selectors.responsible_choices(community)
    form = PlanForm(
        request.POST or None,
        initial={"household": raw},
        responsible=[(key, label) for key, (label, _user) in choices.items()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if home is None:
                raise ValidationError({"household": _("本社区没有这个编号的住户。")})
            chosen = choices.get(data["responsible"])
            plan = services.care_plan_create(
                actor=actor(request),
                household=home,
                needs=data["needs"],
                measures=data["measures"],
                visit_every_days=data["visit_every_days"],
                responsible=chosen[1] if chosen else None,
                starts_on=data["starts_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已建立帮扶计划。"))
            return redirect("care:plan", plan.pk)
    context = {
        "community": community,
        "form": form,
        "household": home,
        "address": selectors.addresses([home.pk])[home.pk] if home else "",
    }
    return render(request, "care/plan_form.html", context)


def _plan_page(
    request: HttpRequest, plan: CarePlan, *, visit: VisitForm | None = None, status: int = 200
) -> HttpResponse:
    who = actor(request)
    visits = list(selectors.plan_visits(plan))
    last = visits[0].visited_on if visits else None
    is_active = plan.status == PlanStatus.ACTIVE
    context = {
        "plan": plan,
        "address": selectors.addresses([plan.household_id])[plan.household_id],
        "community": _community_of(who, plan.community_path),
        "visits": visits,
        "total_value": sum((v.value for v in visits), Decimal(0)),
        "next_visit": selectors.next_visit(plan, last) if is_active else None,
        "today": timezone.localdate(),
        "may_record": is_active and access.may_path(who, Action.CARE_RECORD, plan.area_path),
        "may_manage": is_active and access.may_path(who, Action.CARE_MANAGE, plan.area_path),
        "may_errand": access.may_path(who, Action.CARE_RECORD, plan.area_path),
        "visit_form": visit or VisitForm(),
    }
    return render(request, "care/plan.html", context, status=status)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, selectors.plan_for(request.user, pk))


@require_POST
@login_required
def plan_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit (慰问) and the help given; sent twice, it is stored once."""
    plan = selectors.plan_for(request.user, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.care_visit_record(
                actor=actor(request),
                plan=plan,
                help_given=data["help_given"],
                value=data["value"] or Decimal(0),
                visited_on=data["visited_on"],
                note=data["note"],
                client_ref=data["client_ref"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记走访。"))
            return redirect("care:plan", plan.pk)
    return _plan_page(request, plan, visit=form)


@require_POST
@login_required
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    try:
        services.care_plan_close(actor=actor(request), plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("帮扶计划已结束。"))
    return redirect("care:plan", plan.pk)
