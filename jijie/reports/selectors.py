"""Reads of the daily report, all from the kept figures (never from the source apps'
rows): a unit's day with its children, the sign-off of the units below (completeness
and timeliness, as DHIS2 gives them), the ten worst communities on the key indicators,
the alerts, the trend over the response's days, and the evening bulletin."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.reports import indicators, rules
from jijie.reports.indicators import BY_KEY, RATES, UNIT_DEPTH, UNIT_LEN
from jijie.reports.models import Boundary, Correction, Figures, Report, Submission
from jijie.responses.models import Response, ResponseStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User

ZERO = Decimal(0)
TREND_DAYS = 30
WORST = 10
# The headline figures of a unit's page, in the order offices read them out.
HEADLINE = (
    "households_screened",
    "households_screened_today",
    "door_visits_today",
    "phone_visits_today",
    "temperatures_today",
    "cases_open",
    "members_deployed",
    "on_shift_today",
    "passages_today",
    "errands_open",
    "problems_open",
    "orders_open",
)
# The columns of the children's table.
COLUMNS = (
    "households_screened",
    "households_screened_today",
    "revisits_pending",
    "cases_open",
    "errands_overdue",
    "problems_overdue",
)
# The ten worst communities: (indicator or rate, worst first is the highest?)
WORST_ON = (
    ("coverage", False),
    ("revisits_pending", True),
    ("problems_overdue", True),
    ("errands_overdue", True),
    ("followups_missed_today", True),
)
# The children's table: the columns, then the coverage.
CELLS = (*COLUMNS, "coverage")
TREND = ("households_screened_today", "cases_open", "passages_today", "problems_open")


def values(raw: dict[str, str]) -> dict[str, Decimal]:
    return {key: Decimal(v) for key, v in raw.items()}


def reporting_unit(user: User | AnonymousUser, code: str) -> Area:
    """The unit with `code` the user may read the report of (by default their first
    area): refused for a role without reports, 404 out of sight or below a community
    (grids and buildings are counted with their community)."""
    roots = access.scope_roots(user, Action.REPORT_VIEW)
    if not roots:
        raise PermissionDenied(_("您的角色不能查看日报。"))
    area = access.area_for(user, code, Action.REPORT_VIEW) if code else roots[0]
    if area.depth > UNIT_DEPTH:
        raise Http404
    return area


def response_at(area: Area, pk: str | None) -> Response:
    """The response asked for (by default the one in force) reported on at `area`."""
    found = response_for(area, pk)
    if found is None:
        raise Http404(_("这里没有应急响应。"))
    return found


def responses_over(area: Area) -> QuerySet[Response]:
    """The responses reported on at `area`: over it (their area holds it), or under it (a
    city sees its districts' responses), those in force first, newest first."""
    paths = [area.path[:n] for n in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return Response.objects.filter(
        Q(area_path__in=paths) | Q(area_path__startswith=area.path)
    ).order_by("status", "-started_at")  # "active" sorts before "closed"


def response_for(area: Area, pk: str | None) -> Response | None:
    found = responses_over(area)
    if pk:
        return found.filter(pk=pk).first()
    return found.filter(status=ResponseStatus.ACTIVE).first() or found.first()


@dataclass
class Row:
    area: Area
    figures: dict[str, Decimal]
    submission: Submission | None
    due_at: datetime | None = None

    def cell(self, key: str) -> Decimal | None:
        return indicators.value(self.figures, key)

    @property
    def cells(self) -> list[tuple[str, Decimal | None]]:
        """The children's table's cells, in `CELLS` order."""
        return [(key, self.cell(key)) for key in CELLS]


@dataclass
class Worst:
    label: str
    is_rate: bool
    ranked: list[tuple[Area, Decimal | None]]


@dataclass
class Signoff:
    """The units below one area that report to it on a day (DHIS2's reporting rates)."""

    expected: int
    submitted: int
    on_time: int

    @property
    def completeness(self) -> Decimal | None:
        return indicators.rate(Decimal(self.submitted), Decimal(self.expected))

    @property
    def timeliness(self) -> Decimal | None:
        return indicators.rate(Decimal(self.on_time), Decimal(self.expected))


@dataclass
class Alert:
    area: Area
    text: str


@dataclass
class Day:
    response: Response
    area: Area
    day: date
    report: Report | None
    figures: dict[str, Decimal] = field(default_factory=dict)
    live: dict[str, Decimal] = field(default_factory=dict)
    children: list[Row] = field(default_factory=list)
    submission: Submission | None = None
    signoff: Signoff | None = None
    worst: list[Worst] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    # Every community under the area, for the worst lists and the map.
    communities: list[Row] = field(default_factory=list)

    @property
    def late(self) -> list[tuple[str, Decimal, Decimal]]:
        """Figures that entries made after the cut-off would change: reported, live."""
        return [
            (indicators.name_of(key), self.figures.get(key, ZERO), self.live.get(key, ZERO))
            for key in BY_KEY
            if self.figures.get(key, ZERO) != self.live.get(key, ZERO)
        ]

    def headline(self) -> list[tuple[str, Decimal | None, str]]:
        return [
            (indicators.name_of(k), indicators.value(self.figures, k), indicators.unit_of(k))
            for k in HEADLINE
        ]

    def rates(self) -> list[tuple[str, Decimal | None]]:
        return [(str(r.name), indicators.value(self.figures, r.key)) for r in RATES]


def _sum(many: Iterable[dict[str, Decimal]]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for one in many:
        for key, value in one.items():
            total[key] = total.get(key, ZERO) + value
    return total


def report_of(response: Response, day: date) -> Report | None:
    return Report.objects.filter(response=response, day=day).first()


def unit_day(
    user: User | AnonymousUser, area: Area, response: Response, day: date, *, now: datetime
) -> Day:
    """`area`'s day: its figures, its children's, their sign-off, the worst communities
    under it and the alerts — a handful of reads of kept rows, whatever the area."""
    report = report_of(response, day)
    result = Day(response, area, day, report)
    if report is None:
        return result
    rows = {
        f.area_path: f
        for f in Figures.objects.filter(report=report, area_path__startswith=area.path)
        .select_related("area")
        .order_by("area_path")
    }
    own = rows.get(area.path)
    if own is not None:
        result.figures, result.live = values(own.total), values(own.total_live)
    else:
        # Above the response's area (a city over a district's response): the units
        # directly under it that the response reports on, summed.
        top = [f for f in rows.values() if f.depth == min(r.depth for r in rows.values())]
        if not top:
            return result
        result.figures = _sum(values(f.total) for f in top)
        result.live = _sum(values(f.total_live) for f in top)
    submissions = {
        s.area_path: s
        for s in Submission.objects.filter(report=report, area_path__startswith=area.path)
    }
    result.submission = submissions.get(area.path)
    child_depth = area.depth + 1 if own is not None else min(f.depth for f in rows.values())
    for path, f in rows.items():
        if f.depth == child_depth and access.may(user, Action.REPORT_VIEW, f.area):
            result.children.append(
                Row(f.area, values(f.total), submissions.get(path), rules.due_at(report, f.area))
            )
    if result.children:
        result.signoff = Signoff(
            expected=len(result.children),
            submitted=sum(1 for r in result.children if r.submission),
            on_time=sum(1 for r in result.children if r.submission and r.submission.is_on_time),
        )
    result.communities = communities = [
        Row(f.area, values(f.total), submissions.get(p))
        for p, f in rows.items()
        if f.depth == UNIT_DEPTH
    ]
    if len(communities) > 1:
        for key, highest in WORST_ON:
            ranked = [r for r in communities if r.cell(key) is not None]
            ranked.sort(key=lambda r: r.cell(key) or ZERO, reverse=highest)
            ranked = [r for r in ranked if not highest or (r.cell(key) or ZERO) > 0]
            if ranked:
                result.worst.append(
                    Worst(
                        indicators.name_of(key),
                        key in indicators.RATE_BY_KEY,
                        [(r.area, r.cell(key)) for r in ranked[:WORST]],
                    )
                )
    result.alerts = _alerts(report, communities, result.children, now)
    result.corrections = list(
        Correction.objects.filter(report=report, area_path__startswith=area.path)
        .select_related("area", "made_by")
        .prefetch_related("revisions__area")
        .order_by("-made_at")
    )
    return result


def _alerts(
    report: Report, communities: list[Row], children: list[Row], now: datetime
) -> list[Alert]:
    alerts = []
    for row in communities:
        fevers = row.figures.get("fevers_today", ZERO) + row.figures.get("fever_alerts_today", ZERO)
        if fevers:
            alerts.append(Alert(row.area, _("发热 %(n)s 人次") % {"n": fevers}))
        if overdue := row.figures.get("problems_overdue", ZERO):
            alerts.append(Alert(row.area, _("超期问题 %(n)s 件") % {"n": overdue}))
        if short := row.figures.get("stock_below", ZERO):
            alerts.append(Alert(row.area, _("物资低于下限 %(n)s 处") % {"n": short}))
    for row in children:
        late = row.due_at is not None and now > row.due_at
        if row.submission is None and report.closed_at is not None and late:
            alerts.append(Alert(row.area, _("未按时上报")))
    return alerts


@dataclass
class Trend:
    days: list[str]
    series: list[tuple[str, list[float]]]


def trend(area: Area, response: Response, until: date, days: int = TREND_DAYS) -> Trend:
    """The headline indicators of `area` over the response's last `days` days (above the
    response's area, of the units under it that it reports on, summed)."""
    depth = max(area.depth, len(response.area_path) // Area.steplen)
    by_day: dict[date, dict[str, Decimal]] = {}
    for day, total in (
        Figures.objects.filter(
            report__response=response,
            area_path__startswith=area.path,
            depth=depth,
            report__day__lte=until,
            report__day__gt=until - timedelta(days=days),
        )
        .order_by("report__day")
        .values_list("report__day", "total")
    ):
        by_day[day] = _sum([by_day.get(day, {}), values(total)])
    return Trend(
        days=[d.isoformat() for d in by_day],
        series=[
            (indicators.name_of(key), [float(t.get(key, ZERO)) for t in by_day.values()])
            for key in TREND
        ],
    )


# The map's indicators, the first the default: is a high figure the bad end?
MAP_ON: dict[str, bool] = {"coverage": False, "problems_open": True, "revisits_pending": True}


@dataclass
class Shape:
    area: Area
    geometry: dict[str, Any]
    value: Decimal | None


@dataclass
class Map:
    """The communities under an area that have an outline, coloured by one indicator."""

    indicator: str
    shapes: list[Shape]

    def payload(self, href: Callable[[Area], str]) -> dict[str, Any]:
        """What the page's map is drawn from (`charts.js`): the outlines as GeoJSON, each
        named by its area's code, and each community's figure, name and page."""
        is_rate = self.indicator in indicators.RATE_BY_KEY
        figures = [float(s.value) for s in self.shapes if s.value is not None]
        lats = [p[1] for s in self.shapes for p in _points(s.geometry)]
        return {
            "geojson": {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"name": s.area.code}, "geometry": s.geometry}
                    for s in self.shapes
                ],
            },
            "data": [
                {
                    "name": s.area.code,
                    "label": s.area.name,
                    "value": None if s.value is None else float(s.value),
                    "href": href(s.area),
                }
                for s in self.shapes
            ],
            "indicator": indicators.name_of(self.indicator),
            "unit": "%" if is_rate else str(BY_KEY[self.indicator].unit),
            "max": 100 if is_rate else max([1.0, *figures]),
            "high_is_bad": MAP_ON[self.indicator],
            "no_data": _("无数据"),
            # East-west kilometres are shorter than north-south ones away from the
            # equator: the map is drawn as the ground is.
            "aspect": round(math.cos(math.radians((min(lats) + max(lats)) / 2)), 3),
        }


def _points(geometry: dict[str, Any]) -> Iterator[list[float]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def community_map(user: User | AnonymousUser, unit: Day, indicator: str) -> Map:
    """The communities at or under the day's area that have an outline (`Boundary`),
    each with its figure of `indicator` (a key of `MAP_ON`) from the day's kept rows:
    None where it cannot be made (no households in scope for the coverage)."""
    boundaries = [
        b
        for b in Boundary.objects.filter(area_path__startswith=unit.area.path)
        .select_related("area")
        .order_by("area_path")
        if len(b.area_path) == UNIT_LEN and access.may_path(user, Action.REPORT_VIEW, b.area_path)
    ]
    figures = {row.area.path: row.figures for row in unit.communities}
    return Map(
        indicator,
        [
            Shape(
                b.area,
                b.geometry,
                indicators.value(figures[b.area_path], indicator)
                if b.area_path in figures
                else None,
            )
            for b in boundaries
        ],
    )
