"""Testing pages: the rounds in sight (and a round opened), a round's coverage down to
its buildings with its sites, its positive tubes and the lab's results imported, and a
tube with its people, isolated in one step when it is positive."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jijie.accounts.models import User
from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import KIND_DEPTH, Area, AreaKind, community_path_of
from jijie.care import selectors as care_selectors
from jijie.core import outbox, periods
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.core.views import offline_page
from jijie.mobilization.models import Member
from jijie.responses.selectors import in_force_over
from jijie.testing import imports, phone, selectors, services, slots
from jijie.testing.forms import (
    AppointmentsForm,
    BatchForm,
    IsolateForm,
    ReceiveForm,
    ResultsForm,
    RoundForm,
    SampleForm,
    SiteForm,
)
from jijie.testing.models import Batch, Round, Sample, Site, Tube, TubeResult

BUILDING_DEPTH = KIND_DEPTH[AreaKind.BUILDING]


def _seeing(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.TESTING_VIEW):
        raise PermissionDenied(_("您的角色不能查看核酸检测。"))


def _round(request: HttpRequest, pk: int) -> Round:
    found = selectors.round_list(actor=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _seeing(request)
    context = {
        "rounds": list(selectors.round_list(actor=request.user)[:100]),
        "sites": list(selectors.sampling_sites(actor=request.user, day=timezone.localdate())),
        "manages": bool(access.scope_paths(request.user, Action.TESTING_MANAGE)),
    }
    return render(request, "testing/index.html", context)


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    roots = access.scope_roots(request.user, Action.TESTING_MANAGE)
    if not roots:
        raise PermissionDenied(_("您的角色不能组织核酸检测。"))
    today = timezone.localdate()
    form = RoundForm(
        request.POST or None,
        areas=[(a.code, a.name) for a in roots],
        initial={"starts_on": today, "ends_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next(a for a in roots if a.code == data["area"])
        response = in_force_over([area.path]).first()
        try:
            if response is None:
                raise ValidationError(_("这个区域没有正在进行的应急响应。"))
            found = services.round_open(
                actor=actor(request), response=response, area=area,
                data=services.RoundData(
                    data["name"], data["starts_on"], data["ends_on"], data["tube_size"]
                ),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已开启%(name)s。") % {"name": found.name})
            return redirect("testing:round", found.pk)
    return render(request, "testing/form.html", {"form": form, "title": _("开启检测轮次")})


def _unit(request: HttpRequest, found: Round) -> Area:
    """The area whose coverage the page shows: `?area=` under the round, or the round's
    own area, or the first area of the user's under it."""
    code = request.GET.get("area")
    if code:
        area = access.area_for(request.user, code, Action.TESTING_VIEW)
        if not area.path.startswith(found.area_path):
            raise Http404
        return area
    if access.may(request.user, Action.TESTING_VIEW, found.area):
        return found.area
    for root in access.scope_roots(request.user, Action.TESTING_VIEW):
        if root.path.startswith(found.area_path):
            return root
    raise Http404


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _round(request, pk)
    unit = _unit(request, found)
    depth = min(unit.depth + 1, BUILDING_DEPTH)
    covered = selectors.coverage(found, depth=depth, within=unit.path)
    below = {
        a.path: a
        for a in Area.objects.filter(path__startswith=unit.path, depth=depth).order_by("path")
    }
    rows = [(below.get(path), c) for path, c in sorted(covered.items()) if path in below]
    sites = list(
        found.sites.filter(area_path__startswith=unit.path)
        .select_related("post__post_type", "transport__post_type")
        .order_by("name")
    )
    on_duty = selectors.on_duty([d for s in sites for d in (s.post, s.transport)], timezone.now())
    total = selectors.Coverage(unit.path)
    for _area, c in rows:
        total.people += c.people
        total.excused += c.excused
        total.tested += c.tested
    context = {
        "round": found,
        "unit": unit,
        "parent": (
            Area.objects.filter(path=unit.path[: -Area.steplen]).first()
            if unit.path != found.area_path
            and access.may_path(request.user, Action.TESTING_VIEW, unit.path[: -Area.steplen])
            else None
        ),
        "rows": rows,
        "total": total,
        "drill": depth < BUILDING_DEPTH,
        "sites": sites,
        "sampling": {
            s.pk for s in sites if access.may_path(request.user, Action.TESTING_SAMPLE, s.area_path)
        },
        # Each site with who is on shift now at its duty posts: its staff, its carriers.
        "site_rows": [
            (
                s,
                on_duty.get(s.post_id or 0, []),
                on_duty.get(s.transport_id or 0, []),
            )
            for s in sites
        ],
        "adds_sites": access.may_path(request.user, Action.TESTING_MANAGE, unit.path),
        "positives": list(
            found.tubes.filter(lab__result=TubeResult.POSITIVE, area_path__startswith=unit.path)
            .select_related("site", "lab")
            .order_by("-lab__result_at")[:50]
        ),
        "manages": access.may(request.user, Action.TESTING_MANAGE, found.area),
        "results_form": ResultsForm(),
        "batches": list(selectors.batches(found, unit.path)[:50]),
        "receive_form": ReceiveForm(
            initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)}
        ),
    }
    return render(request, "testing/round.html", context)


