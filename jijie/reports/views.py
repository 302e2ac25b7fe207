"""Daily report pages: a unit's day for the command, a street or a community — its
headline figures and rates, the units below it with their sign-off, the worst
communities, the alerts, the trend, the bulletin ready to copy — refreshed in place
while the page stays open; and the sign-off (上报) and the correction of a closed day.

Every figure on them is read from the kept figures (`selectors`), never counted from the
source apps' rows when the page is shown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core import periods
from jijie.reports import bulletin, exports, indicators, selectors, services
from jijie.reports.models import Report
from jijie.responses.models import Response


def _area(request: HttpRequest, params: Any) -> Area:
    return selectors.reporting_unit(request.user, params.get("area", ""))


def _response(area: Area, params: Any) -> Response:
    return selectors.response_at(area, params.get("response") or None)


def _day(params: Any, now: datetime) -> date:
    return periods.day(params, "day") or indicators.report_day(now)


def _back(area: Area, response: Response, day: date) -> str:
    query = {"area": area.code, "response": str(response.pk), "day": day.isoformat()}
    return f"{reverse('reports:index')}?{urlencode(query)}"


@login_required
@indicators.units_read_once()
def index(request: HttpRequest) -> HttpResponse:
    """A unit's day. With htmx asking (every minute while the page is open), only the
    figures are sent again."""
    area = _area(request, request.GET)
    response = _response(area, request.GET)
    now = timezone.now()
    day = _day(request.GET, now)
    unit = selectors.unit_day(request.user, area, response, day, now=now)
    roots = access.scope_roots(request.user, Action.REPORT_VIEW)
    trend = selectors.trend(area, response, day)
    context = {
        "unit": unit,
        "area": area,
        "response": response,
        "responses": list(selectors.responses_over(area)),
        "day": day,
        "now": now,
        "is_today": day == indicators.report_day(now),
        "cutoff": indicators.window(day).until,
        # the area, response and day, for the exports' links
        "here": urlencode(
            {"area": area.code, "response": str(response.pk), "day": day.isoformat()}
        ),
        "bulletin": bulletin.paragraph(area, day, unit.figures) if unit.report else "",
        "may_submit": services.may_submit(actor(request), area),
        "parent": None
        if any(area.pk == r.pk for r in roots)
        else Area.objects.filter(path=area.path[: -Area.steplen]).first(),
        "trend": {"days": trend.days, "series": trend.series},
        "indicators": indicators.INDICATORS,
        "columns": [(key, indicators.name_of(key)) for key in selectors.CELLS],
    }
    context.update(_map(request, area, unit))
    if request.headers.get("HX-Request"):
        return render(request, "reports/_day.html", context)
    return render(request, "reports/index.html", context)


def _posted(request: HttpRequest) -> tuple[Area, Response, Report]:
    area = _area(request, request.POST)
    response = _response(area, request.POST)
    day = periods.day(request.POST, "day")
    if day is None:
        raise BadRequest(_("请指明日期。"))
    report = selectors.report_of(response, day)
    if report is None:
        raise Http404(_("这一天还没有统计。"))
    return area, response, report


@login_required
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    area, response, report = _posted(request)
    try:
        services.report_submit(
            actor=actor(request),
            report=report,
            area=area,
            now=timezone.now(),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("%(area)s 的日报已上报。") % {"area": area.name})
    return redirect(_back(area, response, report.day))


@login_required
@require_POST
def correct(request: HttpRequest) -> HttpResponse:
    area, response, report = _posted(request)
    try:
        correction = services.report_correct(
            actor=actor(request),
            report=report,
            area=area,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("已更正 %(n)s 项数字。") % {"n": correction.revisions.count()},
        )
    return redirect(_back(area, response, report.day))


@login_required
@indicators.units_read_once()
def workbook(request: HttpRequest) -> HttpResponse:
    """The day's report as .xlsx (`?day=`), or a period's, one sheet a day
    (`?start=&end=`)."""
    area = _area(request, request.GET)
    response = _response(area, request.GET)
    start, end = exports.period_of(
        periods.day(request.GET, "day"),
        periods.day(request.GET, "start"),
        periods.day(request.GET, "end"),
    )
    try:
        content = exports.workbook_bytes(
            actor=actor(request), area=area, response=response, start=start, end=end
        )
    except ValidationError as error:
        raise BadRequest(" ".join(error.messages)) from error
    name = f"{area.code}-{start:%Y%m%d}" + (f"-{end:%Y%m%d}" if end != start else "")
    reply = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reply["Content-Disposition"] = f'attachment; filename="report-{name}.xlsx"'
    return reply


@login_required
@indicators.units_read_once()
def printable(request: HttpRequest) -> HttpResponse:
    """The day's report as a PDF to print: the bulletin and the tables."""
    area = _area(request, request.GET)
    response = _response(area, request.GET)
    day = _day(request.GET, timezone.now())
    content = exports.printable_bytes(actor=actor(request), area=area, response=response, day=day)
    if content is None:
        raise Http404(_("这一天还没有统计。"))
    reply = HttpResponse(content, content_type="application/pdf")
    reply["Content-Disposition"] = f'inline; filename="report-{area.code}-{day:%Y%m%d}.pdf"'
    return reply


def _map(request: HttpRequest, area: Area, unit: selectors.Day) -> dict[str, Any]:
    """The page's map of the communities under `area` that have an outline, coloured by
    `?indicator=` (the coverage unless asked); none when no outline is loaded under it."""
    indicator = request.GET.get("indicator") or next(iter(selectors.MAP_ON))
    if indicator not in selectors.MAP_ON:
        raise BadRequest(
            _("地图只能按这些指标着色:%(keys)s。") % {"keys": "、".join(selectors.MAP_ON)}
        )
    if request.headers.get("HX-Request") or unit.report is None:
        return {}
    found = selectors.community_map(request.user, unit, indicator)
    if not found.shapes:
        return {}

    def href(community: Area) -> str:
        query = request.GET.copy()
        query["area"] = community.code
        return f"{reverse('reports:index')}?{query.urlencode()}"

    return {
        "map": found.payload(href),
        "map_indicator": indicator,
        "map_choices": [(key, indicators.name_of(key)) for key in selectors.MAP_ON],
    }
