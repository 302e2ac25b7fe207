"""Problem pages: the board (what waits at the user's level, what is open, overdue,
escalated, answered or solved below them), the three rates per area and period,
raising a problem on a phone, a problem's page with its history and what the user may
do with it (claim, release, answer, confirm and rate, reopen), its photo, and the
user's own problems."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Case, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core import periods, uploads
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.problems import selectors, services
from jijie.problems.forms import AnswerForm, ConfirmForm, RaiseForm, ReopenForm
from jijie.problems.models import Problem, ProblemKind, ProblemState
from jijie.problems.selectors import Tab

PER_PAGE = 50
RATE_DAYS = 30  # the rates' period when none is asked for


def _problem(request: HttpRequest, pk: int) -> Problem:
    """A problem the user may read (under their sight, or raised by them); 404 else."""
    found = (
        Problem.objects.filter(pk=pk)
        .select_related("area", "level", "raised_by", "claimed_by", "answered_by")
        .first()
    )
    if found is None or not (
        found.raised_by_id == request.user.pk
        or access.may_path(request.user, Action.PROBLEM_VIEW, found.area_path)
    ):
        raise Http404
    return found


def _viewing(request: HttpRequest) -> list[Area]:
    roots = access.scope_roots(request.user, Action.PROBLEM_VIEW)
    if not roots:
        raise PermissionDenied(_("您的角色不能查看问题台账。"))
    return roots


@login_required
def board(request: HttpRequest) -> HttpResponse:
    if not access.scope_paths(request.user, Action.PROBLEM_VIEW) and selectors.raise_places(
        request.user, timezone.localdate()
    ):
        return redirect("problems:mine")  # a guard or a member raises and follows their own
    roots = _viewing(request)
    handles = bool(access.scope_paths(request.user, Action.PROBLEM_HANDLE))
    tab = request.GET.get("tab") or (Tab.TODO if handles else Tab.OPEN)
    if tab not in Tab.ALL_TABS:
        raise BadRequest(_("没有这个分类。"))
    kind = request.GET.get("kind", "")
    if kind and kind not in ProblemKind.values:
        raise BadRequest(_("没有这个类别。"))
    code = request.GET.get("area", "")
    area = access.area_for(request.user, code, Action.PROBLEM_VIEW) if code else None
    now = timezone.now()
    rows = selectors.board(request.user, tab=tab, now=now, kind=kind, area=area)
    # By key: a page's keys are sorted without the joins, its rows joined after.
    page = Pages(rows, PER_PAGE, by_key=True).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "tab": tab,
        "tabs": _tabs(handles),
        "kind": kind,
        "kinds": ProblemKind.choices,
        "area": area,
        "roots": roots,
        "now": now,
        "may_raise": bool(access.scope_paths(request.user, Action.PROBLEM_RAISE)),
    }
    return render(request, "problems/board.html", context)


def _tabs(handles: bool) -> list[tuple[str, str]]:
    tabs = [
        (Tab.TODO, _("本级待办")),
        (Tab.OPEN, _("未办结")),
        (Tab.OVERDUE, _("已超期")),
        (Tab.ESCALATED, _("已升级")),
        (Tab.ANSWERED, _("待确认")),
        (Tab.RESOLVED, _("已解决")),
        (Tab.ALL, _("全部")),
    ]
    return tabs if handles else tabs[1:]


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    """The three rates of the problems raised in a period under an area, for it and each
    area one level below, with a link down."""
    roots = _viewing(request)
    code = request.GET.get("area", "")
    area = access.area_for(request.user, code, Action.PROBLEM_VIEW) if code else roots[0]
    now = timezone.now()
    start, end = periods.period(request.GET, end=timezone.localdate(now), days=RATE_DAYS)
    first, last = periods.bounds(start, end)
    total, per_area = selectors.rates_by_area(area, start=first, end=last, now=now)
    context = {
        "area": area,
        "roots": roots,
        "start": start,
        "end": end,
        "total": total,
        "per_area": per_area,
        # the way back up, as far as the user's own areas
        "parent": None
        if area in roots
        else Area.objects.filter(path=area.path[: -Area.steplen]).first(),
    }
    return render(request, "problems/rates.html", context)


@login_required
def problem_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    places = selectors.raise_places(request.user, today)
    if not places:
        raise PermissionDenied(_("您的角色不能反映问题。"))
    initial = {"area_code": request.GET.get("area") or places[0].code}
    form = RaiseForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = selectors.raise_area(request.user, data["area_code"], today)
            if area is None:
                raise Http404(_("没有找到这个区域,或您不能在这里反映问题。"))
            problem = services.problem_raise(
                actor=actor(request),
                area=area,
                data=services.ProblemData(
                    kind=data["kind"],
                    urgency=data["urgency"],
                    title=data["title"],
                    need=data["need"],
                    needed_by=data["needed_by"],
                    photo=uploads.from_request(request.FILES, "photo", label=_("照片")),
                ),
            )
        except (BadRequest, Http404) as error:
            form.add_error("area_code", str(error) or _("您不能在该区域反映问题。"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("已提交,由%(level)s办理。") % {"level": problem.level.name},
            )
            return redirect("problems:detail", problem.pk)
    return render(request, "problems/new.html", {"form": form})


def _answer_form(problem: Problem, data: object = None) -> AnswerForm:
    return AnswerForm(
        data,
        requests=selectors.answering_requests(problem),
        transfers=selectors.answering_transfers(problem),
    )


def _detail(request: HttpRequest, problem: Problem, **forms: object) -> HttpResponse:
    user = request.user
    handles = problem.level_path in access.scope_paths(user, Action.PROBLEM_HANDLE)
    confirms = problem.raised_by_id == user.pk or access.may_path(
        user, Action.PROBLEM_CONFIRM, problem.area_path
    )
    context = {
        "problem": problem,
        "events": problem.events.select_related("actor", "level"),
        "has_photo": hasattr(problem, "photo"),
        "now": timezone.now(),
        "handles": handles and problem.is_open,
        "mine": problem.claimed_by_id == user.pk,
        "confirms": confirms and problem.state == ProblemState.ANSWERED,
        "answer_form": forms.get("answer_form") or _answer_form(problem),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
    }
    return render(request, "problems/detail.html", context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _problem(request, pk))


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    found = getattr(problem, "photo", None)
    if found is None:
        raise Http404
    return uploads.inline(found.content, found.content_type, f"problem-{problem.pk}")


def _done(request: HttpRequest, problem: Problem, said: str) -> HttpResponse:
    messages.success(request, said)
    return redirect("problems:detail", problem.pk)


@login_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    try:
        services.problem_claim(actor=actor(request), problem=problem)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("problems:detail", problem.pk)
    return _done(request, problem, _("已认领,由您办理。"))


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    try:
        services.problem_release(actor=actor(request), problem=problem)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("problems:detail", problem.pk)
    return _done(request, problem, _("已退回本级待办。"))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    services.require_handle(actor(request), problem)
    form = _answer_form(problem, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.problem_answer(
                actor=actor(request),
                problem=problem,
                answer=services.Answer(
                    text=data["answer"],
                    supply_request=data["supply_request"],
                    transfer=data["transfer"],
                ),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, problem, _("已答复,等待提出人确认。"))
    return _detail(request, problem, answer_form=form)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    services.require_confirm(actor(request), problem)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.problem_confirm(
                actor=actor(request),
                problem=problem,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, problem, _("已确认解决,谢谢评价。"))
    return _detail(request, problem, confirm_form=form)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    services.require_confirm(actor(request), problem)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.problem_reopen(
                actor=actor(request), problem=problem, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, problem, _("已退回重新办理。"))
    return _detail(request, problem, reopen_form=form)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The problems the user raised, those waiting for their word first."""
    rows = (
        selectors.raised_by(actor(request))
        .select_related("area", "level")
        # answered first: they wait for the raiser's word
        .order_by(Case(When(state=ProblemState.ANSWERED, then=0), default=1), "-raised_at", "-pk")
    )
    page = Pages(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "problems/mine.html", {"page": page, "now": timezone.now()})