@login_required
def site_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A sampling site added to a round by whoever manages testing where it stands."""
    found = _round(request, pk)
    areas = list(
        access.scoped(
            Area.objects.filter(
                path__startswith=found.area_path, kind__in=[AreaKind.COMMUNITY, AreaKind.GRID]
            ),
            request.user,
            Action.TESTING_MANAGE,
            path_field="path",
        ).order_by("path")
    )
    if not areas:
        raise PermissionDenied(_("您的角色不能设置采样点。"))
    posts = selectors.site_posts_under(found.area_path)
    form = SiteForm(
        request.POST or None,
        areas=[(a.code, a.name) for a in areas],
        posts=[(str(d.pk), f"{d.post_type.name} · {d.place}") for d in posts],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next(a for a in areas if a.code == data["area"])
        by_pk = {str(d.pk): d for d in posts}
        try:
            site = services.site_add(
                actor=actor(request), round=found, area=area,
                data=services.SiteData(
                    data["name"], data["place"], data["lanes"], data["opens_at"],
                    data["closes_at"], post=by_pk.get(data["post"]),
                    transport=by_pk.get(data["transport"]),
                ),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已添加采样点%(name)s。") % {"name": site.name})
            return redirect("testing:round", found.pk)
    context = {"form": form, "title": _("添加采样点"), "round": found}
    return render(request, "testing/form.html", context)


@login_required
@require_POST
def results_import(request: HttpRequest, pk: int) -> HttpResponse:
    found = _round(request, pk)
    form = ResultsForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
            done = imports.results_import(actor=actor(request), round=found, data=upload.read())
        except imports.RefusedFile as refused:
            messages.error(request, str(refused))
        except ValidationError as error:
            for line in error.messages:
                messages.error(request, line)
        else:
            messages.success(
                request,
                _("已导入 %(n)s 管结果(其中阳性 %(positive)s 管),%(same)s 管此前已登记。")
                % {"n": done.recorded, "positive": len(done.positives), "same": done.unchanged},
            )
    else:
        messages.error(request, _("请选择检测结果文件。"))
    return redirect("testing:round", found.pk)


def _tube(request: HttpRequest, pk: int) -> Tube:
    tube = Tube.objects.select_related("round__area", "site", "lab").filter(pk=pk).first()
    if tube is None or not access.may_path(request.user, Action.TESTING_VIEW, tube.area_path):
        raise Http404
    return tube


def _supervisors(
    request: HttpRequest, tube: Tube
) -> dict[str, tuple[str, User | None, Member | None]]:
    community = Area.objects.get(path=community_path_of(tube.area_path))
    return care_selectors.supervisor_choices(request.user, community)


def _seen_samples(request: HttpRequest, tube: Tube) -> list[tuple[Sample, str | None]]:
    """The tube's samples, each with the community of a person who lives outside the
    user's testing scope (a walk-in from elsewhere: neither name nor door shown), or
    None for someone the user may see."""
    samples = list(tube.samples.select_related("person__household").order_by("taken_at", "pk"))
    elsewhere = {
        s.area_path
        for s in samples
        if not access.may_path(request.user, Action.TESTING_VIEW, s.area_path)
    }
    names = dict(
        Area.objects.filter(path__in={community_path_of(p) for p in elsewhere}).values_list(
            "path", "name"
        )
    )
    return [
        (s, names.get(community_path_of(s.area_path), "") if s.area_path in elsewhere else None)
        for s in samples
    ]


@login_required
def tube_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tube = _tube(request, pk)
    isolates = tube.result == TubeResult.POSITIVE and any(
        access.may_path(request.user, Action.CARE_MANAGE, p.area_path)
        for p in selectors.not_isolated(tube)
    )
    supervisors = _supervisors(request, tube) if isolates else {}
    form = IsolateForm(
        request.POST or None,
        supervisors=[(key, label) for key, (label, _u, _m) in supervisors.items()],
    )
    if request.method == "POST":
        if not isolates:
            raise PermissionDenied(_("只有阳性管、由负责居家隔离的社区办理。"))
        if form.is_valid():
            _label, user, member = supervisors[form.cleaned_data["supervisor"]]
            try:
                done = services.tube_isolate(
                    actor=actor(request), tube=tube, days=form.cleaned_data["days"],
                    supervisor_user=user, supervisor_member=member,
                )  # fmt: skip
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已转居家隔离 %(n)s 人,%(already)s 人此前已在隔离。")
                    % {"n": len(done.opened), "already": len(done.already)},
                )
                return redirect("testing:tube", tube.pk)
    context = {
        "tube": tube,
        "samples": _seen_samples(request, tube),
        "isolates": isolates,
        "form": form,
    }
    return render(request, "testing/tube.html", context)


def _buildings(site: Site) -> list[tuple[str, str]]:
    """The buildings of the site's community, as a walk-in picks where they stay."""
    community = community_path_of(site.area_path)
    grids = dict(
        Area.objects.filter(path__startswith=community, kind=AreaKind.GRID).values_list(
            "path", "name"
        )
    )
    return [
        (b.code, f"{grids.get(b.path[: -Area.steplen], '')} {b.name}".strip())
        for b in Area.objects.filter(path__startswith=community, kind=AreaKind.BUILDING).order_by(
            "path"
        )
    ]


def _site(request: HttpRequest, pk: int) -> Site:
    """A site of a round `request.user` may see, or Http404."""
    found = Site.objects.select_related("round").filter(pk=pk).first()
    if found is None or not access.may_path(request.user, Action.TESTING_VIEW, found.area_path):
        raise Http404
    return found


@login_required
def appointments(request: HttpRequest, pk: int) -> HttpResponse:
    """A site's buildings called in windows on a day of the round (分楼栋预约), for the
    grid workers to tell their buildings when to come; planned again by the office."""
    site = _site(request, pk)
    found = site.round
    days = [
        found.starts_on + timedelta(days=n)
        for n in range((found.ends_on - found.starts_on).days + 1)
    ]
    today = timezone.localdate()
    day = periods.day(request.GET, "day") or (today if today in days else days[0])
    if day not in days:
        raise Http404
    manages = access.may_path(request.user, Action.TESTING_MANAGE, site.area_path)
    form = AppointmentsForm(initial={"day": day.isoformat()}, days=days)
    planned = None
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("您的角色不能安排采样时段。"))
        form = AppointmentsForm(request.POST, days=days)
        if form.is_valid():
            day = form.cleaned_data["day"]
            try:
                planned = services.appointments_plan(actor=actor(request), site=site, day=day)
            except ValidationError as error:
                apply_errors(form, error)
    context = {
        "site": site,
        "round": found,
        "day": day,
        "days": days,
        "appointments": selectors.appointments(site, day),
        "planned": planned,
        "manages": manages,
        "form": form,
        "per_slot": slots.slot_capacity(
            lanes=site.lanes,
            per_lane_hour=settings.TESTING_LANE_PER_HOUR,
            slot_minutes=settings.TESTING_SLOT_MINUTES,
        ),
        "slot_minutes": settings.TESTING_SLOT_MINUTES,
    }
    return render(request, "testing/appointments.html", context)


@login_required
@require_POST
@never_cache
def pass_members(request: HttpRequest, pk: int) -> JsonResponse:
    """The people of the household whose pass a resident shows at the lane, for the
    sampler to pick who stands there (`selectors.household_members`: by name only where
    the sampler may see the household in the registry)."""
    site = phone.site_for(request.user, pk)
    household = selectors.pass_household(site, str(request.POST.get("token", "")).strip())
    if household is None:
        return JsonResponse(
            {
                "members": [],
                "error": _("通行证二维码无效、已作废或不属于本轮检测范围:请用身份证号登记。"),
            }
        )
    members = selectors.household_members(household, actor=request.user)
    return JsonResponse({"members": [{"id": pk, "label": label} for pk, label in members]})


@offline_page
@login_required
def sample(request: HttpRequest, pk: int) -> HttpResponse:
    """The sampler's page at a site's lane: a tube scanned, then one person after another.
    With its script the form goes through the phone's outbox (kept with no signal, sent
    item by item); without it, it is posted here and answered the same way."""
    site = phone.site_for(request.user, pk)
    form = SampleForm(request.POST or None, buildings=_buildings(site))
    if request.method == "POST" and form.is_valid():
        fields = {k: str(v) for k, v in form.cleaned_data.items() if k != "client_ref"}
        done = outbox.answer(
            outbox.Item(
                kind=phone.KIND,
                client_ref=form.cleaned_data["client_ref"] or str(uuid.uuid4()),
                fields={**fields, "site": str(site.pk)},
                user=actor(request),
            )
        )
        if done.status == "refused":
            messages.error(request, done.message)
        else:
            messages.success(request, done.message)
            code = services.barcode_of(fields["barcode"])
            return redirect(f"{request.path}?{urlencode({'barcode': code})}")
    elif request.method == "GET":
        form = SampleForm(
            buildings=_buildings(site),
            initial={"client_ref": str(uuid.uuid4()), "barcode": request.GET.get("barcode", "")},
        )
    tubes = selectors.tubes_to_send(site)
    context = {
        "site": site,
        "round": site.round,
        "form": form,
        "to_send": len(tubes),
    }
    return render(request, "testing/sample.html", context)


def _tube_choices(tubes: list[Tube]) -> list[tuple[str, str]]:
    return [(t.barcode, f"{t.barcode} · {t.size}/{t.capacity}") for t in tubes]


@login_required
def batch_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's sealed tubes handed over to be carried to the lab, to a member on
    shift at its carrying post. A page of its own, never kept on the phone: it names
    the carriers, and a handover needs a signal."""
    site = phone.site_for(request.user, pk)
    now = timezone.now()
    tubes = selectors.tubes_to_send(site)
    on_shift = {str(held.member_id): held.member for held in selectors.carriers_on_shift(site, now)}
    form = BatchForm(
        request.POST or None,
        tubes=_tube_choices(tubes),
        carriers=[(key, member.name) for key, member in on_shift.items()],
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_send(
                actor=actor(request), site=site, barcodes=form.cleaned_data["tubes"],
                carrier=form.cleaned_data["carrier"],
                member=on_shift.get(form.cleaned_data.get("member") or ""), now=now,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("已交 %(carrier)s 送检 %(n)s 管。")
                % {"carrier": batch.carrier, "n": len(form.cleaned_data["tubes"])},
            )
            return redirect("testing:sample", site.pk)
    context = {
        "site": site,
        "round": site.round,
        "form": form,
        "tubes": tubes,
        "post": site.transport,
    }
    return render(request, "testing/batch.html", context)


@login_required
@require_POST
def batch_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """The lab's receipt of a batch, from the round's page."""
    batch = Batch.objects.select_related("round__area").filter(pk=pk).first()
    if (
        batch is None
        or not selectors.round_list(actor=request.user).filter(pk=batch.round_id).exists()
    ):
        raise Http404
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            services.batch_receive(
                actor=actor(request), batch=batch, received_at=form.cleaned_data["received_at"]
            )
        except ValidationError as error:
            for line in error.messages:
                messages.error(request, line)
        else:
            messages.success(request, _("已登记接收。"))
    else:
        messages.error(request, _("请填写接收时间。"))
    return redirect("testing:round", batch.round_id)


@login_required
@require_POST
def seal(request: HttpRequest, pk: int) -> HttpResponse:
    """A tube sealed before it is full, from the sampler's page without its script."""
    site = phone.site_for(request.user, pk)
    done = outbox.answer(
        outbox.Item(
            kind=phone.SEAL,
            client_ref=str(uuid.uuid4()),
            fields={"site": str(site.pk), "barcode": request.POST.get("barcode", "")},
            user=actor(request),
        )
    )
    (messages.error if done.status == "refused" else messages.success)(request, done.message)
    return redirect("testing:sample", site.pk)


@login_required
def untested(request: HttpRequest, pk: int) -> HttpResponse:
    """The re-sweep list of an area under the round (未检名单): who is still to be
    tested, door by door, for the grid worker who goes back for them."""
    found = _round(request, pk)
    unit = _unit(request, found)
    if not access.may(request.user, Action.RESIDENT_VIEW, unit):
        raise PermissionDenied(_("您的角色不能查看居民名单。"))
    page = Pages(selectors.untested(found, unit.path, actor=request.user), 100).get_page(
        request.GET.get("page")
    )
    people = list(page.object_list)
    context = {
        "round": found,
        "unit": unit,
        "page": page,
        "people": people,
        "bedridden": selectors.bedridden(found, people),
    }
    return render(request, "testing/untested.html", context)
